"""Do a piece of work once, even when its trigger arrives twice.

SQS and EventBridge deliver at least once and Lambda retries, so every
effect that must not repeat (a mail, a web-hook call, a trigger on a site)
is guarded by a claim: a conditional put in the core table. The claim is a
lease while the work runs (a crashed worker's claim lapses by itself and the
retry can take it) and becomes "done" when the work succeeded; failed work
drops its claim so the retry runs it.
"""

import contextlib

from chalicelib.core import aws, clock

_TABLE = "CORE_TABLE"


def _key(name: str) -> dict:
    return {"pk": f"ONCE#{name}", "sk": "ONCE"}


def claim(name: str, *, ttl: int, lease: int = 300) -> bool:
    """Take the claim on name; False when it is done or held by another."""
    now = int(clock.epoch())
    taken = aws.conditional(
        aws.table(_TABLE).put_item,
        Item={
            **_key(name),
            "state": "running",
            "lease_until": now + lease,
            "expires_at": now + ttl,
        },
        ConditionExpression="attribute_not_exists(pk) OR (#s = :running AND lease_until < :now)",
        ExpressionAttributeNames={"#s": "state"},
        ExpressionAttributeValues={":running": "running", ":now": now},
    )
    return taken is not None


def complete(name: str) -> None:
    aws.table(_TABLE).update_item(
        Key=_key(name),
        UpdateExpression="SET #s = :done REMOVE lease_until",
        ExpressionAttributeNames={"#s": "state"},
        ExpressionAttributeValues={":done": "done"},
    )


def release(name: str) -> None:
    aws.table(_TABLE).delete_item(Key=_key(name))


def is_done(name: str) -> bool:
    item = aws.table(_TABLE).get_item(Key=_key(name), ConsistentRead=True).get("Item")
    return bool(item and item.get("state") == "done")


@contextlib.contextmanager
def once(name: str, *, ttl: int, lease: int = 300):
    """`with once(key, ttl=...) as first:` runs the body's work only if first.

    An exception inside the block releases the claim and propagates.
    """
    first = claim(name, ttl=ttl, lease=lease)
    try:
        yield first
    except BaseException:
        if first:
            release(name)
        raise
    if first:
        complete(name)
