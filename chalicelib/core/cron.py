"""Cron expressions in a time zone: checked, and their instants.

Cron in a time zone. A cron expression names local wall times m (naive
datetimes). The expected instant of m is

    E(m) = the earliest UTC instant at which the local clock reads m or later.

So an ordinary m is its one instant; an m that happens twice (the hour
repeated when clocks go back) is expected at its FIRST occurrence only (a job
that ran then is not awaited again an hour later); an m that never happens
(skipped when clocks go forward, 02:30 in Europe/Berlin on the last Sunday of
March) is expected at the instant the clock jumps past it (03:00 local),
which is when cron daemons run such jobs: once, never twice, never not at
all. Several skipped wall times fall on that one instant, which counts once.

E is non-decreasing in m, so next_match(after) is E of the first match m with
E(m) > after. croniter starts at the local wall time of `after` (cut to the
minute) and steps on naive datetimes, so croniter's own DST handling is never
involved. Starting there never misses an instant: a match m at or before
local(after) has E(m) <= after, as the clock reads local(after) >= m at
`after` itself. So no look-back before `after` is needed, in any zone, even
after a transition. Matches after local(after) whose E is not yet later than
`after` (the rest of a repeated hour) are stepped over; that is at most the
matches within one DST shift.

E(m): convert m with fold=0 and fold=1. Equal instants: an ordinary time.
Else those that read back as m are its occurrences (take the first); if none
does, m is in a gap and E is the transition between the two instants, found
by a binary search on whole seconds.

croniter is imported lazily: the ping path imports chalicelib/monitors/schedule.py
(store.status), which imports this module, and pays for croniter only when a cron
monitor's time is computed. Pure functions of the expression, the zone and epoch seconds.
"""

import math
import re
from datetime import datetime
from functools import lru_cache

MAX_CRON_LENGTH = 100
ALIASES = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
FIELDS = (
    ("minute", "0-59"),
    ("hour", "0-23"),
    ("day-of-month", "1-31, L, nW"),
    ("month", "1-12 or jan-dec"),
    ("day-of-week", "0-7 or sun-sat, n#k, Ln"),
)
CRON_CHARS = re.compile(r"[0-9A-Za-z*,/#?@ \t-]+")
# croniter's hashed (H) and random (R) values: not a schedule anyone can read,
# and R would move at every evaluation.
HASHED = re.compile(r"[hr](\(.*\))?(/.*)?", re.IGNORECASE)
ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+){0,2}")
# Files zoneinfo would load that are not a place's time: the host's zone, an
# alias of a default, the "unknown zone" marker, leap-second variants.
NOT_ZONES = {"local", "localtime", "posixrules", "Factory"}
NOT_ZONE_PREFIXES = ("posix/", "right/")


@lru_cache(maxsize=1)
def _croniter():
    from croniter import croniter

    return croniter


def next_match(expression: str, tz: str, after) -> float:
    """The first expected instant of `expression` in zone `tz` strictly after `after`."""
    return next(instants(expression, tz, float(after)))


def instants(expression: str, tz: str, after: float):
    """The expected instants after `after`, each once, in order (see the docstring)."""
    zone = _zone(tz)
    start = _wall(after, zone).replace(second=0, microsecond=0)
    matches = _croniter()(expression, start)
    last = after
    while True:
        try:
            wall = matches.get_next(datetime)
        except ValueError as error:  # CroniterBadDateError: no match within 50 years
            raise ValueError(f"cron {expression!r} has no next match") from error
        instant = _expected(wall, zone)
        if instant > last:
            last = instant
            yield instant


def _zone(tz: str):
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(tz)
    except (KeyError, ValueError, OSError) as error:
        raise ValueError(f"unknown time zone {tz!r}") from error


def _wall(instant: float, zone) -> datetime:
    """The local clock's reading at `instant`, as a naive datetime."""
    return datetime.fromtimestamp(instant, zone).replace(tzinfo=None, fold=0)


def _expected(wall: datetime, zone) -> float:
    """E(wall): the earliest instant the local clock reads `wall` or later."""
    first = wall.replace(tzinfo=zone, fold=0).timestamp()
    second = wall.replace(tzinfo=zone, fold=1).timestamp()
    if first == second:
        return first
    real = [t for t in (first, second) if _wall(t, zone) == wall]
    if real:
        return min(real)
    # In a gap: before the jump the clock reads less than `wall`, from it on more.
    low, high = math.floor(min(first, second)), math.ceil(max(first, second))
    while high - low > 1:
        middle = (low + high) // 2
        if _wall(middle, zone) >= wall:
            high = middle
        else:
            low = middle
    return float(high)


def check_cron(expression) -> str:
    """The expression, stripped, if Herald can schedule it; else ValueError saying why."""
    if not isinstance(expression, str):
        raise ValueError("must be text")
    text = expression.strip()
    if not text:
        raise ValueError("empty (five fields such as '0 2 * * *', or @daily)")
    if len(text) > MAX_CRON_LENGTH:
        raise ValueError(f"too long (at most {MAX_CRON_LENGTH} characters)")
    if not CRON_CHARS.fullmatch(text):
        raise ValueError("may hold only letters, digits, spaces and * , - / # ?")
    if text.startswith("@"):
        if text.lower() not in ALIASES:
            raise ValueError(f"unknown alias {text!r} (known: {', '.join(ALIASES)})")
        return text
    fields = text.split()
    if len(fields) != len(FIELDS):
        raise ValueError(
            f"needs exactly 5 fields (minute hour day-of-month month day-of-week), "
            f"got {len(fields)}"
        )
    for index, field in enumerate(fields):
        _check_field(index, field)
    croniter = _croniter()
    try:
        croniter(text, datetime(2000, 1, 1)).get_next(datetime)
    except ValueError as error:
        if "find next date" in str(error):
            raise ValueError("never matches (no such date)") from None
        raise ValueError("not a cron expression croniter accepts") from None
    return text


def _check_field(index: int, field: str) -> None:
    name, allowed = FIELDS[index]
    if any(HASHED.fullmatch(part) for part in field.split(",")):
        raise ValueError(f"{name} field {field!r}: H and R (hashed, random) are not supported")
    probe = " ".join(field if i == index else "*" for i in range(len(FIELDS)))
    try:
        _croniter().expand(probe)
    except ValueError:
        raise ValueError(f"{name} field {field!r} is not valid ({allowed})") from None


def check_tz(name) -> str:
    """An IANA time zone name zoneinfo knows; else ValueError."""
    if not isinstance(name, str):
        raise ValueError("must be text")
    name = name.strip()
    if not name:
        raise ValueError("empty (an IANA time zone name such as Europe/Berlin)")
    if len(name) > 64:
        raise ValueError("too long (at most 64 characters)")
    refused = name in NOT_ZONES or name.startswith(NOT_ZONE_PREFIXES)
    if refused or not ZONE_NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not an IANA time zone name such as Europe/Berlin")
    try:
        _zone(name)
    except ValueError:
        raise ValueError(f"unknown time zone {name!r} (IANA names such as Europe/Berlin)") from None
    return name
