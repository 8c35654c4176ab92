"""Fires each @app.schedule handler at the times its own expression gives.

EventBridge expressions are read from the app's registrations: rate(N unit)
and cron(minutes hours day-of-month month day-of-week year), in UTC.
"""

import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from croniter import croniter

_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]


def _cron_to_croniter(fields: str) -> str:
    minute, hour, dom, month, dow, _year = fields.split()
    # EventBridge numbers days 1-7 from Sunday; croniter 0-6. Names pass through.
    dow = re.sub(r"\d", lambda m: _DAYS[int(m.group()) - 1], dow)
    # "?" means "any" in EventBridge; "L" (last day) is left to croniter.
    return " ".join(f.replace("?", "*") for f in (minute, hour, dom, month, dow))


def next_time(expression: str, after: datetime, started: datetime) -> datetime:
    """The first firing strictly after `after` (rates count from `started`)."""
    rate = _RATE.fullmatch(expression)
    if rate:
        period = timedelta(seconds=int(rate.group(1)) * _UNITS[rate.group(2).rstrip("s")])
        periods = (after - started) // period + 1
        return started + periods * period
    cron = re.fullmatch(r"cron\((.+)\)", expression)
    if not cron:
        raise ValueError(f"unsupported schedule expression {expression!r}")
    return croniter(_cron_to_croniter(cron.group(1)), after).get_next(datetime)


class Scheduler:
    def __init__(
        self,
        expressions: dict[str, str],
        fire: Callable[[str], None],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.expressions = expressions
        self.fire = fire
        self.now = now
        self.stopped = threading.Event()
        self.started = now()
        self.due = {
            name: next_time(expr, self.started, self.started) for name, expr in expressions.items()
        }

    def run_pending(self) -> list[str]:
        """Fire every handler whose time has come; returns their names."""
        now = self.now()
        fired = []
        for name, when in sorted(self.due.items(), key=lambda item: item[1]):
            if when <= now:
                self.fire(name)
                fired.append(name)
                self.due[name] = next_time(self.expressions[name], now, self.started)
        return fired

    def run(self) -> None:
        while not self.stopped.is_set():
            self.run_pending()
            if self.due:
                wait = (min(self.due.values()) - self.now()).total_seconds()
            else:
                wait = 3600
            self.stopped.wait(max(0.05, min(wait, 1.0)))
