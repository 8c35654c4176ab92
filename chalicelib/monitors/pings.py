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

import hmac
import os
from decimal import Decimal

from chalicelib.core import aws, clock, errors
from chalicelib.core.observability import count, logger
from chalicelib.monitors import due_index, news, ping_bodies, ping_rate, runs, store

BODY_LIMIT = 10_000
# States a success ping ends by itself, recording the flip to up.
UNSETTLED = ("new", "late", "maintenance", "blocked")


# ---- the update ------------------------------------------------------------------


def _update(ping: dict, now: Decimal) -> tuple[str, dict, str]:
    """The UpdateExpression, its values and the rate limit's condition for one kind of ping."""
    kind = ping["kind"]
    values = {":t": now, ":zero": Decimal(0), ":one": Decimal(1)}
    parts = ["pings = if_not_exists(pings, :zero) + :one", "last_ping_kind = :kind"]
    shifts, limit = ping_rate.expression(values, now)
    parts += shifts
    removes = []
    values[":kind"] = kind
    if kind == "start":
        # A revision, as any ping the checker decides on: a checker that read the
        # monitor before the start must not write a next look without its run.
        parts += ["last_start = :t", "rev = if_not_exists(rev, :zero) + :one"]
    elif kind in ("success", "fail"):
        parts += ["last_ping = :t", "rev = if_not_exists(rev, :zero) + :one"]
        # The shard is a hash of the name; a UUID ping leaves it as stored.
        parts.append("due_pk = if_not_exists(parked, shard_pk)")
        removes.append("last_start")
        # Streaks for the thresholds (policy.py): successes and failures in a row.
        pair = ("ok_streak", "fail_streak")
        streak, broken = pair if kind == "success" else pair[::-1]
        parts.append(f"{streak} = if_not_exists({streak}, :zero) + :one")
        removes.append(broken)
        if kind == "success":
            values[":up"] = "up"
            parts.append("#st = :up")
            # During an outage recover_base + max_sleep is in the past: due now,
            # so the recovery is settled; else due when it could alert, counted from
            # the ping's minute, so pings within a minute leave the index as it is
            # (wakeups.took_early).
            values[":minute"] = now - now % due_index.STEP
            parts.append("due_at = if_not_exists(recover_base, :minute) + max_sleep")
        else:
            values[":down"] = "down"
            # A failure joins the open outage (not news), or opens one (news).
            parts += [
                "#st = :down",
                "due_at = :t",
                "fail_news_at = if_not_exists(outage_start, :t)",
                # The outage's first failure, for its notice: a held silence's
                # outage starts at the last success (fail_news_at then).
                "first_fail_at = if_not_exists(first_fail_at, :t)",
                "outage_start = if_not_exists(outage_start, :t)",
                "recover_base = :t - max_sleep",
            ]
            if ping.get("exit_status") is None:
                removes.append("last_exit")
            else:
                values[":x"] = Decimal(ping["exit_status"])
                parts.append("last_exit = :x")
            # The first lines of what it said, for the failure notice.
            if ping.get("excerpt"):
                values[":excerpt"] = ping["excerpt"]
                parts.append("fail_excerpt = :excerpt")
            else:
                removes.append("fail_excerpt")
    expression = "SET " + ", ".join(parts)
    if removes:
        expression += " REMOVE " + ", ".join(removes)
    if ":t" not in expression:
        del values[":t"]
    return expression, values, limit


