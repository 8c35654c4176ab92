"""Flapping: a monitor that changes state too often is told about once.

A state change is a notice that flips the monitor (down, a failure, a run too
long, back up), whether or not anybody hears of it; reminders are not. The
claim of each one records its time (`flap_times`, the last `changes` + 1 of
them). When more than `changes` fall within `window` seconds, that notice
goes out as one "flapping" notice instead; from then on every notice is
claimed as usual (the state, the outage history and the flips stay true)
but muted: nobody is told. Once the monitor has gone `stable` seconds
without a change, one "steady" notice closes the episode, saying how many
changes it had and what the monitor is now: down (an alert: PagerDuty keeps
its incident open) or up (a recovery: the incident is resolved).

The setting, `flapping`: absent (the defaults below), false (off), or an
object with any of changes, window, stable. Pure functions, like policy.py.
"""

from chalicelib.core.errors import Invalid

DEFAULTS = {"changes": 10, "window": 3600, "stable": 3600}
LIMITS = {"changes": (2, 100), "window": (60, 7 * 86400), "stable": (60, 7 * 86400)}


def check(value, at: str) -> dict | bool | None:
    """The setting checked: None (the defaults), False (off) or every key set."""
    if value is None or value is True:
        return None
    if value is False:
        return False
    if not isinstance(value, dict):
        raise Invalid.at(at, "must be false or an object of changes, window, stable")
    unknown = sorted(set(value) - set(DEFAULTS))
    if unknown:
        raise Invalid.at(
            f"{at}.{unknown[0]:.40}", "not a flapping setting (changes, window, stable)"
        )
    found = {**DEFAULTS, **value}
    for key, (low, high) in LIMITS.items():
        number = found[key]
        if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
            raise Invalid.at(f"{at}.{key}", f"must be a whole number from {low} to {high}")
    return None if found == DEFAULTS else found


def shown(item: dict) -> dict | bool:
    setting = item.get("flapping")
    if setting is False:
        return False
    return {key: int(value) for key, value in {**DEFAULTS, **(setting or {})}.items()}


def _setting(item: dict) -> dict | None:
    setting = shown(item)
    return setting or None


def is_change(notice: dict) -> bool:
    return notice.get("flip_to") is not None


def on_claim(item: dict, notice: dict, now: float) -> dict:
    """What claiming `notice` writes for flapping; marks the notice "flapping"
    (the one that starts an episode) or "muted" (told to nobody)."""
    setting = _setting(item)
    if setting is None:
        return {}
    sets = {}
    if is_change(notice):
        times = [float(t) for t in item.get("flap_times") or ()]
        recent = [t for t in times if t > now - setting["window"]]
        recent = [*recent, now][-(setting["changes"] + 1) :]
        sets["flap_times"] = [_d(t) for t in recent]
        if item.get("flapping_since") is not None:
            sets["flap_count"] = int(item.get("flap_count", 0)) + 1
        elif len(recent) > setting["changes"]:
            notice["flapping"] = True
            notice["changes"], notice["window"] = len(recent), setting["window"]
            sets.update(flapping_since=_d(now), flap_count=len(recent))
            return sets
    if item.get("flapping_since") is not None:
        notice["muted"] = True
    return sets


def steady_at(item: dict) -> float | None:
    """When a flapping monitor counts as steady: `stable` after its last change."""
    if item.get("flapping_since") is None:
        return None
    since, setting = float(item["flapping_since"]), _setting(item)
    if setting is None:
        return since  # switched off while flapping: steady at once
    times = [float(t) for t in item.get("flap_times") or ()]
    return max([since, *times]) + setting["stable"]


def steady_due(item: dict, now: float) -> bool:
    when = steady_at(item)
    return when is not None and now >= when


def steady_notice(item: dict) -> dict:
    """The closing notice's facts, and what claiming it writes."""
    return {
        "since": item["flapping_since"],
        "changes": int(item.get("flap_count", 0)),
        "state": "down" if item.get("status") == "down" else "up",
    }


CLEARED = {"flapping_since": None, "flap_count": None, "flap_times": None}  # counted afresh


def _d(value: float):
    from decimal import Decimal

    return Decimal(f"{value:.6f}")
