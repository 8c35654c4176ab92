"""The alert rule: what a monitor needs now, and when it next needs looking at.

Pure functions of a monitor item and the time, so the checker, the tests and
the property test against the original's rule all use the same code.

The original's rule, checked every loop for each user:
    late  = now - last_ping > max_sleep
    alert = late and (last_ping > last_email or now - last_email > email_frequency)
            (refresh_on_ping_restored, the default), or
    alert = late and now - last_email > email_frequency
            (without it).
A monitor that never pinged is not alerted; `monitor: false` or paused never.
Besides silence there is news: a fail ping that opened an outage ("fail"),
and the first success after an alerted outage ("up", the recovery mail).
"""

from dataclasses import dataclass

NEVER = float("-inf")


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
    """The original's rule, word for word (last_alert None = never mailed)."""
    if last_ping is None:
        return False
    late = now - last_ping > max_sleep
    last_email = NEVER if last_alert is None else last_alert
    if refresh:
        return late and (last_ping > last_email or now - last_email > email_frequency)
    return late and now - last_email > email_frequency


def silent_alert_time(
    last_ping: float | None,
    last_alert: float | None,
    max_sleep: float,
    email_frequency: float,
    refresh: bool,
) -> float | None:
    """The instant after which silent_alert_due turns true (it is strict)."""
    if last_ping is None:
        return None
    if last_alert is None or (refresh and last_ping > last_alert):
        return last_ping + max_sleep
    return max(last_ping + max_sleep, last_alert + email_frequency)


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
    return silent_alert_time(
        _f(item.get("last_ping")),
        _f(item.get("last_alert")),
        float(item["max_sleep"]),
        float(item["email_frequency"]),
        bool(item.get("refresh_on_ping_restored", True)),
    )
