"""Counting attempts at a secret (a password, a sign-in), atomically, per key.

One item per key (an address, an account) in the core table. Each attempt is
counted by one conditional write before its secret is compared, so parallel
guesses cannot slip past the count: FREE_FAILURES are admitted, then one at a
time with a growing wait (2, 4, 8 ... MAX_WAIT s); any other attempt gets 429
with Retry-After without its secret being compared. An hour without attempts
forgets the count. The testing page and the dashboard's sign-in use it.
"""

from chalicelib.core import aws, clock, errors

FREE_FAILURES = 5
MAX_WAIT = 900  # the longest wait between attempts, seconds
WINDOW = 3600  # failures are forgotten an hour after the last attempt
_TABLE = "CORE_TABLE"


def delay(attempts: int) -> int:
    """Seconds to wait after this many failed attempts in a row."""
    return 0 if attempts < FREE_FAILURES else min(MAX_WAIT, 2 ** (attempts - FREE_FAILURES + 1))


def reserve(key: dict) -> int:
    """Count one attempt before its secret is compared: its number in the window.

    TooManyRequests when the key must wait. Each branch is one conditional
    write, so parallel guesses cannot all read "below the limit" and then all
    be compared: DynamoDB admits them one by one. An admitted attempt also
    closes the gate (open_at) until it settles, so past the free attempts one
    guess at a time is compared.
    """
    table, now = aws.table(_TABLE), int(clock.epoch())
    gate = {"open_at": now + MAX_WAIT, "expires_at": now + WINDOW}
    fresh = aws.conditional(
        table.put_item,
        Item={**key, "attempts": 1, **gate},
        ConditionExpression="attribute_not_exists(pk) OR expires_at <= :now",
        ExpressionAttributeValues={":now": now},
    )
    if fresh is not None:
        return 1
    counted = aws.conditional(
        table.update_item,
        Key=key,
        UpdateExpression="ADD attempts :one SET open_at = :open_at, expires_at = :expires_at",
        ConditionExpression="attribute_not_exists(attempts) OR attempts < :free OR open_at <= :now",
        ExpressionAttributeValues={
            ":one": 1,
            ":free": FREE_FAILURES,
            ":now": now,
            **{f":{name}": value for name, value in gate.items()},
        },
        ReturnValues="UPDATED_NEW",
    )
    if counted is None:
        raise _refusal(table, key, now)
    return int(counted["Attributes"]["attempts"])


def failed(key: dict, attempts: int) -> None:
    """Settle attempt number `attempts` as a failure: the gate opens after its wait."""
    # Only the latest admitted attempt sets the gate: an older one settling
    # late must not reopen it early.
    aws.conditional(
        aws.table(_TABLE).update_item,
        Key=key,
        UpdateExpression="SET open_at = :open_at",
        ConditionExpression="attempts = :attempts",
        ExpressionAttributeValues={
            ":open_at": int(clock.epoch()) + delay(attempts),
            ":attempts": attempts,
        },
    )


def passed(key: dict, attempts: int) -> None:
    """Settle attempt number `attempts` as a success that forgets nothing: it is
    taken off the count and the gate opens as the failures before it say."""
    aws.conditional(
        aws.table(_TABLE).update_item,
        Key=key,
        UpdateExpression="SET open_at = :open_at ADD attempts :minus_one",
        ConditionExpression="attempts = :attempts",
        ExpressionAttributeValues={
            ":open_at": int(clock.epoch()) + delay(attempts - 1),
            ":attempts": attempts,
            ":minus_one": -1,
        },
    )


def forget(key: dict) -> None:
    """A success forgets the key's failures; guesses still in flight then
    settle against a missing record and change nothing."""
    aws.table(_TABLE).delete_item(Key=key)


def _refusal(table, key: dict, now: int) -> errors.TooManyRequests:
    record = table.get_item(Key=key, ConsistentRead=True).get("Item") or {}
    wait = max(1, int(record.get("open_at", now + 1)) - now)
    return errors.TooManyRequests(f"too many failed attempts; retry in {wait} s", retry_after=wait)
