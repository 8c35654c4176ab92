"""Time windows: maintenance and quiet hours (of monitors and channels), checked and queried.

Three shapes, each a JSON object:
- once:   {"start": ISO, "end": ISO}                    a one-off window
- cron:   {"cron": "0 2 * * sun", "duration": 3600, "tz": "Europe/Berlin"}
- weekly: {"days": "mon-fri", "from": "22:00", "to": "07:00", "tz": "Europe/Paris"}
A weekly window starts on each day named at `from` and ends at the next `to`
(the next day when `to` is not later); it is the cron shape "0 22 * * mon-fri"
with the duration between the two. Starts follow cron.py's rule for
local times (a start in a skipped hour begins at the jump); durations are
elapsed seconds, so a 22:00-07:00 window on a night the clocks change ends
at 06:00 or 08:00 local time, an hour early or late, once a season.

Pure functions of stored windows and epoch seconds, like cron.py.
"""

import re

from chalicelib.core.errors import Invalid

MAX_WINDOWS = 10
LONGEST = 31 * 86400  # a window longer than a month is no maintenance: pause it
SCAN_LIMIT = 10_000  # window starts looked at per question, at most
LOOKBACK = 8 * 86400  # how far back last_end looks for a window's end
_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_DAYS = re.compile(r"(mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))?")


def check(value, field: str) -> list[dict] | None:
    """The windows, checked and normalised (None or []: none); raises Invalid."""
    if value is None or value == []:
        return None
    if not isinstance(value, list) or len(value) > MAX_WINDOWS:
        raise Invalid.at(field, f"must be a list of at most {MAX_WINDOWS} windows")
    return [_one(window, f"{field}[{i}]") for i, window in enumerate(value)]


def _one(window, field: str) -> dict:
    if not isinstance(window, dict):
        raise Invalid.at(field, "must be an object (start/end, cron/duration or days/from/to)")
    shape = _shape(window, field)
    known = {"once": {"start", "end"}, "cron": {"cron", "duration", "tz"}}
    known["weekly"] = {"days", "from", "to", "tz"}
    unknown = sorted(set(window) - known[shape])
    if unknown:
        raise Invalid.at(f"{field}.{unknown[0]}", f"not a field of a {shape} window")
    if shape == "once":
        return _once(window, field)
    from chalicelib.core import cron as crons

    try:
        tz = crons.check_tz(window.get("tz", "UTC"))
    except ValueError as error:
        raise Invalid.at(f"{field}.tz", f"{error}") from None
    if shape == "weekly":
        return {**_weekly(window, field), "tz": tz}
    try:
        cron = crons.check_cron(window.get("cron"))
    except ValueError as error:
        raise Invalid.at(f"{field}.cron", f"{error}") from None
    duration = window.get("duration")
    if isinstance(duration, bool) or not isinstance(duration, int) or not 60 <= duration <= LONGEST:
        raise Invalid.at(f"{field}.duration", f"must be whole seconds from 60 to {LONGEST}")
    return {"cron": cron, "duration": duration, "tz": tz}


def _shape(window: dict, field: str) -> str:
    for shape, marker in (("once", "start"), ("cron", "cron"), ("weekly", "days")):
        if marker in window:
            return shape
    raise Invalid.at(field, "needs start and end, cron and duration, or days, from and to")


def _once(window: dict, field: str) -> dict:
    from chalicelib.core import clock, values

    start = values.instant(window.get("start"), f"{field}.start")
    end = values.instant(window.get("end"), f"{field}.end")
    if not start < end <= start + LONGEST:
        raise Invalid.at(f"{field}.end", f"must be after start, by at most {LONGEST // 86400} days")
    return {"start": clock.iso(clock.from_epoch(start)), "end": clock.iso(clock.from_epoch(end))}


def _weekly(window: dict, field: str) -> dict:
    days = window.get("days")
    parts = days.lower().replace(" ", "").split(",") if isinstance(days, str) else []
    if not parts or not all(_DAYS.fullmatch(part) for part in parts):
        raise Invalid(f'{field}.days: days such as "mon-fri" or "sat,sun", got {days!r:.40}')
    for end in ("from", "to"):
        if not (isinstance(window.get(end), str) and _HHMM.fullmatch(window[end])):
            raise Invalid(f'{field}.{end}: a local time "HH:MM", got {window.get(end)!r:.40}')
    if window["from"] == window["to"]:
        raise Invalid.at(f"{field}.to", "must differ from `from` (a whole day: use a cron window)")
    return {"days": ",".join(parts), "from": window["from"], "to": window["to"]}


def _recurring(window: dict) -> tuple[str, float, str]:
    """(cron, duration, tz) of a cron or weekly window."""
    if "cron" in window:
        return window["cron"], float(window["duration"]), window.get("tz", "UTC")
    (fh, fm), (th, tm) = (map(int, window[end].split(":")) for end in ("from", "to"))
    minutes = (th * 60 + tm - fh * 60 - fm) % 1440
    return f"{fm} {fh} * * {window['days']}", minutes * 60.0, window.get("tz", "UTC")


def _spans(window: dict, after: float, until: float):
    """(start, end) of the window's occurrences starting in (after, until]."""
    if "start" in window:
        from chalicelib.core import values

        start = values.instant(window["start"], "start")
        if after < start <= until:
            yield start, values.instant(window["end"], "end")
        return
    from chalicelib.core import cron as crons

    cron, duration, tz = _recurring(window)
    for count, start in enumerate(crons.instants(cron, tz, after)):
        if start > until or count >= SCAN_LIMIT:
            return
        yield start, start + duration


def _longest(window: dict) -> float:
    if "start" in window:
        from chalicelib.core import values

        return values.instant(window["end"], "end") - values.instant(window["start"], "start")
    return _recurring(window)[1]


def active(windows, now: float) -> tuple[float, float] | None:
    """The window around `now` (start <= now < end) that ends last, if any."""
    found = None
    for window in windows or ():
        for start, end in _spans(window, now - _longest(window), now):
            if end > now and (found is None or end > found[1]):
                found = (start, end)
    return found


def last_end(windows, after: float, now: float) -> float | None:
    """The latest end of a window that ended in (after, now], if any (one
    that ended more than LOOKBACK ago is not looked for)."""
    latest = None
    for window in windows or ():
        length = _longest(window)
        since = max(after, now - LOOKBACK) - length
        for _start, end in _spans(window, since, now - length):
            if after < end <= now and (latest is None or end > latest):
                latest = end
    return latest


def end_over(windows, since: float, until: float, now: float) -> float | None:
    """The latest end, by `now`, of a window over the span from `since` to
    `until` (it starts by `until` and ends after `since`), if any."""
    latest = None
    for window in windows or ():
        for _start, end in _spans(window, since - _longest(window), until):
            if since < end <= now and (latest is None or end > latest):
                latest = end
    return latest
