"""Heartbeat monitors: their identity and their storage in MONITORS_TABLE.

A monitor is one item, pk = "MON#<id>". The id is a keyed hash of the
monitor's UUID, and the UUID is itself a keyed hash of the name, so every
ping form (/ping?username=, /ping/<uuid>, /ping/<key>/<name>) finds the item
with no lookup (a ping costs one write to the monitor and one to its log),
while a copy of the table reveals neither UUIDs nor ping keys.

The checker finds monitors through the sparse index "due" (due_pk, due_at):
due_pk is one of a few shard names for monitors that may alert, or "PARKED"
(paused or `monitor: false`), a partition the checker never reads.
"""

import base64
import hashlib
import hmac
import uuid
import zlib
from decimal import Decimal

from chalicelib.core import auth, aws, clock, values
from chalicelib.core import secrets as config_secrets
from chalicelib.monitors.rules import SETTINGS

TABLE = "MONITORS_TABLE"
SHARDS = 4
PARKED = "PARKED"


# ---- identity -----------------------------------------------------------------


def _mac(purpose: str, value: str) -> bytes:
    key = config_secrets.get("secret-key").encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()


def uuid_for(name: str) -> str:
    return str(uuid.UUID(bytes=_mac("monitor-uuid", name)[:16], version=4))


def id_for_uuid(monitor_uuid: str) -> str:
    return _mac("monitor-id", monitor_uuid.lower()).hex()[:32]


def id_for(name: str) -> str:
    return id_for_uuid(uuid_for(name))


def key(monitor_id: str) -> dict:
    return {"pk": f"MON#{monitor_id}", "sk": "MON"}


def ping_key(name: str, version: int = 1) -> str:
    """The monitor's ping key: derived, so it can be shown again, never stored."""
    return base64.urlsafe_b64encode(_mac(f"ping-key-{version}", name)).decode()[:22]


def is_ping_key(name: str, given: str) -> bool:
    """Whether given is name's ping key (constant time)."""
    return hmac.compare_digest(ping_key(name).encode(), given.encode("utf-8", "surrogatepass"))


def key_digest(value: str) -> str:
    return auth.digest(f"ping-key:{value}")


def shard(name: str) -> str:
    # Spreads the index's write load; the checker reads each shard once.
    return f"DUE#{zlib.crc32(name.encode()) % SHARDS}"


def ping_urls(name: str, base: str) -> dict:
    return {
        "uuid": f"{base}/ping/{uuid_for(name)}",
        "slug": f"{base}/ping/{ping_key(name)}/{name}",
        "original": f"{base}/ping?username={name}&key={ping_key(name)}",
    }


# ---- storage ------------------------------------------------------------------


def get(name: str, *, consistent: bool = True) -> dict | None:
    item = aws.table(TABLE).get_item(Key=key(id_for(name)), ConsistentRead=consistent)
    return item.get("Item")


def list_all() -> list[dict]:
    from boto3.dynamodb.conditions import Key

    condition = Key("gsi1pk").eq("MONITORS")
    return aws.query_all(aws.table(TABLE), IndexName="gsi1", KeyConditionExpression=condition)


def update_if_unchanged(
    item: dict, sets: dict, removes=(), condition: str = "", values: dict | None = None
) -> bool:
    """SET sets (None: REMOVE), REMOVE removes and bump `rev`, only if `rev` is as read.

    False when something (a ping, a checker, an edit) changed the monitor since.
    """
    removes = [*removes, *(field for field, value in sets.items() if value is None)]
    sets = {field: value for field, value in sets.items() if value is not None}
    names = {f"#s{i}": field for i, field in enumerate(sets)}
    names.update({f"#r{i}": field for i, field in enumerate(removes)})
    expression = "SET " + ", ".join(
        [*(f"#s{i} = :s{i}" for i in range(len(sets))), "#rev = #rev + :one"]
    )
    if removes:
        expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(removes)))
    changed = aws.conditional(
        aws.table(TABLE).update_item,
        Key={"pk": item["pk"], "sk": item["sk"]},
        UpdateExpression=expression,
        ConditionExpression="#rev = :rev" + condition,
        ExpressionAttributeNames={**names, "#rev": "rev"},
        ExpressionAttributeValues={
            **{f":s{i}": value for i, value in enumerate(sets.values())},
            ":one": Decimal(1),
            ":rev": item.get("rev", Decimal(0)),
            **(values or {}),
        },
    )
    return changed is not None


def parked(item: dict) -> str | None:
    if item.get("paused"):
        return "PAUSED"
    if not item.get("monitor", True):
        return "OFF"
    return None


def place(item: dict, due_at) -> dict:
    """Index attributes for an item that should next be looked at at due_at."""
    if parked(item):
        return {"parked": PARKED, "due_pk": PARKED, "due_at": Decimal(0)}
    if due_at is None:
        return {}
    return {"due_pk": shard(item["name"]), "due_at": Decimal(str(due_at))}


def view(item: dict, base: str = "") -> dict:
    """What the API and CLI show of a monitor (no secrets besides its URLs)."""
    now = clock.epoch()
    last_ping = item.get("last_ping")
    late = last_ping is not None and now - float(last_ping) > float(item["max_sleep"])
    status = "paused" if item.get("paused") else item.get("status", "new")
    if status == "up" and late:
        status = "late"
    result = {
        "name": item["name"],
        "status": status,
        **{field: values.plain(item.get(field)) for field in SETTINGS},
        "last_ping": _when(last_ping),
        "last_alert": _when(item.get("last_alert")),
        "next_deadline": _when(float(last_ping) + float(item["max_sleep"]))
        if last_ping is not None
        else None,
        "pings": int(item.get("pings", 0)),
    }
    if base is not None:
        result["ping_urls"] = ping_urls(item["name"], base)
    return result


def _when(value):
    return None if value is None else clock.iso(clock.from_epoch(float(value)))
