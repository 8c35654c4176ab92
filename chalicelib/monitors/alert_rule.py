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
A ping mails its news at once (ping_news); the checker is the backstop.
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


def ping_news(kind: str, old: dict, at) -> dict | None:
    """The notice a ping is news for, judged from the monitor as it was before it.

    The same notice the checker would claim from the state the ping leaves
    (need() says "fail" or "up"), so both hand the outbox the same mail ids.
    """
    if kind not in ("success", "fail") or old.get("paused") or not old.get("monitor", True):
        return None
    if old.get("outgoing"):
        return None  # a notice the checker has not finished yet must go out first
    outage = _f(old.get("outage_start"))
    if kind == "fail":
        if outage is not None:
            return None  # the outage is already known: not news
        return {"kind": "fail", "at": at, "last_ping": at, "fail_at": at}
    mailed = _f(old.get("last_alert"), NEVER)
    fail_pending = _f(old.get("fail_news_at"), NEVER) > mailed
    if outage is None or old.get("status") != "down" or mailed < outage or fail_pending:
        return None  # no alerted outage to end, or the checker must mail the failure first
    return {"kind": "up", "at": at, "last_ping": at, "outage_start": old["outage_start"]}
