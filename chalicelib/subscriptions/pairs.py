"""A (subscription, resource) pair: its schedule, and writes that never clobber the cycle.

A pair is written by two parties at once: the API replacing its subscription,
and the cycle (lease, release, advance, finish). Every write is conditional
on what the writer read, so neither undoes the other: the API's replacement
is guarded by guard() and retried from a fresh read; the cycle's updates are
conditional on the lease or on due_at.
"""

from chalicelib.core import clock
from chalicelib.subscriptions import rules

DUE = "DUE"
# The attributes the cycle changes: if any differs from what the API read,
# the API's write is refused and redone from a fresh read.
CYCLE_STATE = ("lease_id", "window_until", "last_check_time", "due_at")


def next_check(frequency: str, previous: int, now: int) -> int | None:
    """The next check after previous, skipping slots missed while down."""
    interval = rules.FREQUENCIES[frequency]
    if interval is None:
        return None
    following = previous + interval
    if following <= now:
        following += ((now - following) // interval + 1) * interval
    return following


def _interval(pair: dict) -> int:
    return rules.FREQUENCIES.get(pair.get("frequency"), 0) or 0


def item(subscription: dict, resource: dict, previous: dict | None, now: int) -> dict:
    """The pair as the subscription now says, keeping a previous pair's check times."""
    last = previous["last_check_time"] if previous else clock.iso(clock.from_epoch(now))
    scheduled = previous and previous.get("frequency") != "never"
    base = int(previous["next_check_time"]) - _interval(previous) if scheduled else now
    following = next_check(subscription["frequency"], base, now - 1)
    pair = {
        "pk": f"SUBSCRIPTION#{subscription['id']}",
        "sk": f"RESOURCE#{resource['name']}",
        "subscription": subscription["id"],
        "subscriber": subscription["subscriber"],
        "resource": resource["name"],
        "url": resource["url"],
        "frequency": subscription["frequency"],
        "last_check_time": last,
        "next_check_time": following if following is not None else 0,
    }
    # A job may be running on this pair: keep its lease and its window.
    for name in ("window_until", "lease_id", "lease_until", "boundary_ids"):
        if previous and name in previous:
            pair[name] = previous[name]
    if following is not None:
        pair.update(due_pk=DUE, due_at=max(following, int(pair.get("lease_until", 0))))
    return pair


def guard(previous: dict | None) -> dict:
    """Condition arguments: the stored pair is still the one read (or still absent)."""
    if previous is None:
        return {"ConditionExpression": "attribute_not_exists(pk)"}
    clauses, names, values = [], {}, {}
    for n, name in enumerate(CYCLE_STATE):
        names[f"#a{n}"] = name
        if name in previous:
            clauses.append(f"#a{n} = :a{n}")
            values[f":a{n}"] = previous[name]
        else:
            clauses.append(f"attribute_not_exists(#a{n})")
    arguments = {"ConditionExpression": " AND ".join(clauses), "ExpressionAttributeNames": names}
    if values:
        arguments["ExpressionAttributeValues"] = values
    return arguments


def schedule(pair: dict, now: int, sets: list[str], removes: list[str]) -> tuple[str, dict]:
    """An update expression that also moves pair to its next check."""
    following = next_check(pair["frequency"], int(pair["next_check_time"]), now)
    values = {}
    if following is None:
        removes = [*removes, "due_pk", "due_at"]
    else:
        sets = [*sets, "next_check_time = :next", "due_at = :next"]
        values[":next"] = following
    clauses = [f"SET {', '.join(sets)}" if sets else "", f"REMOVE {', '.join(removes)}"]
    return " ".join(c for c in clauses if c), values
