"""Pings: the three URL forms, each answered with two DynamoDB writes.

1. one conditional UpdateItem on the monitor: it checks the monitor exists
   and the key (in the condition, so a wrong key changes nothing), records
   the ping, and puts the monitor back in the "due" index at the time it
   could next alert, all computed by DynamoDB from the stored settings;
2. one PutItem of the log entry, which expires through TTL.

A ping that may be news (a failure opening an outage, a success ending one)
then settles the monitor itself, exactly as the checker would: it reads the
monitor and runs the checker's claim-send-finish steps, so the failure or
recovery is told at once, and a failure right after a recovery is its own
news. The claims make it safe beside a running checker; a ping that dies
before telling leaves the monitor due, and the checker tells the same
notice, under the same id, within a minute.
Nothing heavy is imported here: this is the hottest path Herald has.
"""

import os
from decimal import Decimal

from chalicelib.core import aws, clock, errors
from chalicelib.core.observability import count, logger
from chalicelib.monitors import alert_rule, store

BODY_LIMIT = 10_000


# ---- the update ------------------------------------------------------------------


def _update(kind: str, now: Decimal) -> tuple[str, dict]:
    """The UpdateExpression and its values for one kind of ping."""
    values = {":t": now, ":zero": Decimal(0), ":one": Decimal(1)}
    parts = ["pings = if_not_exists(pings, :zero) + :one", "last_ping_kind = :kind"]
    removes = []
    values[":kind"] = kind
    if kind == "start":
        parts.append("last_start = :t")
    elif kind in ("success", "fail"):
        parts += ["last_ping = :t", "rev = if_not_exists(rev, :zero) + :one"]
        # The shard is a hash of the name; a UUID ping leaves it as stored.
        parts.append("due_pk = if_not_exists(parked, shard_pk)")
        removes.append("last_start")
        if kind == "success":
            values[":up"] = "up"
            parts.append("#st = :up")
            # During an outage recover_base + max_sleep is in the past: due now,
            # so the recovery is settled; else due when it could alert.
            parts.append("due_at = if_not_exists(recover_base, :t) + max_sleep")
        else:
            values[":down"] = "down"
            # A failure joins the open outage (not news), or opens one (news).
            parts += [
                "#st = :down",
                "due_at = :t",
                "fail_news_at = if_not_exists(outage_start, :t)",
                "outage_start = if_not_exists(outage_start, :t)",
                "recover_base = :t - max_sleep",
            ]
    if kind == "log":
        del values[":t"]
    expression = "SET " + ", ".join(parts)
    if removes:
        expression += " REMOVE " + ", ".join(removes)
    return expression, values


def record(
    *,
    name: str | None = None,
    monitor_uuid: str | None = None,
    given_key: str | None = None,
    kind: str,
    exit_status: int | None,
    meta: dict,
    body: bytes,
) -> float:
    """Record a ping; returns its time. Raises errors.Forbidden, NotFound or Unavailable."""
    now = clock.epoch()
    stamp = Decimal(f"{now:.6f}")
    who = {"name": name, "monitor_uuid": monitor_uuid, "given_key": given_key, "gen": 1}
    if monitor_uuid is None:
        monitor_id = store.id_for(name)
    else:
        found = store.resolve_uuid(monitor_uuid)
        if found is None:
            raise errors.NotFound("no such monitor")
        monitor_id, who["gen"] = found
    table = aws.table(store.TABLE)
    try:
        old = _write(table, monitor_id, kind, stamp, who)
    except Exception as error:
        if not aws.rejected(error):
            raise
        old = _after_refusal(error, table, monitor_id, kind, stamp, who)
    table.put_item(Item=_log_entry(monitor_id, now, stamp, old, kind, exit_status, meta, body))
    if alert_rule.is_news(kind, old):
        _tell_news(monitor_id, now, old)
    return now


def _write(table, monitor_id, kind, stamp, who) -> dict:
    """The ping's one conditional UpdateItem; the monitor as it was."""
    expression, values = _update(kind, stamp)
    condition = _condition(who, values)
    if kind == "fail":
        values[":up"] = "up"
        condition += " AND NOT (#st = :up AND attribute_exists(outage_start))"
    names = {"ExpressionAttributeNames": {"#st": "status"}} if "#st" in expression else {}
    return table.update_item(
        Key=store.key(monitor_id),
        UpdateExpression=expression,
        ConditionExpression=condition,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_OLD",
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
        **names,
    )["Attributes"]


