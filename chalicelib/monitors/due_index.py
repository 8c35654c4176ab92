"""The monitors table's sparse "due" index: where the checker finds its work.

An item is in it while it carries due_pk (one of shards() names, or
"PARKED", which nobody reads) and due_at (when to look at it next). The
index holds keys only, so a ping that leaves due_at as it was writes nothing
to it; pings round their due_at down to the minute (pings.py), so a monitor
pinged many times a minute moves its entry once a minute.

Shards spread the index's writes: a ping that moves a deadline writes two
index entries (the old one out, the new one in) to its monitor's shard, and
one partition takes about 1,000 writes a second. The checker reads every
shard each run, in parallel.
"""

import math
import zlib
from decimal import Decimal

from chalicelib.core import aws, settings
from chalicelib.core.observability import logger

INDEX = "due"
# The ping rate the index is sized for (HERALD_PEAK_PINGS overrides it).
PEAK_PINGS = 20_000
INDEX_WRITES_PER_MOVE, PARTITION_WRITES = 2, 800  # 20 % of a partition spare
# The checker's parallel Queries: as many as botocore's pool keeps connections (10);
# more threads would open and throw away connections on every run.
READERS = 10
BATCH = 100  # BatchGetItem's limit
STEP = 60  # seconds: a ping's due_at counts from the start of its minute
AHEAD = 60.0  # the checker's period: each run also reads the minute until the next


def shards() -> int:
    """How many shards the index spreads monitors over, for the peak rate.

    Raise it freely (a monitor moves to its new shard when next saved, and
    the checker reads them all); lowering it leaves monitors in shards no
    longer read until each is saved again, which is why README says raise only.
    """
    peak = settings.number("HERALD_PEAK_PINGS", PEAK_PINGS)
    return max(1, math.ceil(peak * INDEX_WRITES_PER_MOVE / PARTITION_WRITES))


def shard(name: str) -> str:
    return f"DUE#{zlib.crc32(name.encode()) % shards()}"


def entries(now: float, ahead: float = 0) -> tuple[list[dict], int]:
    """Keys and due_at of the monitors due by now + ahead (one Query per shard),
    and how many shards could not be read: their monitors wait for the next run,
    while one failing partition does not stop the checker reading the others."""
    from concurrent.futures import ThreadPoolExecutor

    until = aws.to_wire({":until": Decimal(f"{now + ahead:.6f}")})[":until"]
    with ThreadPoolExecutor(max_workers=min(READERS, shards())) as pool:
        pages = list(pool.map(lambda n: _shard_entries(f"DUE#{n}", until), range(shards())))
    unread = sum(page is None for page in pages)
    return [entry for page in pages if page for entry in page], unread


def _shard_entries(due_pk: str, until: dict) -> list[dict] | None:
    # The low-level client: boto3's resources are not safe across threads.
    query = {
        "TableName": aws.table_name("MONITORS_TABLE"),
        "IndexName": INDEX,
        "KeyConditionExpression": "due_pk = :pk AND due_at <= :until",
        "ExpressionAttributeValues": {":pk": {"S": due_pk}, ":until": until},
    }
    found = []
    try:
        for page in aws.client("dynamodb").get_paginator("query").paginate(**query):
            found += [aws.from_wire(item) for item in page["Items"]]
    except Exception:  # noqa: BLE001 - the other shards go on; this one is read next run
        logger.exception("due index shard not read", extra={"shard": due_pk})
        return None
    return found


def items(keys: list[dict], *, consistent: bool = True) -> list[dict]:
    """The monitors named by keys, in the order given: read consistently for the
    checker; a listing may read eventually consistent, at half the read units."""
    table, found = aws.table_name("MONITORS_TABLE"), {}
    for start in range(0, len(keys), BATCH):
        wanted = [{"pk": k["pk"], "sk": k["sk"]} for k in keys[start : start + BATCH]]
        request = {table: {"Keys": wanted, "ConsistentRead": consistent}}
        for _ in range(5):  # what is still unread stays due: the next run reads it
            if not request:
                break
            reply = aws.dynamodb().batch_get_item(RequestItems=request)
            found.update({item["pk"]: item for item in reply["Responses"].get(table, [])})
            request = reply.get("UnprocessedKeys") or {}
    return [found[k["pk"]] for k in keys if k["pk"] in found]


def look_by(key: dict, deadline: float, now: float) -> None:
    """Bring the checker's look at a monitor forward to `deadline` (a run that
    may run too long, a steady notice after flapping).

    A deadline within the minute the last checker run covered would wait for
    the next run, up to a minute late: it gets a wake-up of its own.
    """
    moved = aws.conditional(
        aws.table("MONITORS_TABLE").update_item,
        Key=key,
        UpdateExpression="SET due_at = :d, due_pk = if_not_exists(parked, shard_pk)",
        ConditionExpression=(
            "attribute_exists(pk) AND (attribute_not_exists(due_at) OR due_at > :d)"
        ),
        ExpressionAttributeValues={":d": Decimal(f"{deadline:.6f}")},
        ReturnValues="ALL_NEW",  # moto leaves out of UPDATED_NEW what stayed as it was
    )
    if moved is not None and deadline - now <= AHEAD:
        from chalicelib.monitors import wakeups  # it imports the checker: not on the ping path

        wakeups.hand_off([moved["Attributes"]], now)
