"""Heartbeat monitors: their identity and their storage in MONITORS_TABLE.

A monitor is one item, pk = "MON#<id>". The id is a keyed hash of the
monitor's UUID, and the UUID is itself a keyed hash of the name, so every
ping form (/ping?username=, /ping/<uuid>, /ping/<key>/<name>) finds the item
with no lookup (a ping costs one write to the monitor and one to its log),
while a copy of the table reveals neither UUIDs nor ping keys.

Monitors are listed through directory.py's entries, which pings never touch.
The checker finds monitors through the sparse index "due" (due_pk, due_at):
due_pk is one of due_index.shards() shard names for monitors that may
alert, or "PARKED" (paused or `monitor: false`), a partition the checker
never reads.
"""

import base64
import hashlib
import hmac
import uuid
from decimal import Decimal

from chalicelib.core import auth, aws, clock
from chalicelib.core import secrets as config_secrets
from chalicelib.monitors import due_index

TABLE = "MONITORS_TABLE"
PARKED = "PARKED"


# ---- identity -----------------------------------------------------------------


def _mac(purpose: str, value: str) -> bytes:
    key = config_secrets.get("secret-key").encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()


def generation(item: dict | None) -> int:
    """The monitor's key generation: 1 until its ping URLs are first rotated."""
    return int(item.get("key_gen", 1)) if item else 1


def uuid_for(name: str, gen: int = 1) -> str:
    if gen == 1:
        return str(uuid.UUID(bytes=_mac("monitor-uuid", name)[:16], version=4))
    raw = bytearray(_mac(f"monitor-uuid-{gen}", name)[:16])
    # Version 8 marks a rotated UUID: the ping finds its monitor through an
    # alias item, as the monitor's key stays that of its first UUID.
    raw[6] = (raw[6] & 0x0F) | 0x80
    raw[8] = (raw[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(raw)))


def is_rotated_uuid(monitor_uuid: str) -> bool:
    return uuid.UUID(monitor_uuid).version == 8


def id_for_uuid(monitor_uuid: str) -> str:
    return _mac("monitor-id", monitor_uuid.lower()).hex()[:32]


def id_for(name: str) -> str:
    return id_for_uuid(uuid_for(name))


def key(monitor_id: str) -> dict:
    return {"pk": f"MON#{monitor_id}", "sk": "MON"}


def alias_key(monitor_uuid: str) -> dict:
    """Where a rotated UUID names its monitor."""
    return {"pk": f"UUID#{id_for_uuid(monitor_uuid)}", "sk": "UUID"}


def past_key(monitor_id: str) -> dict:
    """What outlives a deleted monitor: its last generations, so a monitor
    created again under the name gets new URLs and a log of its own."""
    return {"pk": f"MON#{monitor_id}", "sk": "PAST"}


def log_pk(monitor_id: str, item: dict) -> str:
    """The monitor's log partition: one per life, so a ping that raced a
    delete leaves nothing a re-created monitor would take for its own."""
    life = int(item.get("life", 1))
    return f"LOG#{monitor_id}" if life == 1 else f"LOG#{monitor_id}.{life}"


def ping_key(name: str, gen: int = 1) -> str:
    """The monitor's ping key: derived, so it can be shown again, never stored."""
    return base64.urlsafe_b64encode(_mac(f"ping-key-{gen}", name)).decode()[:22]


def is_ping_key(name: str, given: str, gen: int = 1) -> bool:
    """Whether given is name's ping key (constant time)."""
    expected = ping_key(name, gen).encode()
    return hmac.compare_digest(expected, given.encode("utf-8", "surrogatepass"))


def holds_key(item: dict, given: str) -> bool:
    """Whether given is the stored monitor's current ping key (constant time)."""
    return hmac.compare_digest(str(item.get("key_digest", "")), key_digest(given))


def key_digest(value: str) -> str:
    return auth.digest(f"ping-key:{value}")


def ping_urls(item: dict, base: str) -> dict:
    name, gen = item["name"], generation(item)
    return {
        "uuid": f"{base}/ping/{uuid_for(name, gen)}",
        "slug": f"{base}/ping/{ping_key(name, gen)}/{name}",
        "original": f"{base}/ping?username={name}&key={ping_key(name, gen)}",
    }


# ---- storage ------------------------------------------------------------------


def get(name: str, *, consistent: bool = True) -> dict | None:
    item = aws.table(TABLE).get_item(Key=key(id_for(name)), ConsistentRead=consistent)
    return item.get("Item")


def resolve_uuid(monitor_uuid: str) -> tuple[str, int] | None:
    """(monitor id, generation) that a ping's UUID names; None if it names none.

    A first-generation UUID is the monitor's key itself (no read); a rotated
    one costs one read of its alias.
    """
    if not is_rotated_uuid(monitor_uuid):
        return id_for_uuid(monitor_uuid), 1
    reply = aws.table(TABLE).get_item(Key=alias_key(monitor_uuid), ConsistentRead=True)
    alias = reply.get("Item")
    return (alias["monitor_id"], int(alias["key_gen"])) if alias else None