def _after_refusal(error, table, monitor_id, kind, stamp, who) -> dict:
    """A refused ping: a wrong credential, no monitor, or a failure landing on
    an outage whose recovery is not settled yet.

    In the last case the ping settles that recovery as the checker would (its
    claim ends the old outage) and then records the failure, which opens an
    outage of its own and is told too. If the recovery cannot be settled now
    (DynamoDB or SQS failing), the failure is not recorded: 503 and
    Retry-After, so the client pings again and neither notice is lost.
    """
    item = aws.refused_item(error)
    if not (item and kind == "fail" and alert_rule.recovery_untold(item) and _holds(item, who)):
        raise _refusal(item, who) from None
    _tell_news(monitor_id, float(stamp), item, fresh=item)
    try:
        return _write(table, monitor_id, kind, stamp, who)
    except Exception as again:
        if not aws.rejected(again):
            raise
        item = aws.refused_item(again)
        if item and alert_rule.recovery_untold(item) and _holds(item, who):
            count("MonitorPingDeferred")
            raise errors.Unavailable(
                "this monitor's last recovery is still being told: ping again", retry_after=5
            ) from None
        raise _refusal(item, who) from None


def _holds(item: dict, who: dict) -> bool:
    """Whether the ping's credential is good for the item (as _condition checks)."""
    if who["monitor_uuid"] is not None:
        return store.generation(item) == who["gen"]  # the UUID is the credential
    if who["given_key"]:
        return store.holds_key(item, who["given_key"])
    return item.get("require_key") is False


def _condition(who: dict, values: dict) -> str:
    """The monitor exists and the credential is its current one (or none is needed)."""
    if who["monitor_uuid"] is not None:
        values[":gen"] = Decimal(who["gen"])
        if who["gen"] == 1:  # monitors from before rotation have no key_gen
            return "attribute_exists(pk) AND (attribute_not_exists(key_gen) OR key_gen = :gen)"
        return "attribute_exists(pk) AND key_gen = :gen"
    if who["given_key"]:
        values[":kd"] = store.key_digest(who["given_key"])
        return "attribute_exists(pk) AND key_digest = :kd"
    values[":false"] = False
    return "attribute_exists(pk) AND require_key = :false"


def _refusal(item: dict | None, who: dict) -> errors.HeraldError:
    """Why the condition failed. On the name forms the key comes first: only
    whoever holds a name's key learns whether that name has a monitor (else
    403 would tell names apart from 404s). A rotated-away UUID names none."""
    name, given = who["name"], who["given_key"]
    if name is None:
        return errors.NotFound("no such monitor")
    if not given:
        return errors.Forbidden("missing ping key: pass key=KEY or the X-Ping-Key header")
    if not (store.holds_key(item, given) if item else store.is_ping_key(name, given)):
        return errors.Forbidden("wrong ping key for this monitor")
    if not item:
        return errors.NotFound("no such monitor")
    return errors.Forbidden("wrong ping key for this monitor")


def _tell_news(monitor_id: str, now: float, old: dict, fresh: dict | None = None) -> None:
    """Settle the monitor as the checker would, so news goes out at once.

    The checker's claims make this safe beside a running checker (one of the
    two wins each notice); if anything fails here the checker, within a
    minute, finds the monitor due and tells the same notice under the same id.
    """
    from chalicelib.monitors import checker

    try:
        if fresh is None:
            reply = aws.table(store.TABLE).get_item(Key=store.key(monitor_id), ConsistentRead=True)
            fresh = reply.get("Item")
        told = checker.process(fresh, now) if fresh else 0
    except Exception:  # noqa: BLE001 - recorded already: the checker tells it within a minute
        logger.exception("telling ping news failed", extra={"monitor": old.get("name")})
        count("MonitorPingNewsDeferred")
        return
    if told:
        count("MonitorPingNews")


def _log_entry(monitor_id, now, stamp, old, kind, exit_status, meta, body) -> dict:
    seq = int(old.get("pings", 0)) + 1
    entry = {
        "pk": store.log_pk(monitor_id, old),
        "sk": f"{clock.iso(clock.from_epoch(now))}#{seq:010d}",
        "t": stamp,
        "seq": seq,
        "kind": kind,
        "method": meta.get("method", ""),
        "source_ip": meta.get("source_ip", ""),
        "user_agent": (meta.get("user_agent") or "")[:500],
        "body": body[:BODY_LIMIT].decode("utf-8", errors="replace"),
        "body_bytes": len(body),
        "expires_at": int(now) + retention_days() * 86400,
    }
    if exit_status is not None:
        entry["exit_status"] = exit_status
    if kind in ("success", "fail") and old.get("last_start") is not None:
        entry["duration"] = stamp - old["last_start"]
    return entry


def retention_days() -> int:
    return int(os.environ.get("PING_LOG_RETENTION_DAYS", "90"))
