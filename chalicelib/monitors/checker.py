"""The checker (every minute): find the monitors that need attention, alert once.

It queries the sparse "due" index (due_index.py), every shard at once, for
due_at <= now + a minute, and reads in full those due now: only monitors
that may need something soon are read, however many healthy ones exist.
Those due now are handled here; those due within the minute are handed to
wake-ups at their deadlines (wakeups.py), with this checker as their backstop.

Each notice goes through three steps, so running twice (two checkers, a
retried invocation) sends one mail and a crash loses none:
1. claim: a conditional update on the monitor's revision records the alert
   and the notice as `outgoing`. A ping that landed after our read changed
   the revision, so the claim fails and the alert is cancelled.
2. hand the mails to the outbox with ids fixed by the notice (the outbox
   sends each id once; a fail or recovery ping that was news enqueued the
   same ids already, and the checker is its backstop).
3. finalize: remove `outgoing` and set the next due time. A checker that
   finds `outgoing` still set (a crash between 1 and 3) repeats 2 and 3.
"""

from decimal import Decimal

from chalicelib.core import aws, clock, events
from chalicelib.core.observability import count, logger
from chalicelib.monitors import (
    alert_rule,
    channels,
    dependencies,
    due_index,
    flapping,
    flips,
    intake,
    live,
    notices,
    policy,
    store,
)

# Needs that change the state but tell nobody (policy.py's, dependencies.py's).
SILENT = {"clear", "late", "maintenance", "hold", "blocked", "unblock", "intake"}
UNHELD = {"held_at": None, "held_by": None}
# What closing an outage nobody was told of writes.
CLOSED = {"outage_start": None, "recover_base": None, "fail_news_at": None, "down_since": None}
CLOSED["first_fail_at"] = None


