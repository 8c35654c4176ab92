"""A monitor's flips: each change of its state, kept to list outages and sum downtime.

A flip is one item in MONITORS_TABLE under pk "FLIP#<monitor id>[.<life>]" (one
partition per life, as the ping log's, so a re-created monitor starts with no
history) and sk "<ISO time with microseconds>#<status>". The sort key orders
flips by time, so any window is one Query on a key range; it ends with the
status so that recording the same change twice (a checker run repeated after
a timeout) writes the same item again instead of a second flip. Times count
to the microsecond: `t` is exactly the key's time, and a window's bounds are
rounded as stored times are, so a key range is exactly a time range.

Flips expire through DynamoDB's TTL (expires_at) after FLIP_RETENTION_DAYS,
never fewer than 93, so three whole months can always be summed; reads skip
expired flips TTL has not removed yet.

Each flip is also in gsi1's partition "FLIPS", ordered by time, for the
dashboard's bars: all monitors' flips since a moment are one paged Query.

Outages and downtime are computed from a list of flips, with no I/O: a monitor
is down from a flip to "down" until the next flip to a status other than "down"
or "late" (a late flip while down changes nothing a user would call recovery).
"""

import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from chalicelib.core import aws, clock, errors
from chalicelib.monitors import store

STATUSES = ("new", "up", "late", "down", "paused", "maintenance", "blocked")
# The reasons Herald's writers give; shown as they are, never interpreted.
REASONS = (
    "created",
    "resumed",
    "paused",
    "first ping",
    "pinged",
    "missed deadline",
    "fail ping",
    "run too long",
    "recovered",
    "maintenance window",
)
PERIODS = ("day", "week", "month")
ALL_FLIPS = "FLIPS"
MAX_PERIODS = 1000
DEFAULT_RETENTION_DAYS = 100
MIN_RETENTION_DAYS = 93
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


# ---- storage ------------------------------------------------------------------


def flip_pk(monitor_id: str, item: dict) -> str:
    """The monitor's flip partition: one per life, as store.log_pk."""
    life = int(item.get("life", 1))
    return f"FLIP#{monitor_id}" if life == 1 else f"FLIP#{monitor_id}.{life}"


