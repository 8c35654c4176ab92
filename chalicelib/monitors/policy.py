"""The alert policy: what maintenance, quiet hours and a reminder limit make
of the need the alert rule found (alert_rule.need asks here last).

- Maintenance (`maintenance` windows, and its tags'): a missed deadline, a failure or a run
  too long inside a window is "maintenance": the state says so, the outage
  is closed, nobody is told. A window that took the deadline, or part of the
  grace before it (the job was expected inside), restarts the silence count
  at its end: a job that could not run inside it is not alerted the second
  it closes. A window the deadline did not fall in moves nothing, or a
  window more frequent than the job would postpone a dead job forever; and
  at most MAX_POSTPONED windows in a row postpone one silence.
- Quiet hours (`quiet_hours` windows, and a snooze: `snoozed_until`): any
  notice due inside is "hold": the monitor records `held_at` (and the state
  flip, when it goes down) and tells nobody. When the window ends the need is
  found again: still down, the alert goes out saying since when it was held;
  recovered meanwhile, one "up" summary of the held outage (or, with
  `quiet_summary: false`, nothing).
- Reminders (`realert_every`/`email_frequency`) stop after `realert_limit`
  of them in one outage (`reminders` counts them).
- Thresholds: `failure_threshold` N (default 1) fail pings in a row
  (`fail_streak`, counted by the ping's write) before a failure is told, or
  N expected pings missed in a row before silence is; `recovery_threshold`
  M successes in a row (`ok_streak`) before an outage is over. Until then a
  monitor is "failing" (not told yet) or still down ("recovering").

Pure functions of the monitor item and the time, like alert_rule.
"""

ALERTS = ("down", "fail", "long")
NOTICES = (*ALERTS, "up", "steady")
# A job expected inside every window would otherwise never be down.
MAX_POSTPONED = 3


def _windows():
    from chalicelib.core import windows

    return windows


def quiet_until(item: dict, now: float) -> float | None:
    """The end of the quiet time `now` is in (quiet hours or a snooze), if any."""
    ends = []
    snoozed = item.get("snoozed_until")
    if snoozed is not None and float(snoozed) > now:
        ends.append(float(snoozed))
    if quiet_hours_on(item, now):
        ends.append(_windows().active(item["quiet_hours"], now)[1])
    return max(ends) if ends else None


def quiet_hours_on(item: dict, now: float) -> bool:
    """Inside one of the monitor's quiet_hours windows (a snooze is not one)."""
    return bool(item.get("quiet_hours")) and _windows().active(item["quiet_hours"], now) is not None


def maintenance(item: dict) -> list:
    """The monitor's own maintenance windows and its tags' (tag_windows.py)."""
    return [*(item.get("maintenance") or ()), *(item.get("tag_maintenance") or ())]


def maintenance_until(item: dict, now: float) -> float | None:
    if not maintenance(item):
        return None
    window = _windows().active(maintenance(item), now)
    return None if window is None else window[1]


def intake_held_until(item: dict) -> float | None:
    """The end of the intake outage this silence's alert was held for (intake.py)."""
    held, last_ping = item.get("intake_base"), item.get("last_ping")
    if held is None or (last_ping is not None and float(last_ping) >= float(held)):
        return None
    return float(held)


def base(item: dict, last_ping: float, now: float | None) -> float:
    """Where silence is counted from: the last ping, or the end of a maintenance
    window (ended by `now`) over the deadline counted from there or its grace,
    or the end of an intake outage that held the alert (intake.py)."""
    held = item.get("intake_base")
    since = last_ping if held is None else max(last_ping, float(held))
    if now is None or not maintenance(item):
        return since
    for _ in range(MAX_POSTPONED):
        expected, deadline = deadlines(item, since)
        ended = _windows().end_over(maintenance(item), expected, deadline, now)
        if ended is None:
            break
        since = ended  # the window's end is later than the expected ping: progress
    return since


