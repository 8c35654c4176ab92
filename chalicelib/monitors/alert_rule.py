"""The alert rule: what a monitor needs now, and when it next needs looking at.

Pure functions of a monitor item and the time, so the checker, the tests and
the property test against the original's rule all use the same code.

The original's rule, checked every loop for each user:
    late  = now - last_ping > max_sleep
    alert = late and (last_ping > last_email or now - last_email > email_frequency)
            (refresh_on_ping_restored, the default), or
    alert = late and now - last_email > email_frequency
            (without it).
Herald changes one thing, for a checker that runs once a minute rather than
in a tight loop: a reminder is due from last_email + email_frequency less
START_JITTER. The scheduler starts each run a little after its minute, by a
different amount each time, so the run five minutes after an alert may be
299.6 s after it; with the original's strict ">" that reminder (and every
one with exact minutes) waited for the next run, and 300 s became 6 min.
A monitor that never pinged is not alerted; `monitor: false` or paused never.
Besides silence there is news: a fail ping that opened an outage ("fail"),
and the first success after an alerted outage ("up", the recovery mail).
A ping settles its own news at once (is_news); the checker is the backstop.
"""

from dataclasses import dataclass

NEVER = float("-inf")
# How far a scheduled run's start may wander from one minute to the next.
START_JITTER = 5.0


def _f(value, default=None):
    return default if value is None else float(value)


def silent_alert_due(
    now: float,
    last_ping: float | None,
    last_alert: float | None,
    max_sleep: float,
    email_frequency: float,
    refresh: bool,
) -> bool:
    """The original's rule (last_alert None = never mailed), with a reminder due
    from last_alert + email_frequency - START_JITTER."""
    if last_ping is None:
        return False
    late = now - last_ping > max_sleep
    last_email = NEVER if last_alert is None else last_alert
    reminder = now - last_email >= email_frequency - START_JITTER
    if refresh:
        return late and (last_ping > last_email or reminder)
    return late and reminder


def silent_alert_time(
    last_ping: float | None,
    last_alert: float | None,
    max_sleep: float,
    email_frequency: float,
    refresh: bool,
) -> float | None:
    """The instant from which silent_alert_due may turn true (the checker's
    index finds it at that instant; silence itself must last longer)."""
    if last_ping is None:
        return None
    if last_alert is None or (refresh and last_ping > last_alert):
        return last_ping + max_sleep
    return max(last_ping + max_sleep, last_alert + email_frequency - START_JITTER)


def silent_due_at(item: dict) -> float | None:
    """silent_alert_time for a monitor item."""
    return silent_alert_time(
        _f(item.get("last_ping")),
        _f(item.get("last_alert")),
        float(item["max_sleep"]),
        float(item["email_frequency"]),
        bool(item.get("refresh_on_ping_restored", True)),
    )


@dataclass(frozen=True)
class Need:
    kind: str  # "down" (silence), "fail", "up" (recovery), "clear" (outage ended unmailed)


def need(item: dict, now: float) -> Need | None:
    """What the monitor needs at `now`, most urgent first."""
    if item.get("paused") or not item.get("monitor", True):
        return None
    last_alert = _f(item.get("last_alert"))
    mailed = NEVER if last_alert is None else last_alert
    if _f(item.get("fail_news_at"), NEVER) > mailed:
        return Need("fail")
    outage = _f(item.get("outage_start"))
    if outage is not None and item.get("status") == "up":
        return Need("up" if mailed >= outage else "clear")
    if silent_alert_due(
        now,
        _f(item.get("last_ping")),
        last_alert,
        float(item["max_sleep"]),
        float(item["email_frequency"]),
        bool(item.get("refresh_on_ping_restored", True)),
    ):
        return Need("down")
    return None


def next_look(item: dict, now: float) -> float | None:
    """When the checker should next look at the monitor (None: not until a ping)."""
    if item.get("paused") or not item.get("monitor", True):
        return None
    if item.get("outgoing") or need(item, now) is not None:
        return now
    return silent_due_at(item)


def is_news(kind: str, old: dict) -> bool:
    """Whether a ping may have made a notice due, judged from the monitor before it.

    A failure that opens an outage, a success that may end one, or a notice the
    checker left unfinished: the ping then settles the monitor itself, as the
    checker would (one more read and the claim), so its news goes out at once.
    Anything else (most pings) costs nothing more.
    """
    if kind not in ("success", "fail") or old.get("paused") or not old.get("monitor", True):
        return False
    if old.get("outgoing"):
        return True
    if kind == "fail":
        return old.get("status") != "down"
    return old.get("status") == "down" or old.get("outage_start") is not None


def recovery_untold(item: dict) -> bool:
    """Up again, but the outage is still open: its recovery is not settled yet.

    A failure landing now must not merge into that old outage (it would be
    taken for known news and never told): the recovery is settled first.
    """
    return item.get("status") == "up" and item.get("outage_start") is not None
