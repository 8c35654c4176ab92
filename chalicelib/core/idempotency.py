"""Do a piece of work once, even when its trigger arrives twice.

SQS and EventBridge deliver at least once and Lambda retries, so every
effect that must not repeat (a mail, a web-hook call, a trigger on a site)
is guarded by a claim: a conditional put in the core table. The claim is a
lease while the work runs and becomes "done" when the work succeeded;
failed work drops its claim so the retry runs it.

A claim knows its owner: the id of the trigger (an SQS message id) and the
attempt (its receive count), plus a token of this very call. So
- a write whose reply was lost (the put applied, botocore raised) is read
  back: the claim carrying our token is ours, and the work proceeds;
- a later attempt of the same trigger takes over the claim of an earlier
  one at once (SQS hands a message out again only after the earlier attempt
  ended: it reported failure, or its function timed out before the
  visibility timeout), so a crash or a lost release never blocks it;
- any other holder blocks until its lease lapses: LEASE is longer than the
  60 s function timeout (a live worker keeps its claim) and no longer than
  the queues' visibility timeout (infra/resources.yaml: 120 s, and >= 360 s
  once it is 6x the function timeout), so a message redelivered after its
  worker died finds the lease lapsed; whatever the receive count.
"""

import contextlib
import uuid

from chalicelib.core import aws, clock
from chalicelib.core.observability import count, logger

_TABLE = "CORE_TABLE"
LEASE = 90
WRITE_TRIES = 4  # a "done" write after the effect is retried this often


def _key(name: str) -> dict:
    return {"pk": f"ONCE#{name}", "sk": "ONCE"}


def claim(name: str, *, ttl: int, lease: int = LEASE, owner: str = "", attempt: int = 0) -> bool:
    """Take the claim on name; False when it is done or held by another.

    owner/attempt: the trigger's stable id and its delivery count (SQS
    messageId, ApproximateReceiveCount); an earlier attempt's claim is ours.
    """
    now, token = int(clock.epoch()), uuid.uuid4().hex
    condition = "attribute_not_exists(pk) OR (#s = :running AND lease_until < :now)"
    values = {":running": "running", ":now": now}
    if owner:
        condition += " OR (#s = :running AND #o = :owner AND attempt < :attempt)"
        values.update({":owner": owner, ":attempt": attempt})
    item = {**_key(name), "state": "running", "lease_until": now + lease, "expires_at": now + ttl}
    item.update(owner=owner, attempt=attempt, token=token)
    try:
        taken = aws.conditional(
            aws.table(_TABLE).put_item,
            Item=item,
            ConditionExpression=condition,
            ExpressionAttributeNames={"#s": "state", **({"#o": "owner"} if owner else {})},
            ExpressionAttributeValues=values,
        )
    except Exception:
        # Ambiguous: the put may have applied and only its reply been lost.
        if _read(name).get("token") == token:
            count("ClaimReplyLost")
            return True
        raise
    return taken is not None


def _read(name: str) -> dict:
    """The claim as stored (a consistent read, tried again once)."""
    for last in (False, True):
        try:
            reply = aws.table(_TABLE).get_item(Key=_key(name), ConsistentRead=True)
            return reply.get("Item") or {}
        except Exception:
            if last:
                raise
    return {}


def complete(name: str) -> bool:
    """Mark the work done; True when recorded. The effect already happened,
    so a failing write is tried again, and reported (never raised) at the end:
    the caller must not redo the effect because its bookkeeping faltered."""
    for _ in range(WRITE_TRIES):
        try:
            aws.table(_TABLE).update_item(
                Key=_key(name),
                UpdateExpression="SET #s = :done REMOVE lease_until",
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues={":done": "done"},
            )
            return True
        except Exception as error:  # noqa: BLE001 - tried again, then reported
            last = error
    logger.error("claim not marked done", extra={"claim": name, "error": str(last)})
    count("ClaimDoneNotRecorded")
    return False


def release(name: str) -> None:
    """Drop the claim so a retry runs the work. Never raises: a release that
    fails leaves the lease, which the same trigger's next attempt takes over
    and anyone else's lapses."""
    try:
        aws.table(_TABLE).delete_item(Key=_key(name))
    except Exception as error:  # noqa: BLE001 - the lease is the fallback
        logger.warning("claim not released", extra={"claim": name, "error": str(error)})
        count("ClaimReleaseFailed")


def is_done(name: str) -> bool:
    return _read(name).get("state") == "done"


@contextlib.contextmanager
def once(name: str, *, ttl: int, lease: int = LEASE, owner: str = "", attempt: int = 0):
    """`with once(key, ttl=...) as first:` runs the body's work only if first.

    An exception inside the block releases the claim and propagates.
    """
    first = claim(name, ttl=ttl, lease=lease, owner=owner, attempt=attempt)
    try:
        yield first
    except BaseException:
        if first:
            release(name)
        raise
    if first:
        complete(name)
