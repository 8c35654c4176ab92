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

Simple and cron schedules (schedule.py) use the same rule with "late" read
as "past down_at" (the expected ping plus its grace) and no reminders unless
email_frequency is set; max_sleep monitors go through the original's
functions above unchanged. Two needs tell nobody: "late" (past the expected
ping, within grace: recorded as a flip) and "clear". A run past max_runtime
is "long", an outage like a failure.
"""

from dataclasses import dataclass

from chalicelib.monitors import flapping, policy

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


def _kind(item: dict) -> str:
    return item.get("schedule_kind") or "max_sleep"


def reminder(item: dict) -> bool:
    """Whether a silence alert now would be a reminder (told down in this outage)."""
    return item.get("status") == "down" and policy._told(item)


def _refreshing(item: dict) -> bool:
    """refresh_on_ping_restored: a ping after the last alert lets a new silence
    alert at once. Not while the outage told is still open (a failure ping
    during it, or successes below recovery_threshold): then only reminders."""
    if not item.get("refresh_on_ping_restored", True) or policy.recovering(item):
        return False
    return not reminder(item)


def silence_from(item: dict, now: float | None) -> float | None:
    last_ping = _f(item.get("last_ping"))
    return None if last_ping is None else policy.base(item, last_ping, now)


def _silence(item: dict) -> float:
    """The seed's max_sleep, once per missed ping the threshold allows."""
    return float(item["max_sleep"]) * int(item.get("failure_threshold") or 1)


def silent_due_at(item: dict, now: float | None = None) -> float | None:
    """silent_alert_time for a monitor item, whatever its schedule kind."""
    due = _silent_due_at(item, now)
    return None if due is None else max(due, policy.unblocked_until(item))


def _silent_due_at(item: dict, now: float | None) -> float | None:
    if reminder(item) and not policy.reminders_left(item):
        return None
    last_ping = silence_from(item, now)
    refresh, last_alert = _refreshing(item), _f(item.get("last_alert"))
    if _kind(item) == "max_sleep":
        return silent_alert_time(
            last_ping, last_alert, _silence(item), float(item["email_frequency"]), refresh
        )
    if last_ping is None:
        return None
    down = policy.down_at(item, last_ping)
    if last_alert is None or (refresh and last_ping > last_alert):
        return down
    every = _f(item.get("email_frequency"))
    return None if every is None else max(down, last_alert + every - START_JITTER)


def _silent_due(item: dict, now: float) -> bool:
    """The silence rule: the original's for max_sleep, its like for the others."""
    if (reminder(item) and not policy.reminders_left(item)) or now <= policy.unblocked_until(item):
        return False
    last_ping, last_alert = silence_from(item, now), _f(item.get("last_alert"))
    refresh = _refreshing(item)
    if _kind(item) == "max_sleep":
        every = float(item["email_frequency"])
        return silent_alert_due(now, last_ping, last_alert, _silence(item), every, refresh)
    if last_ping is None:
        return False
    if not now > policy.down_at(item, last_ping):
        return False
    last_email = NEVER if last_alert is None else last_alert
    every = _f(item.get("email_frequency"))
    again = every is not None and now - last_email >= every - START_JITTER
    return (last_ping > last_email or again) if refresh else again


def late_since(item: dict) -> float | None:
    """When an up monitor of a simple or cron schedule turns late (None: never)."""
    last_ping = _f(item.get("last_ping"))
    if _kind(item) == "max_sleep" or item.get("status") != "up" or last_ping is None:
        return None
    from chalicelib.monitors import schedule

    return schedule.late_at(item, last_ping)


def failed_at(item: dict):
    """When the failure a "fail" notice tells happened: the outage's first failure
    (fail_news_at is the outage's start, a success when a held silence opened it)."""
    return max(item["fail_news_at"], item.get("first_fail_at", item["fail_news_at"]))


def fail_reason(item: dict) -> str:
    """Why a failure's flip says the monitor went down."""
    code = item.get("last_exit")
    return "fail ping" if code is None else f"exit status {int(code)}"


def run_deadline(item: dict) -> float | None:
    """When the run in progress has run too long (None: no run, no limit, or told)."""
    start, limit = _f(item.get("last_start")), _f(item.get("max_runtime"))
    if start is None or limit is None or _f(item.get("runtime_told")) == start:
        return None
    return start + limit


@dataclass(frozen=True)
class Need:
    # "down" (silence), "fail", "long" (a run too long), "up" (recovery),
    # "clear" (outage ended unmailed), "late" (overdue, within its grace: no notice);
    # the policy's: "maintenance", "hold" (tell no one yet), "summary" (of a held outage)
    kind: str


def need(item: dict, now: float) -> Need | None:
    """What the monitor needs at `now`, most urgent first, as the policy has it."""
    if item.get("paused") or not item.get("monitor", True):
        return None
    found = _need(item, now)
    kind = found and policy.apply(item, found.kind, now)
    return Need(kind) if kind else None


def _need(item: dict, now: float) -> Need | None:
    last_alert = _f(item.get("last_alert"))
    mailed = NEVER if last_alert is None else last_alert
    if _f(item.get("fail_news_at"), NEVER) > mailed and policy.failed_enough(item):
        if not _held_and_over(item):
            return Need("fail")
    outage = _f(item.get("outage_start"))
    if outage is not None and item.get("status") == "up":
        if mailed < outage:
            return Need("clear")
        if not policy.recovering(item):
            return Need("up")
    if _silent_due(item, now):
        return Need("down")
    runtime = run_deadline(item)
    if runtime is not None and now >= runtime and item.get("status") != "down":
        return Need("long")
    if flapping.steady_due(item, now):
        return Need("steady")
    late = late_since(item)
    if late is not None and now > late:
        return Need("late")
    return None


def _held_and_over(item: dict) -> bool:
    """A failure held in quiet hours, and the monitor recovered since: what
    is left to tell is the summary of the held outage (the "clear" below)."""
    up = item.get("status") == "up" and not policy.recovering(item)
    return item.get("held_at") is not None and up


def next_look(item: dict, now: float) -> float | None:
    """When the checker should next look at the monitor (None: not until a ping)."""
    if item.get("paused") or not item.get("monitor", True):
        return None
    if item.get("outgoing") or need(item, now) is not None:
        return now
    times = [silent_due_at(item, now), late_since(item), run_deadline(item)]
    times.append(flapping.steady_at(item))
    times = [when for when in times if when is not None]
    soonest = min(times) if times else None
    if _need(item, now) is not None:
        # Due, but the policy holds it back (a maintenance or quiet window):
        # look again when the window ends.
        return policy.held_until(item, now) or soonest
    return soonest


def recovery_untold(item: dict) -> bool:
    """Up again, but the outage is still open: its recovery is not settled yet.

    A failure landing now must not merge into that old outage (it would be
    taken for known news and never told): the recovery is settled first.
    """
    parked = item.get("paused") or not item.get("monitor", True)
    untold = item.get("status") == "up" and item.get("outage_start") is not None
    return not parked and untold and not policy.recovering(item)


def recovery_held(item: dict, now: float) -> bool:
    """Whether a window still holds the untold recovery back: a failure now
    continues the outage, as nobody heard of its end. Once the window is over
    the recovery is told first, though the checker has not released it yet."""
    return item.get("held_at") is not None and policy.held_until(item, now) is not None
