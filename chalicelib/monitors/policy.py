"""The alert policy: what maintenance, quiet hours and a reminder limit make
of the need the alert rule found (alert_rule.need asks here last).

- Maintenance (`maintenance` windows): a missed deadline, a failure or a run
  too long inside a window is "maintenance": the state says so, the outage
  is closed, nobody is told. Silence is counted from the window's end, so
  after it the monitor has a whole period (and its grace) before it can be
  down: a job that could not run inside the window is not alerted the
  second the window closes.
- Quiet hours (`quiet_hours` windows, and a snooze: `snoozed_until`): any
  notice due inside is "hold": the monitor records `held_at` (and the state
  flip, when it goes down) and tells nobody. When the window ends the need is
  found again: still down, the alert goes out saying since when it was held;
  recovered meanwhile, one "up" summary of the held outage (or, with
  `quiet_summary: false`, nothing).
- Reminders (`realert_every`/`email_frequency`) stop after `realert_limit`
  of them in one outage (`reminders` counts them).

Pure functions of the monitor item and the time, like alert_rule.
"""

ALERTS = ("down", "fail", "long")
NOTICES = (*ALERTS, "up")


def _windows():
    from chalicelib.monitors import windows

    return windows


def quiet_until(item: dict, now: float) -> float | None:
    """The end of the quiet time `now` is in (quiet hours or a snooze), if any."""
    ends = []
    snoozed = item.get("snoozed_until")
    if snoozed is not None and float(snoozed) > now:
        ends.append(float(snoozed))
    if item.get("quiet_hours"):
        window = _windows().active(item["quiet_hours"], now)
        if window is not None:
            ends.append(window[1])
    return max(ends) if ends else None


def maintenance_until(item: dict, now: float) -> float | None:
    if not item.get("maintenance"):
        return None
    window = _windows().active(item["maintenance"], now)
    return None if window is None else window[1]


def base(item: dict, last_ping: float, now: float | None) -> float:
    """Where silence is counted from: the last ping, or a later maintenance end."""
    if now is None or not item.get("maintenance"):
        return last_ping
    ended = _windows().last_end(item["maintenance"], last_ping, now)
    return last_ping if ended is None else max(last_ping, ended)


def apply(item: dict, kind: str, now: float) -> str | None:
    """The need `kind` as the policy has it: itself, maintenance, hold,
    summary, or None (held back)."""
    if kind in ALERTS and maintenance_until(item, now) is not None:
        # A failure or run landing in the window is news to record; a silence
        # already recorded as maintenance is not.
        fresh = kind != "down" or item.get("status") != "maintenance"
        return "maintenance" if fresh else None
    held = item.get("held_at") is not None
    if kind in NOTICES or (kind == "clear" and held):
        if quiet_until(item, now) is not None:
            return None if held else ("hold" if kind != "clear" else None)
    if kind == "clear" and held and item.get("quiet_summary") is not False:
        return "summary"
    return kind


def reminders_left(item: dict) -> bool:
    limit = item.get("realert_limit")
    return limit is None or int(item.get("reminders", 0)) < int(limit)


def held_until(item: dict, now: float) -> float | None:
    """When a need the policy holds back may go out: the window's end."""
    return maintenance_until(item, now) or quiet_until(item, now)
