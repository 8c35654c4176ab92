"""Critical channels under a monitor's quiet hours: told at once.

A monitor's quiet hours hold its notices (policy.py) for every channel but
the critical ones (chalicelib/core/channels/quiet.py). Each look at the
monitor inside its quiet hours compares what its critical channels were told
(`live_told`: "down:<outage>" or "up:<outage>") with what its state calls
for, and tells them the difference: the alert of an outage, or its end. The
notices are the ones the claim would build, under the same ids, so when the
quiet hours end and the held notice goes out to the rest, a critical channel
is skipped (the claim records `critical_told`) and would anyway drop it as a
repeat. A snooze is no quiet hours: it holds critical channels too.

At least once: told, then recorded; a crash in between tells again under the
same ids, which each channel delivers once.
"""

from decimal import Decimal

from chalicelib.core import aws
from chalicelib.monitors import alert_rule, notices, policy, store


def outage(item: dict) -> str:
    """The key of the open (or opening) outage, as the claim will write it."""
    return str(item.get("outage_start", item.get("last_ping")))


def told_of(item: dict, notice: dict) -> bool:
    """Whether the critical channels already know what `notice` says."""
    told, key = item.get("live_told"), outage(item)
    return told == f"up:{key}" or (notice["kind"] != "up" and told == f"down:{key}")


def tell(item: dict, now: float) -> dict:
    """Tell the critical channels what quiet hours hold back; the monitor after."""
    if item.get("paused") or not item.get("monitor", True):
        return item
    if not policy.quiet_hours_on(item, now) or policy.maintenance_until(item, now):
        return item
    want, notice = _wanted(item, now)
    if want is None or want == item.get("live_told"):
        return item
    ids = _critical(item)
    if ids:
        from chalicelib.core.channels import telling

        monitor_id = item["pk"].removeprefix("MON#")
        telling.tell(notices.build(item, notice, monitor_id), ids)
    aws.conditional(
        aws.table(store.TABLE).update_item,
        Key={"pk": item["pk"], "sk": item["sk"]},
        UpdateExpression="SET live_told = :w",  # no revision: a claim in flight still lands
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues={":w": want},
    )
    return {**item, "live_told": want}


def _wanted(item: dict, now: float) -> tuple[str | None, dict | None]:
    """(what the critical channels should know, the notice that tells them)."""
    need = alert_rule._need(item, now)
    kind, key = need and need.kind, outage(item)
    seq = int(item.get("alert_seq", 0)) + 1
    notice = {
        "kind": kind,
        "seq": seq,
        "at": Decimal(f"{now:.6f}"),
        "last_ping": item.get("last_ping"),
    }
    if kind in policy.ALERTS:
        if kind == "fail":
            streak = int(item.get("fail_streak", 1))
            notice.update(fail_at=alert_rule.failed_at(item), streak=streak)
        elif kind == "long":
            notice["started"] = item["last_start"]
        return f"down:{key}", notice
    if kind in ("up", "clear") and item.get("live_told") == f"down:{key}":
        notice.update(recovery(item))
        return f"up:{key}", notice
    return None, None


def _critical(item: dict) -> list[str]:
    """The enabled critical channels the monitor tells (its own or the defaults)."""
    from chalicelib.core.channels import telling

    named = item.get("channels")
    records = telling.records(None if named is None else list(named))
    return [r["id"] for r in records if r.get("critical") and r.get("enabled", True)]


def recovery(item: dict) -> dict:
    """What an "up" notice says of the outage it ends (notices.py words it)."""
    return {
        "kind": "up",
        "outage_start": item["outage_start"],
        "down_since": item.get("down_since"),
        "first_fail_at": item.get("first_fail_at"),
    }