def find_by_uuid(monitor_uuid: str) -> dict | None:
    """The monitor a UUID names: Herald's own (any generation) or an imported one."""
    for resolve in (resolve_uuid, resolve_foreign):
        found = resolve(monitor_uuid)
        if found is None:
            continue
        reply = aws.table(TABLE).get_item(Key=key(found[0]), ConsistentRead=True)
        item = reply.get("Item")
        if item and generation(item) == found[1]:
            return item
    return None


def resolve_foreign(monitor_uuid: str) -> tuple[str, int] | None:
    """(monitor id, generation) for a UUID another system gave the monitor (an
    imported Healthchecks check's); its alias is read only when the UUID is
    not Herald's, so Herald's own pings pay nothing for it."""
    if is_rotated_uuid(monitor_uuid):
        return None
    reply = aws.table(TABLE).get_item(Key=alias_key(monitor_uuid), ConsistentRead=True)
    alias = reply.get("Item")
    return (alias["monitor_id"], int(alias["key_gen"])) if alias else None


def list_all() -> list[dict]:
    """Every monitor, live, in name order: through their directory entries."""
    from chalicelib.monitors import directory

    return directory.list_all()


def update_if_unchanged(
    item: dict,
    sets: dict,
    removes=(),
    condition: str = "",
    values: dict | None = None,
    also: dict | None = None,
) -> dict | None:
    """SET sets (None: REMOVE), REMOVE removes and bump `rev`, only if `rev` is as read.

    The monitor as written; None when something (a ping, a checker, an edit,
    a delete) changed it since. `also`: a ConditionCheck that must hold too
    (one transaction), e.g. that the shared key a monitor joins still exists.
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
    update = {
        "Key": {"pk": item["pk"], "sk": item["sk"]},
        "UpdateExpression": expression,
        "ConditionExpression": "#rev = :rev" + condition,
        "ExpressionAttributeNames": {**names, "#rev": "rev"},
        "ExpressionAttributeValues": {
            **{f":s{i}": value for i, value in enumerate(sets.values())},
            ":one": Decimal(1),
            ":rev": item.get("rev", Decimal(0)),
            **(values or {}),
        },
    }
    if also is not None:
        if not transact([{"Update": update}, {"ConditionCheck": also}]):
            return None
        written = {k: v for k, v in {**item, **sets}.items() if k not in removes}
        return {**written, "rev": item.get("rev", Decimal(0)) + 1}
    changed = aws.conditional(aws.table(TABLE).update_item, **update, ReturnValues="ALL_NEW")
    return None if changed is None else changed["Attributes"]


def transact(writes: list[dict]) -> bool:
    """One DynamoDB transaction on the monitors table; False if a condition failed."""
    name = aws.table(TABLE).name
    for write in writes:
        write[next(iter(write))]["TableName"] = name
    # The resource's client takes plain Python values, as Table calls do.
    client = aws.dynamodb().meta.client
    return aws.conditional(client.transact_write_items, TransactItems=writes) is not None


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
    return {"due_pk": due_index.shard(item["name"]), "due_at": Decimal(str(due_at))}


def status(item: dict, now: float) -> str:
    """new, up, late, failing, down, maintenance, paused or off (set not to be
    monitored): the stored state, late once overdue, failing while below
    failure_threshold (told no one yet), down while recovering."""
    if item.get("paused"):
        return "paused"
    if item.get("monitor") is False:
        return "off"
    from chalicelib.monitors import alert_rule, policy

    stored = item.get("status", "new")
    since = alert_rule.silence_from(item, now)  # a maintenance or intake hold counts
    told = float(item.get("last_alert") or 0) >= float(item.get("outage_start") or 1)
    if stored == "down" and not told and not policy.failed_enough(item):
        return "failing"
    if stored == "up" and item.get("outage_start") is not None and policy.recovering(item):
        return "down"
    if stored in ("up", "late") and since is not None:
        from chalicelib.monitors import schedule

        if now > schedule.down_at(item, since) and policy.threshold_above_one(item):
            return "failing"
        if stored == "up" and now > schedule.late_at(item, since):
            return "late"
    return stored


def view(item: dict, base: str = "") -> dict:
    """What the API and CLI show of a monitor (no secrets besides its URLs)."""
    from chalicelib.monitors import alert_rule, policy, rules, schedule

    now = clock.epoch()
    last_ping = item.get("last_ping")
    expected = alert_rule.silence_from(item, now)  # deadlines shown are the alert rule's
    result = {
        "name": item["name"],
        "status": status(item, now),
        **rules.shown(item),
        "schedule_text": schedule.describe(item),
        "last_ping": _when(last_ping),
        "last_start": _when(item.get("last_start")),
        "last_alert": _when(item.get("last_alert")),
        "snoozed_until": _when(item.get("snoozed_until")),
        "held_since": _when(item.get("held_at")),  # a notice quiet hours hold back
        "flapping_since": _when(item.get("flapping_since")),  # alerts muted (flapping.py)
        "intake_held_until": _when(policy.intake_held_until(item)),  # intake.py
        "dependents": sorted(item.get("dependents") or ()),
        "next_ping": None if expected is None else _when(schedule.late_at(item, expected)),
        "next_deadline": None if expected is None else _when(schedule.down_at(item, expected)),
        "pings": int(item.get("pings", 0)),
    }
    if base is not None:
        result["ping_urls"] = ping_urls(item, base)
    return result


def _when(value):
    return None if value is None else clock.iso(clock.from_epoch(float(value)))