def _d(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def due_items(now: float, ahead: float = 0) -> list[dict]:
    """The monitors due by now + ahead, read in full."""
    return due_index.items(due_index.entries(now, ahead)[0])


def run() -> dict:
    from chalicelib.monitors import wakeups  # not on the ping path, which imports this module

    now = clock.epoch()
    found, unread = due_index.entries(now, due_index.AHEAD)
    # First, while the delays counted from `now` are still exact.
    done = {"looked_at": 0, "notices": 0, "handed_off": wakeups.hand_off(found, now)}
    # The rest is a wake-up's, at its deadline.
    for item in due_index.items([entry for entry in found if float(entry["due_at"]) <= now]):
        done["looked_at"] += 1
        try:
            done["notices"] += process(item, now)
        except Exception:  # noqa: BLE001 - one bad monitor must not stop the others
            logger.exception("checking monitor failed", extra={"monitor": item.get("name")})
            count("MonitorCheckErrors")
    # The checker's own heartbeat: an alarm that is independent of it (infra/)
    # fires when complete runs stop, so a dead checker (or a shard it keeps
    # failing to read) cannot go unnoticed.
    if unread:
        count("MonitorShardsUnread", unread)
    else:
        count("MonitorCheckerRuns")
    intake.report(now)
    return {**done, "shards_unread": unread} if unread else done


def process(item: dict, now: float) -> int:
    """Handle one monitor read from the index; returns the notices sent."""
    sent = 0
    settled = False  # True once a claim or finalize has written the next due time
    if item.get("outgoing"):
        # A notice claimed but not finished (a crash, or a ping came first):
        # finish it, then go on with what else may be due (a recovery after it).
        _send(item, item["outgoing"])
        if not _finalize(item, item["outgoing"], now) or item["outgoing"]["kind"] == "down":
            return 1
        sent, settled = 1, True
        item = _without_outgoing(item)
    item = live.tell(item, now)  # critical channels ignore quiet hours
    # A failure, then its recovery, then a fresh silence can all be due: handle
    # them in turn. A silence alert is the last: its reminder is a later run's.
    for _ in range(4):
        need = _with_parent(item, alert_rule.need(item, now), now)
        if need is None:
            from chalicelib.monitors import wakeups

            if not settled and not wakeups.took_early(item, now):
                store.update_if_unchanged(item, _next(item, now), [])
            return sent
        claimed = _claim(item, need.kind, now)
        if claimed is None:
            return sent
        if need.kind not in SILENT:
            _send(claimed, claimed["outgoing"])
            if not _finalize(claimed, claimed["outgoing"], now) or need.kind == "down":
                return sent + 1
            sent += 1
        settled = True
        item = _without_outgoing(claimed) if need.kind not in SILENT else claimed
    return sent


def _with_parent(item: dict, need, now: float):
    """The need as the monitor's parent (depends_on) has it: one read, only
    for a child whose need would alert. A first silence Herald's own intake
    outage may explain is "intake": held (intake.py)."""
    if need is not None and need.kind == "down" and intake.explains(item, now):
        return alert_rule.Need("intake")
    if need is None or not item.get("depends_on"):
        return need
    kind = dependencies.apply(item, need.kind, now)
    return alert_rule.Need(kind) if kind else None


def _without_outgoing(item: dict) -> dict:
    """The monitor as _finalize left it (its write bumped the revision)."""
    done = {key: value for key, value in item.items() if key != "outgoing"}
    return {**done, "rev": item.get("rev", Decimal(0)) + 1}


def _next(item: dict, now: float) -> dict:
    when = alert_rule.next_look({**item, "outgoing": None}, now)
    return {"due_at": _d(when)} if when is not None else {"due_at": None}


def _claim(item: dict, kind: str, now: float) -> dict | None:
    """Record the notice on the monitor; the claimed state, or None if we lost."""
    if kind in SILENT:
        return _claim_silent(item, kind, now)
    seq = int(item.get("alert_seq", 0)) + 1
    notice = {"kind": kind, "seq": seq, "at": _d(now), "last_ping": item.get("last_ping")}
    sets = {"alert_seq": seq, "outgoing": notice, "due_at": _d(now), **UNHELD}
    if item.get("held_at") is not None and item.get("held_by") != "maintenance":
        notice["held_since"] = item["held_at"]  # told now, held by quiet hours since
        notice["critical_told"] = live.told_of(item, {"kind": kind.replace("summary", "up")})
    if kind in ("up", "summary"):
        notice.update(live.recovery(item), summary=kind == "summary")
        notice.update(flip_to="up", flip_at=item["last_ping"], flip_reason="recovered")
        sets.update(**CLOSED, reminders=None, live_told=None)
    elif kind == "steady":
        notice.update(flapping.steady_notice(item))
        sets.update(flapping.CLEARED)
    else:
        sets.update(_opening(item, kind, now, notice))
    if kind != "steady":
        sets.update(flapping.on_claim(item, notice, now))
    if not store.update_if_unchanged(item, sets, []):
        count("MonitorAlertsCancelled")
        return None
    claimed = {**item, **sets, "rev": item.get("rev", Decimal(0)) + 1}
    return {key: value for key, value in claimed.items() if value is not None}


def _opening(item: dict, kind: str, now: float, notice: dict) -> dict:
    """What a down, fail or long notice writes; the first of an outage flips it."""
    sets = {"last_alert": _d(now), "status": "down"}
    if kind == "fail" and item.get("status") == "up":
        # Told only after a success landed (its ping's telling died): up it stays,
        # or its recovery goes untold and the next failure joins this outage.
        del sets["status"]
    if kind == "fail":
        notice["fail_at"] = alert_rule.failed_at(item)
        notice["streak"] = int(item.get("fail_streak", 1))
        down_since, reason = notice["fail_at"], alert_rule.fail_reason(item)
    elif kind == "long":
        notice["started"] = item["last_start"]
        sets["runtime_told"] = item["last_start"]
        down_since, reason = _d(alert_rule.run_deadline(item)), "run too long"
    else:
        # A child unblocked (its parent back up) is down only after its own grace.
        down_at = policy.down_at(item, alert_rule.silence_from(item, now))
        down_since = _d(max(down_at, policy.unblocked_until(item)))
        reason = "missed deadline"
        if alert_rule.reminder(item):
            notice["reminder"] = sets["reminders"] = int(item.get("reminders", 0)) + 1
    sets["unblocked_at"] = None
    if kind != "fail":
        sets["ok_streak"] = None  # successes count from the outage on
        sets["recover_base"] = _d(now - float(item["max_sleep"]))
        sets["outage_start"] = item.get("outage_start", item.get("last_ping", down_since))
    if item.get("status") != "down" or kind == "fail":
        notice.update(flip_to="down", flip_at=down_since, flip_reason=reason)
        sets["down_since"] = item.get("down_since", down_since)
    sets["live_told"] = f"down:{sets.get('outage_start', item.get('outage_start'))}"
    return sets


def _claim_silent(item: dict, kind: str, now: float) -> dict | None:
    """ "clear" (an outage that ended before anyone was told), "late", or the
    policy's "maintenance" and "hold" (policy.py)."""
    if kind == "clear":
        sets = {**CLOSED, "reminders": None, **UNHELD}
        flip = ("up", float(item["last_ping"]), "recovered")
    elif kind in ("maintenance", "blocked"):
        sets = {**CLOSED, "status": kind, "reminders": None, **UNHELD}
        sets["runtime_told"] = item.get("last_start", item.get("runtime_told"))
        why = "maintenance window" if kind == "maintenance" else f"{item['depends_on']} is down"
        flip = None if item.get("status") == kind else (kind, now, why)
    elif kind == "unblock":
        sets, flip = {"unblocked_at": _d(now), "status": "late"}, None
    elif kind in ("hold", "intake"):
        sets, flip = _holding(item, now) if kind == "hold" else (intake.hold(item, now), None)
    else:
        sets = {"status": "late"}
        flip = ("late", alert_rule.late_since(item), "no ping when expected")
    after = {k: v for k, v in {**item, **sets}.items() if v is not None}
    if not store.update_if_unchanged(item, {**sets, **_next(after, now)}, []):
        return None
    if flip is not None:
        flips.record(item, *flip)
    return {**after, "rev": item.get("rev", Decimal(0)) + 1}


def _holding(item: dict, now: float) -> tuple[dict, tuple | None]:
    """What holding a notice in quiet hours writes: held_at, and the monitor
    down as the notice would have made it (its flip dated when it happened)."""
    raw = alert_rule._need(item, now).kind
    if raw not in ("down", "fail"):
        # A run too long or a recovery: told at the end (a recovery a maintenance
        # window holds, as an ordinary one: nothing was held from anybody).
        by = "maintenance" if policy.maintenance_until(item, now) else None
        return {"held_at": _d(now), "held_by": by}, None
    scratch: dict = {}
    sets = {**_opening(item, raw, now, scratch), "held_at": _d(now)}
    sets.pop("last_alert")  # nobody was told: the rule finds it due again after
    sets.pop("live_told")  # nor the critical channels (live.py tells them)
    sets.pop("reminders", None)
    flip = None
    if scratch.get("flip_to"):
        flip = ("down", float(scratch["flip_at"]), scratch["flip_reason"])
    return sets, flip


def _send(item: dict, notice: dict) -> None:
    monitor_id = item["pk"].removeprefix("MON#")
    told = notices.build(item, notice, monitor_id)
    if notice.get("flip_to"):
        # Written again with the notice after a crash: the same flip, once.
        flips.record(item, notice["flip_to"], float(notice["flip_at"]), notice["flip_reason"])
    kind = "flapping" if notice.get("flapping") else notice["kind"]
    if notice.get("muted"):
        logger.info("monitor notice muted: flapping", extra={"monitor": item["name"], "kind": kind})
        count("MonitorNoticeMuted")
        return
    channels.deliver(item, told, skip_critical=bool(notice.get("critical_told")))
    logger.info("monitor notice", extra={"monitor": item["name"], "kind": kind})
    count(f"MonitorNotice{kind.capitalize()}")
    events.emit(
        f"monitor.{kind}",
        item["name"],
        {
            "monitor": item["name"],
            "notice": int(notice["seq"]),
            "last_ping": _iso(notice.get("last_ping")),
            "recipients": len(item["recipients"]),
        },
        # A crashed run's notice is sent again by the next run: same event id.
        event_id=told.id,
    )


def _iso(epoch) -> str | None:
    return None if epoch is None else clock.iso(clock.from_epoch(float(epoch)))


def _finalize(item: dict, notice: dict, now: float) -> bool:
    """True when the monitor is as we left it (so we may go on with it)."""
    settled = {**item, "outgoing": None}
    sets = {"outgoing": None, **_next(settled, now)}
    if store.update_if_unchanged(
        item, sets, [], " AND outgoing.seq = :seq", {":seq": notice["seq"]}
    ):
        return True
    # A ping (or another change) landed after the claim: drop `outgoing` only
    # and let the next run work out the due time from the new state.
    aws.conditional(
        aws.table(store.TABLE).update_item,
        Key={"pk": item["pk"], "sk": item["sk"]},
        UpdateExpression="REMOVE outgoing SET due_at = :now",
        ConditionExpression="outgoing.seq = :seq",
        ExpressionAttributeValues={":seq": notice["seq"], ":now": _d(now)},
    )
    # None: another checker finished this notice already.
    return False