def record(
    *,
    name: str | None = None,
    monitor_uuid: str | None = None,
    given_key: str | None = None,
    kind: str,
    exit_status: int | None,
    meta: dict,
    body: bytes,
    rid: str | None = None,
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
    wait = ping_rate.refused_for(monitor_id, who, now)
    if wait is not None:  # refused by this process a moment ago: no request
        raise ping_rate.refusal(wait)
    ping = {"kind": kind, "exit_status": exit_status, "guards": _guards(kind, meta, body)}
    ping["excerpt"] = ping_bodies.excerpt(body)
    try:
        old = write(monitor_id, ping, stamp, who)
    except Exception as error:
        if not aws.rejected(error):
            raise
        from chalicelib.monitors import ping_refusals

        old, monitor_id = ping_refusals.settle(error, monitor_id, ping, stamp, who, body)
    kind = ping["kind"]
    # Only a run id needs the table itself; a plain ping never loads the resource layer.
    table = aws.table(store.TABLE) if rid else None
    started = runs.pair(table, monitor_id, kind, rid, stamp, old)
    entry = _log_entry(monitor_id, now, stamp, old, ping, meta, body)
    if started is not None and float(stamp - started) <= runs.PAIRING:
        entry["duration"] = stamp - started
    if rid:
        entry["rid"] = rid
    aws.client("dynamodb").put_item(TableName=aws.table_name(store.TABLE), Item=aws.to_wire(entry))
    _after(monitor_id, kind, now, old)
    return now


def _guards(kind: str, meta: dict, body: bytes) -> dict:
    """Checks the write makes on the way, so most pings never read the monitor:
    a body is classified by keywords, and a GET or HEAD ignored, only for the
    monitors that ask for it (the refusal returns the monitor to do so)."""
    return {
        "kw": bool(body) and kind in ("success", "fail"),
        "method": meta.get("method") in ("GET", "HEAD"),
    }


def write(monitor_id, ping, stamp, who) -> dict:
    """The ping's one conditional UpdateItem; the monitor as it was."""
    kind = ping["kind"]
    expression, values, limit = _update(ping, stamp)
    condition = _condition(who, values) + limit
    if ping["guards"].get("kw"):
        condition += " AND attribute_not_exists(kw)"
    if ping["guards"].get("method"):
        condition += " AND attribute_not_exists(methods)"
    names = {"ExpressionAttributeNames": {"#st": "status"}} if "#st" in expression else {}
    if kind == "fail":
        # An untold recovery is told first (ping_refusals), unless the monitor
        # is parked: nothing is told then, and resuming forgets the outage.
        values.update({":up": "up", ":yes": True, ":no": False})
        # Nor while recovering (fewer successes in a row than recovery_threshold):
        # the failure then continues the outage.
        # Nor when a window still holds the recovery back (ping_refusals saw
        # the hold on; the same hold, not one the checker released since).
        held = ""
        if ping.get("held_at") is not None:
            values[":held"], held = ping["held_at"], " OR held_at = :held"
        condition += (
            " AND (NOT (#st = :up AND attribute_exists(outage_start))"
            " OR paused = :yes OR #mon = :no OR ok_streak < recovery_threshold" + held + ")"
        )
        names["ExpressionAttributeNames"]["#mon"] = "monitor"
    reply = aws.client("dynamodb").update_item(
        TableName=aws.table_name(store.TABLE),
        Key=aws.to_wire(store.key(monitor_id)),
        UpdateExpression=expression,
        ConditionExpression=condition,
        ExpressionAttributeValues=aws.to_wire(values),
        ReturnValues="ALL_OLD",
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
        **names,
    )
    return aws.from_wire(reply["Attributes"])


def holds(item: dict, who: dict) -> bool:
    """Whether the ping's credential is good for the item (as _condition checks)."""
    if who["monitor_uuid"] is not None:
        return store.generation(item) == who["gen"]  # the UUID is the credential
    if who["given_key"]:
        group = str(item.get("group_digest", ""))
        shared = bool(group) and hmac.compare_digest(group, store.key_digest(who["given_key"]))
        return store.holds_key(item, who["given_key"]) or shared
    return item.get("require_key") is False


def _condition(who: dict, values: dict) -> str:
    """The monitor exists and the credential is its current one (or none is needed)."""
    if who["monitor_uuid"] is not None:
        values[":gen"] = Decimal(who["gen"])
        if who["gen"] == 1:  # monitors from before rotation have no key_gen
            return "attribute_exists(pk) AND (attribute_not_exists(key_gen) OR key_gen = :gen)"
        return "attribute_exists(pk) AND key_gen = :gen"
    if who["given_key"]:
        # The monitor's own key, or the shared key of its group.
        values[":kd"] = store.key_digest(who["given_key"])
        return "attribute_exists(pk) AND (key_digest = :kd OR group_digest = :kd)"
    values[":false"] = False
    return "attribute_exists(pk) AND require_key = :false"


def _after(monitor_id: str, kind: str, now: float, old: dict) -> None:
    """What a ping may owe after its write: news, a state flip, a run's deadline."""
    if news.is_news(kind, old):
        _tell_news(monitor_id, now, old)
        return
    parked = old.get("paused") or not old.get("monitor", True)
    if kind == "success" and not parked and old.get("status", "new") in UNSETTLED:
        from chalicelib.monitors import flips

        why = "first ping" if old.get("status", "new") == "new" else "pinged"
        flips.record(old, "up", now, why)
    if kind == "start" and old.get("max_runtime") is not None and not parked:
        due_index.look_by(store.key(monitor_id), now + float(old["max_runtime"]), now)
    elif old.get("flapping_since") is not None and kind in ("success", "fail") and not parked:
        from chalicelib.monitors import flapping

        # The write's due_at is the next deadline; a steady notice may come first.
        due_index.look_by(store.key(monitor_id), flapping.steady_at(old), now)


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


def _log_entry(monitor_id, now, stamp, old, ping, meta, body) -> dict:
    seq = int(old.get("pings", 0)) + 1
    entry = {
        "pk": store.log_pk(monitor_id, old),
        "sk": f"{clock.iso(clock.from_epoch(now))}#{seq:010d}",
        "t": stamp,
        "seq": seq,
        "kind": ping["kind"],
        "method": meta.get("method", ""),
        "source_ip": meta.get("source_ip", ""),
        "user_agent": (meta.get("user_agent") or "")[:500],
        **ping_bodies.stored(body[:BODY_LIMIT].decode("utf-8", errors="replace")),
        "body_bytes": len(body),
        "expires_at": int(now) + retention_days() * 86400,
    }
    if ping["exit_status"] is not None:
        entry["exit_status"] = ping["exit_status"]
    return entry


def retention_days() -> int:
    return int(os.environ.get("PING_LOG_RETENTION_DAYS", "90"))
