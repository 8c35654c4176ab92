"""The 90-day bars: one cell per UTC day (up, some downtime, down, no data), from flips.

No I/O here: the monitors page reads every monitor's flips of the window in
one paged Query (flips.every_monitor_since), a monitor's page its own.

A flip before the window is not read, so the state the window opens with is
inferred from the first flip inside it: a recovery ("up", "recovered") means
the monitor was down; a flip to down or late means it was up. Without flips
in the window the monitor's stored state held throughout. Days before the
monitor was created, and time paused, new (no ping yet), blocked or in
maintenance, are "no data": nobody expected pings then.
"""

from datetime import UTC, datetime, timedelta

DAYS = 90
_DOWN, _UP, _NONE = "down", "up", "none"
_AS = {"down": _DOWN, "up": _UP, "new": _NONE, "paused": _NONE, "maintenance": _NONE}
_AS |= {"blocked": _NONE}


def window_start(now: float, count: int = DAYS) -> float:
    today = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return (today - timedelta(days=count - 1)).timestamp()


def cells(item: dict, entries: list[dict], now: float, count: int = DAYS) -> list[dict]:
    """count cells, oldest first: {"day", "state", "down_seconds", "known_seconds"}."""
    start = window_start(now, count)
    spans = _spans(item, sorted(entries, key=lambda e: float(e["t"])), start, now)
    result = []
    for index in range(count):
        low = start + index * 86400
        high = min(low + 86400, now)
        down = known = 0.0
        for begin, end, state in spans:
            overlap = min(end, high) - max(begin, low)
            if overlap > 0 and state != _NONE:
                known += overlap
                down += overlap if state == _DOWN else 0.0
        day = datetime.fromtimestamp(low, UTC).date().isoformat()
        result.append(
            {
                "day": day,
                "state": _state(down, known),
                "down_seconds": round(down),
                "known_seconds": round(known),
            }
        )
    return result


def _state(down: float, known: float) -> str:
    if known <= 0:
        return _NONE
    if down <= 0:
        return "up"
    return "down" if down >= known - 1 else "some"


def _spans(item: dict, entries: list[dict], start: float, now: float) -> list[tuple]:
    """(begin, end, state) pieces covering the window."""
    created = _created(item)
    state = _opening(item, entries)
    begin = max(start, created)
    spans = [] if created <= start else [(start, created, _NONE)]
    for entry in entries:
        at = float(entry["t"])
        new = _AS.get(entry["status"], _NONE)
        if entry["status"] == "late":
            new = state  # late while down stays down, while up stays up
        if at > begin:
            spans.append((begin, at, state))
            begin = at
        state = new
    spans.append((begin, max(begin, now), state))
    return spans


def _opening(item: dict, entries: list[dict]) -> str:
    if not entries:
        if item.get("paused"):
            return _NONE
        return _DOWN if item.get("status") == "down" else _AS.get(item.get("status", "new"), _UP)
    first = entries[0]
    if first["status"] == "up" and first.get("reason") == "recovered":
        return _DOWN
    if first["status"] in ("down", "late"):
        return _UP
    if first["status"] == "new" or first.get("reason") in ("first ping", "resumed"):
        return _NONE  # created, or waiting for its first ping: nobody expected one
    return _UP


def _created(item: dict) -> float:
    value = item.get("created_at")
    if not value:
        return 0.0
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def uptime(cells_: list[dict]) -> float | None:
    """Percent of the known time up over the cells (None when nothing is known)."""
    known = sum(cell["known_seconds"] for cell in cells_)
    if not known:
        return None
    down = sum(cell["down_seconds"] for cell in cells_)
    return round(100.0 * (1 - down / known), 2)


def runs(cells_: list[dict]) -> list[dict]:
    """Neighbouring cells of one state merged, for an SVG of a few rectangles
    (a monitor up all 90 days is one): {"x", "width", "state", "first", "last", "down"}."""
    merged: list[dict] = []
    for index, cell in enumerate(cells_):
        if merged and merged[-1]["state"] == cell["state"]:
            merged[-1].update(width=merged[-1]["width"] + 1, last=cell["day"])
            merged[-1]["down"] += cell["down_seconds"]
        else:
            merged.append(
                {
                    "x": index,
                    "width": 1,
                    "state": cell["state"],
                    "first": cell["day"],
                    "last": cell["day"],
                    "down": cell["down_seconds"],
                }
            )
    return merged
