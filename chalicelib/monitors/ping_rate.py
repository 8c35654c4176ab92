"""Each monitor's ping rate limit: a loop pinging one monitor cannot hurt the rest.

The limit lives on the monitor item, inside the ping's own conditional write
(pings.py), so it costs no request of its own and touches no shared item:
the write keeps the times of the monitor's last BURST pings (rl0, newest, to
rl4) and refuses a ping while the oldest of them is less than WINDOW seconds
old, i.e. at most BURST pings in any WINDOW seconds, which averages to
HERALD_PING_RATE pings a second (default 1) while letting a job's start,
log and success through together. A refused ping writes nothing and is
answered 429 with Retry-After (ping_refusals.py).

A refusal is also remembered in this process until its Retry-After, per
monitor and credential, so the rest of a flood reaching the same Lambda
costs no DynamoDB request at all, and a wrong key still gets its 403.
"""

import math
import os
from decimal import Decimal

from chalicelib.core import errors

BURST = 5
SLOTS = [f"rl{n}" for n in range(BURST)]
_refused: dict[tuple, float] = {}  # (monitor id, credential) -> refused until
_REMEMBERED = 10_000  # entries before the memory starts again


def window() -> float | None:
    """Seconds in which BURST pings are allowed; None: no limit (HERALD_PING_RATE=0)."""
    rate = float(os.environ.get("HERALD_PING_RATE") or 1)
    return BURST / rate if rate > 0 else None


def expression(values: dict, now: Decimal) -> tuple[list[str], str]:
    """The SET parts that shift the times along, and the condition that limits them."""
    span = window()
    if span is None:
        return [], ""
    values[":rl_since"] = now - Decimal(f"{span:.6f}")
    shifts = [f"{SLOTS[n]} = if_not_exists({SLOTS[n - 1]}, :zero)" for n in range(BURST - 1, 0, -1)]
    condition = f" AND (attribute_not_exists({SLOTS[-1]}) OR {SLOTS[-1]} <= :rl_since)"
    return [*shifts, f"{SLOTS[0]} = :t"], condition


def retry_after(item: dict, now: float) -> int | None:
    """Seconds until the monitor takes a ping again, if this one came too soon."""
    span, oldest = window(), item.get(SLOTS[-1])
    if span is None or oldest is None or float(oldest) + span <= now:
        return None
    return max(1, math.ceil(float(oldest) + span - now))


def refusal(wait: int) -> errors.TooManyRequests:
    span = window() or 0
    return errors.TooManyRequests(
        f"this monitor takes at most {BURST} pings in {span:g} seconds: ping again in {wait} s",
        retry_after=wait,
    )


def remember(monitor_id: str, who: dict, until: float) -> None:
    if len(_refused) >= _REMEMBERED:
        _refused.clear()
    _refused[_credential(monitor_id, who)] = until


def refused_for(monitor_id: str, who: dict, now: float) -> int | None:
    """Retry-After for a ping this process already knows is too soon, else None."""
    until = _refused.get(_credential(monitor_id, who))
    if until is None or until <= now:
        return None
    return max(1, math.ceil(until - now))


def _credential(monitor_id: str, who: dict) -> tuple:
    return (monitor_id, who.get("monitor_uuid") or "", who.get("given_key") or "")
