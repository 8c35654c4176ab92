"""The monitors' directory: how they are listed without a ping paying for it.

gsi1 projects ALL, so an item in it is copied to the index whenever it
changes. A ping updates its monitor (counters, last_ping), and the monitor
item used to carry gsi1pk = "MONITORS" itself: every ping rewrote an index
entry (1-2 extra write units), all in the one partition "MONITORS", which
takes about 1,000 writes a second, so the deployment topped out near that
ping rate. Now each monitor has a small entry beside it,
{pk: "MON#<id>", sk: "NAME", gsi1pk: "MONITORS", gsi1sk: name, name},
which admin.py writes in the transaction that creates the monitor and
deletes in the one that deletes it: nothing else touches it, so pings write
no index, and no crash leaves a monitor checked but not listed, or listed
but gone.

list_all() Queries gsi1 "MONITORS" for the entries (a 1 MB page holds
thousands) and reads the monitors with due_index.items (consistent
BatchGetItem, 100 keys a request, in name order): live status, at
ceil(n/100) more requests. An entry whose monitor is gone (the index lags a
delete) is left out; a key the batch left unread is read alone, so a list
never silently drops a monitor (tag windows and key revocation rewrite
every monitor listed).

Upgrading: monitors created before the directory carry gsi1pk on the
monitor item. The Query returns both shapes, and list_all moves each old
one it meets (at most MOVES a listing, so the first listing after an
upgrade stays quick): one transaction Puts its entry and REMOVEs gsi1pk and
gsi1sk from the monitor, on condition the monitor still exists (a deleted
one gets no entry) and without bumping `rev` (an edit in flight still
lands). Both writes are idempotent; a move that fails (a ping raced it) is
tried at the next listing, and until then the monitor is listed from its
index copy, as before. Nobody has to run anything: the first listings after
a deploy (the dashboard's feed asks every 15 s) move every monitor.
"""

from decimal import Decimal

from botocore.exceptions import ClientError

from chalicelib.core import aws
from chalicelib.monitors import due_index, store

SK = "NAME"
PARTITION = "MONITORS"
MOVES = 100  # old-shape monitors moved per listing: a transaction each


def entry(item: dict) -> dict:
    """The monitor's directory entry (item: the monitor, or its old index copy)."""
    name = item["name"]
    return {"pk": item["pk"], "sk": SK, "gsi1pk": PARTITION, "gsi1sk": name, "name": name}


def create(item: dict, checks: list[dict]) -> bool:
    """Put a new monitor and its entry in one transaction, on condition that
    the monitor does not exist yet and checks (ConditionChecks) hold."""
    new = {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}
    checking = [{"ConditionCheck": check} for check in checks]
    return transact([{"Put": new}, {"Put": {"Item": entry(item)}}, *checking])


def remove(item: dict) -> bool:
    """Delete a monitor and its entry in one transaction, on condition that
    the monitor is still as read (`rev`); an old-shape one has no entry, and
    deleting what is not there is no fault."""
    gone = {
        "Key": {"pk": item["pk"], "sk": "MON"},
        "ConditionExpression": "#rev = :rev",
        "ExpressionAttributeNames": {"#rev": "rev"},
        "ExpressionAttributeValues": {":rev": item.get("rev", Decimal(0))},
    }
    return transact([{"Delete": gone}, {"Delete": {"Key": {"pk": item["pk"], "sk": SK}}}])


def transact(writes: list[dict]) -> bool:
    """store.transact, False also when another transaction on one of its items
    cancelled it: for the creates, deletes and moves here, a reason to read
    again and retry, not a fault."""
    try:
        return store.transact(writes)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
            raise
        reasons = error.response.get("CancellationReasons", [])
        if not any(reason.get("Code") == "TransactionConflict" for reason in reasons):
            raise
        return False


def list_all() -> list[dict]:
    """Every monitor, as stored now, in name order."""
    from boto3.dynamodb.conditions import Key

    condition = Key("gsi1pk").eq(PARTITION)
    table = aws.table(store.TABLE)
    listed = aws.query_all(table, IndexName="gsi1", KeyConditionExpression=condition)
    old = {item["pk"]: item for item in listed if item["sk"] != SK}
    moved = {pk for pk in list(old)[:MOVES] if _move(old[pk])}
    # Both shapes of one monitor show while the index catches up with a move.
    order = list(dict.fromkeys(item["pk"] for item in listed))
    named = {item["pk"] for item in listed if item["sk"] == SK} | moved
    shown = {pk: item for pk, item in old.items() if pk not in named}
    shown.update(_read([{"pk": pk, "sk": "MON"} for pk in order if pk in named]))
    return [shown[pk] for pk in order if pk in shown]


def _read(keys: list[dict]) -> dict[str, dict]:
    """The monitors of keys by pk (eventually consistent, as the directory's
    index is anyway: half the read units); those gone left out."""
    read = {item["pk"]: item for item in due_index.items(keys, consistent=False)}
    for unread in (k for k in keys if k["pk"] not in read):
        # Gone, or left unprocessed by a throttled batch: only a read tells.
        found = aws.table(store.TABLE).get_item(Key=unread, ConsistentRead=True).get("Item")
        if found:
            read[found["pk"]] = found
    return read


def _move(item: dict) -> bool:
    """Give an old-shape monitor its entry and take it out of gsi1 (idempotent)."""
    out = {
        "Key": {"pk": item["pk"], "sk": "MON"},
        "UpdateExpression": "REMOVE gsi1pk, gsi1sk",
        "ConditionExpression": "attribute_exists(pk)",
    }
    try:
        return transact([{"Put": {"Item": entry(item)}}, {"Update": out}])
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "TransactionCanceledException":
            return False  # throttled, say: the next listing moves it
        raise