def retention_days() -> int:
    try:
        days = int(os.environ.get("FLIP_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))
    except ValueError:
        days = DEFAULT_RETENTION_DAYS
    return max(days, MIN_RETENTION_DAYS)


def record(item: dict, status: str, at: float, reason: str) -> None:
    """Store that the monitor turned `status` at `at` (epoch) for `reason`."""
    if status not in STATUSES:
        raise ValueError(f"unknown flip status {status!r}")
    # A reason off the list (REASONS, "exit status N") is stored as given: a
    # wording slip must not stop the checker from recording an outage.
    moment = _moment(at)
    expires_at = int(at) + retention_days() * 86400
    aws.table(store.TABLE).put_item(
        Item={
            "pk": _pk(item),
            "sk": f"{clock.iso(moment)}#{status}",
            "t": _exact(moment),
            "status": status,
            "reason": reason,
            "expires_at": Decimal(expires_at),
            # Every monitor's flips in one time-ordered index partition, so a
            # page of 1,000 monitors' 90-day bars is a few Query pages, not
            # one Query per monitor (dashboard/bars.py).
            "gsi1pk": ALL_FLIPS,
            "gsi1sk": f"{clock.iso(moment)}#{_pk(item)}",
        }
    )


def entries(
    item: dict,
    start: float | None = None,
    end: float | None = None,
    limit: int | None = None,
    newest_first: bool = False,
) -> list[dict]:
    """The monitor's unexpired flips with start <= t < end, oldest first unless asked."""
    from boto3.dynamodb.conditions import Attr, Key

    if limit is not None and limit < 1:
        raise errors.Invalid.at("limit", "must be at least 1")
    if start is not None and end is not None and _moment(start) >= _moment(end):
        return []
    # Bounds count to the microsecond, as stored times do, so the key range is
    # exact: a flip's key is its time and more, hence after its time's string.
    condition = Key("pk").eq(_pk(item))
    low = clock.iso(_moment(start)) if start is not None else None
    high = clock.iso(_moment(end)) if end is not None else None
    if low and high:
        condition &= Key("sk").between(low, high)
    elif low:
        condition &= Key("sk").gte(low)
    elif high:
        condition &= Key("sk").lt(high)
    # Filtered before Limit is counted, so `limit` counts only live flips.
    live = Attr("expires_at").not_exists() | Attr("expires_at").gt(Decimal(str(clock.epoch())))
    query = {
        "KeyConditionExpression": condition,
        "FilterExpression": live,
        "ScanIndexForward": not newest_first,
    }
    if limit is not None:
        query["Limit"] = max(limit, 25)
    return aws.query_all(aws.table(store.TABLE), limit=limit, **query)


def every_monitor_since(start: float) -> dict[str, list[dict]]:
    """All monitors' unexpired flips since start, oldest first, by flip partition."""
    from boto3.dynamodb.conditions import Key

    condition = Key("gsi1pk").eq(ALL_FLIPS) & Key("gsi1sk").gte(clock.iso(_moment(start)))
    found = aws.query_all(
        aws.table(store.TABLE), IndexName="gsi1", KeyConditionExpression=condition
    )
    now, grouped = clock.epoch(), {}
    for entry in found:
        if float(entry.get("expires_at", now + 1)) > now:
            grouped.setdefault(entry["pk"], []).append(entry)
    # Flips of one instant share a gsi1sk, and DynamoDB returns ties in an index
    # in no set order: put them in their table order (sk), as entries() reads them.
    for group in grouped.values():
        group.sort(key=lambda entry: entry["sk"])
    return grouped


def public(entry: dict) -> dict:
    return {
        "time": clock.iso(clock.from_epoch(float(entry["t"]))),
        "status": entry["status"],
        "reason": entry["reason"],
    }


def summary(item: dict, now: float, period: str, count: int) -> list[dict]:
    """The monitor's downtime in the last `count` periods (see downtime)."""
    starts = _starts(now, period, count)
    oldest = starts[-1].timestamp()
    found = entries(item, start=oldest)
    before = _flip_before(item, oldest)
    return downtime(found, now, period, count, before["status"] if before else None)


def _flip_before(item: dict, moment: float) -> dict | None:
    """The last flip before moment: it says whether the monitor was down then."""
    from boto3.dynamodb.conditions import Key

    condition = Key("pk").eq(_pk(item)) & Key("sk").lt(clock.iso(_moment(moment)))
    reply = aws.table(store.TABLE).query(
        KeyConditionExpression=condition, ScanIndexForward=False, Limit=1
    )
    found = reply["Items"]
    # An expired flip is as good as gone: TTL may remove it any moment.
    if not found or int(found[0].get("expires_at", clock.epoch() + 1)) <= clock.epoch():
        return None
    return found[0]


def _pk(item: dict) -> str:
    return flip_pk(item["pk"].removeprefix("MON#"), item)


def _moment(seconds: float) -> datetime:
    try:
        return clock.from_epoch(float(seconds))
    except (OverflowError, OSError, ValueError):
        raise errors.Invalid(f"time {seconds!r} is out of range") from None


def _exact(moment: datetime) -> Decimal:
    """The moment as epoch seconds, exactly to the microsecond its ISO time shows."""
    return Decimal((moment - _EPOCH) // _MICROSECOND).scaleb(-6)


# ---- outages and downtime ------------------------------------------------------


def outages(entries: list[dict], now: float) -> list[dict]:
    """Each down period: {"start", "end" (None while still down), "seconds"}."""
    return [
        {"start": start, "end": end, "seconds": max((now if end is None else end) - start, 0.0)}
        for start, end in _spans(entries, None)
    ]


def downtime(
    entries: list[dict],
    now: float,
    period: str,
    count: int,
    status_before: str | None = None,
) -> list[dict]:
    """Downtime in each of the last `count` UTC periods up to now, newest first.

    An outage that spans periods counts its part in each, and once in each
    period's `outages`; the period in progress ends at now.
    """
    starts = _starts(now, period, count)
    down_since = None
    if status_before == "down":
        times = [float(entry["t"]) for entry in entries]
        down_since = min([starts[-1].timestamp(), *times])
    spans = [(s, now if e is None else min(e, now)) for s, e in _spans(entries, down_since)]
    result = []
    for begin in starts:
        low, high = begin.timestamp(), min(_next(begin, period).timestamp(), now)
        overlaps = [min(e, high) - max(s, low) for s, e in spans]
        overlaps = [seconds for seconds in overlaps if seconds > 0]
        result.append(
            {
                "start": begin.date().isoformat(),
                "down_seconds": float(sum(overlaps)),
                "outages": len(overlaps),
                "longest": float(max(overlaps, default=0.0)),
            }
        )
    return result


def _spans(entries: list[dict], down_since: float | None) -> list[tuple[float, float | None]]:
    """(start, end or None) of each down period, given when one was already under way."""
    spans = []
    for entry in sorted(entries, key=lambda entry: float(entry["t"])):
        at, status = float(entry["t"]), entry["status"]
        if status == "down" and down_since is None:
            down_since = at
        elif status not in ("down", "late") and down_since is not None:
            spans.append((down_since, at))
            down_since = None
    if down_since is not None:
        spans.append((down_since, None))
    return spans


def _starts(now: float, period: str, count: int) -> list[datetime]:
    """The starts of the last `count` periods, the one holding now first."""
    if period not in PERIODS:
        raise errors.Invalid.at("period", f"must be one of {', '.join(PERIODS)}, got {period!r}")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_PERIODS:
        raise errors.Invalid.at("count", f"must be a whole number from 1 to {MAX_PERIODS}")
    day = _moment(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        day -= timedelta(days=day.weekday())
    elif period == "month":
        day = day.replace(day=1)
    starts = [day]
    for _ in range(count - 1):
        starts.append(_previous(starts[-1], period))
    return starts


def _previous(begin: datetime, period: str) -> datetime:
    if period == "day":
        return begin - timedelta(days=1)
    if period == "week":
        return begin - timedelta(days=7)
    return (begin - timedelta(days=1)).replace(day=1)


def _next(begin: datetime, period: str) -> datetime:
    if period == "day":
        return begin + timedelta(days=1)
    if period == "week":
        return begin + timedelta(days=7)
    return (begin + timedelta(days=32)).replace(day=1)