def apply(item: dict, kind: str, now: float) -> str | None:
    """The need `kind` as the policy has it: itself, maintenance, hold,
    summary, or None (held back)."""
    if kind in NOTICES and maintenance_until(item, now) is not None:
        # Nothing is told inside the window. A failure or run landing in it is
        # news to record; a silence recorded as maintenance already is not; an
        # outage told before it began stays open (a reminder or its recovery is
        # told at the window's end).
        told = item.get("status") == "down" and _told(item)
        fresh = kind != "down" or item.get("status") != "maintenance"
        if kind in ALERTS and fresh and not told:
            return "maintenance"
        # A told outage's recovery waits for the window's end, held (held_at)
        # so that a failure meanwhile continues that outage, as in quiet hours.
        return "hold" if kind == "up" and item.get("held_at") is None else None
    if kind == "fail" and _held_through_window(item, now):
        # The window took the held failure, as a check inside it would have
        # (the checker does not look at a held monitor before its hold ends).
        return "maintenance"
    held = item.get("held_at") is not None
    if kind in NOTICES or (kind == "clear" and held):
        if quiet_until(item, now) is not None:
            return None if held else ("hold" if kind != "clear" else None)
    if kind == "clear" and held and item.get("quiet_summary") is not False:
        return "summary"
    return kind


def _held_through_window(item: dict, now: float) -> bool:
    """Whether a maintenance window ended (by `now`) after the notice was held
    in quiet hours and after the latest failure. A failure outside any window,
    or after the last one, is told: only held ones are checked at all."""
    held = item.get("held_at")
    if held is None or not maintenance(item):
        return False
    since = float(held)
    if item.get("fail_streak") and item.get("last_ping") is not None:
        since = max(since, float(item["last_ping"]))  # the last ping was a failure
    return _windows().last_end(maintenance(item), since, now) is not None


def _told(item: dict) -> bool:
    """Whether anyone was told of the open outage."""
    alerted, outage = item.get("last_alert"), item.get("outage_start")
    return alerted is not None and (outage is None or float(alerted) >= float(outage))


def reminders_left(item: dict) -> bool:
    limit = item.get("realert_limit")
    return limit is None or int(item.get("reminders", 0)) < int(limit)


def held_until(item: dict, now: float) -> float | None:
    """When a need the policy holds back may go out: the window's end."""
    return maintenance_until(item, now) or quiet_until(item, now)


def _threshold(item: dict, field: str) -> int:
    return int(item.get(field) or 1)


def threshold_above_one(item: dict) -> bool:
    return _threshold(item, "failure_threshold") > 1


def failed_enough(item: dict) -> bool:
    """Whether the fail pings in a row reach failure_threshold."""
    return int(item.get("fail_streak", 1)) >= _threshold(item, "failure_threshold")


def recovering(item: dict) -> bool:
    """Up again after an outage, with fewer successes in a row than recovery_threshold."""
    needed = _threshold(item, "recovery_threshold")
    if needed == 1 or item.get("outage_start") is None or item.get("status") != "up":
        return False
    return int(item.get("ok_streak", 0)) < needed


def down_at(item: dict, since: float) -> float:
    """After which silence since `since` is down: the failure_threshold-th
    expected ping missed, past its grace (schedule.down_at is the first)."""
    return deadlines(item, since)[1]


def deadlines(item: dict, since: float) -> tuple[float, float]:
    """(the failure_threshold-th expected ping after `since`, down_at): the
    grace between them is the job's last chance (none for max_sleep)."""
    from chalicelib.monitors import schedule

    expected = since
    for _ in range(_threshold(item, "failure_threshold") - 1):
        expected = schedule.late_at(item, expected)
    return schedule.late_at(item, expected), schedule.down_at(item, expected)


def unblocked_until(item: dict) -> float:
    """Until when a child just unblocked (its parent up again) may not be down:
    its own grace from then (dependencies.py)."""
    since = item.get("unblocked_at")
    if since is None:
        return float("-inf")
    grace = item.get("grace") if item.get("grace") is not None else item.get("max_sleep", 0)
    return float(since) + float(grace)
