"""When a monitor's next ping is expected, for the three schedule kinds.

Pure functions: times are float epoch seconds (UTC), nothing here reads the
clock or DynamoDB. The kinds (the contract in rules.py says what is stored):

- max_sleep (the seed's, also an absent schedule_kind): late and down once
  `max_sleep` seconds pass without a ping.
- simple: late after last_ping + timeout, down after + timeout + grace.
- cron: late from the first expected instant after the last ping, down after
  that instant + grace. The alert rule is strict: down when now > down_at.

Cron instants in a time zone (DST included) come from chalicelib/core/cron.py.
"""

import math

# check_cron, check_tz and instants are also schedule's: rules.py and the tests use them here.
from chalicelib.core.cron import check_cron, check_tz, instants, next_match  # noqa: F401

DEFAULT_GRACE = 3600
DEFAULT_TIMEOUT = 86400
MAX_COUNT = 10_000


def kind(item: dict) -> str:
    named = item.get("schedule_kind") or "max_sleep"
    if named not in ("max_sleep", "simple", "cron"):
        raise ValueError(f"unknown schedule kind {named!r}")
    return named


def _seconds(item: dict, field: str) -> float:
    default = {"grace": DEFAULT_GRACE, "timeout": DEFAULT_TIMEOUT}.get(field)
    value = item.get(field)
    return float(default if value is None else value)


def _tz(item: dict) -> str:
    return item.get("tz") or "UTC"


def late_at(item: dict, last_ping) -> float:
    """From when the monitor is late: the next expected ping."""
    last_ping = float(last_ping)
    which = kind(item)
    if which == "cron":
        return next_match(item["schedule"], _tz(item), last_ping)
    return last_ping + _seconds(item, "timeout" if which == "simple" else "max_sleep")


def down_at(item: dict, last_ping) -> float:
    """After which the monitor is down (now > down_at)."""
    last_ping = float(last_ping)
    which = kind(item)
    if which == "max_sleep":
        return last_ping + _seconds(item, "max_sleep")
    return late_at(item, last_ping) + _seconds(item, "grace")


def expected_between(item: dict, start, end, limit: int = MAX_COUNT) -> int:
    """How many expected pings fall in (start, end]; cron counts stop at limit."""
    start, end = float(start), float(end)
    if end <= start:
        return 0
    which = kind(item)
    if which != "cron":
        period = _seconds(item, "timeout" if which == "simple" else "max_sleep")
        # max_sleep may be 0 (always overdue): as many as a cron count may be.
        return math.floor((end - start) / period) if period > 0 else limit
    count = 0
    for instant in instants(item["schedule"], _tz(item), start):
        if instant > end or count >= limit:
            break
        count += 1
    return count


def describe(item: dict) -> str:
    """The schedule in a few words, for people."""
    which = kind(item)
    if which == "max_sleep":
        return f"no ping for over {span(_seconds(item, 'max_sleep'))}"
    grace = span(_seconds(item, "grace"))
    if which == "simple":
        return f"every {span(_seconds(item, 'timeout'))}, grace {grace}"
    expression = item.get("schedule")
    return f"{_cron_words(expression)} {_tz(item)} (cron {expression}), grace {grace}"


def _cron_words(expression: str) -> str:
    """ "every day at 02:00", "at 09:30, Monday through Friday" (cron-descriptor)."""
    from cron_descriptor import ExpressionDescriptor, Options
    from croniter import croniter

    fields = str(expression).split()
    if len(fields) == 1:  # @daily and the like
        fields = [str(field) for field in croniter(expression).expressions]
    options = Options()
    options.use_24hour_time_format = True
    try:
        words = ExpressionDescriptor(" ".join(fields), options).get_description()
    except Exception:  # a schedule croniter takes but the describer does not: say it plainly
        return "on its cron schedule"
    if fields[2:5] == ["*", "*", "*"] and words.startswith("At ") and ":" in words:
        words = "every day a" + words[1:]
    return words[0].lower() + words[1:]


def span(seconds) -> str:
    """A duration as days, h, min and s: 5400 -> '1 h 30 min'."""
    left = round(float(seconds))
    parts = []
    for size, one, many in ((86400, "day", "days"), (3600, "h", "h"), (60, "min", "min")):
        count, left = divmod(left, size)
        if count:
            parts.append(f"{count} {one if count == 1 else many}")
    if left or not parts:
        parts.append(f"{left} s")
    return " ".join(parts)
