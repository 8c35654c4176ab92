"""The least spacing between sends to one site, held across every handler.

The original slept THROTTLE seconds after each successful send of its serial
loop. Herald's handlers run side by side, so the spacing lives in the site's
row of SITES_TABLE (pk=SITE#<name>, sk=THROTTLE): `next_at` is the earliest
moment the next send may start. A handler reserves a start time with a
conditional write (compare-and-set on next_at, so two handlers never get the
same slot), sleeps until it, sends, and when the reply was a skip (any status
but 0) hands the unused spacing back if nobody has reserved after it. Time
comes from the caller (now) so tests drive it.
"""

from decimal import Decimal

from chalicelib.core import aws

_TABLE = "SITES_TABLE"
_ATTEMPTS = 20  # compare-and-set rounds before giving up under contention


class Busy(Exception):
    """No slot before the deadline: try again after `delay` seconds."""

    def __init__(self, delay: float):
        super().__init__(f"site busy for {delay:.1f} s")
        self.delay = delay


def _key(site: str) -> dict:
    return {"pk": f"SITE#{site}", "sk": "THROTTLE"}


def _decimal(seconds: float) -> Decimal:
    return Decimal(str(round(seconds, 6)))


def reserve(site: str, spacing: float, now: float, deadline: float) -> float:
    """Reserve a start time >= now and <= deadline; raises Busy when none is free."""

    table = aws.table(_TABLE)
    for _ in range(_ATTEMPTS):
        item = table.get_item(Key=_key(site), ConsistentRead=True).get("Item")
        previous = item["next_at"] if item else None
        start = max(now, float(previous)) if previous is not None else now
        if start > deadline:
            raise Busy(start - now)
        condition = "next_at = :previous" if previous is not None else "attribute_not_exists(pk)"
        values = {":next": _decimal(start + spacing)}
        if previous is not None:
            values[":previous"] = previous
        taken = aws.conditional(
            table.update_item,
            Key=_key(site),
            UpdateExpression="SET next_at = :next",
            ConditionExpression=condition,
            ExpressionAttributeValues=values,
        )
        if taken is not None:
            return start
        # Another handler took this slot: look again.
    raise Busy(spacing)


def give_back(site: str, start: float, spacing: float, now: float) -> None:
    """A skipped send needs no spacing: free it unless someone reserved after us."""
    # Refused when someone reserved after us: the spacing is theirs then.
    aws.conditional(
        aws.table(_TABLE).update_item,
        Key=_key(site),
        UpdateExpression="SET next_at = :now",
        ConditionExpression="next_at = :mine",
        ExpressionAttributeValues={
            ":now": _decimal(max(now, start)),
            ":mine": _decimal(start + spacing),
        },
    )
