"""The hooks queue: events in, one delivery per matching hook, retried, recorded.

Three kinds of message arrive on the hooks queue (the queue of every
outgoing delivery; a channel's, chalicelib/core/channels/delivery.py, rides it
with the same retries, claims and dead-letter queue):

- an EventBridge event (the bus rule routes every source="herald" event
  here; the Herald event is its `detail`): it fans out into one delivery
  message per matching hook, sent back to the same queue;
- a delivery message {"herald": "hook-delivery", hook_id, delivery_id,
  attempt, first_at, not_before, event}: one attempt at one hook;
- a channel delivery {"herald": "channel-delivery", ...}: one attempt at
  one alert channel, handed to chalicelib/core/channels/delivery.py.

At-least-once: the delivery id (the `webhook-id`) is derived from the event id
and the hook id, so an event that arrives twice gives the same delivery id,
and each (delivery id, attempt) is claimed once (chalicelib.core.idempotency): a
duplicate is dropped once the attempt is done, and retried later while
another worker holds it. A failed attempt schedules the next one as a new
message that waits (DelaySeconds, at most 900 s, so long waits hop through
the queue several times) until its `not_before`; after RETRY_SECONDS from the
first attempt it is dead: recorded so, counted on the hook and copied to the
hooks dead-letter queue (chalicelib.core.retrying, shared with channels).
Every attempt is recorded under its hook for RETENTION_DAYS.
"""

import copy
import hashlib
import json
import os
import time

from chalicelib.core import aws, clock, idempotency, retrying, sqs, values
from chalicelib.core.observability import count, logger
from chalicelib.hooks import python_hooks, store, webhooks

MESSAGE = "hook-delivery"
LEASE = 90  # longer than one attempt (10 s timeout, a few redirects)
retry_seconds = retrying.retry_seconds


def retention_seconds() -> int:
    return int(os.environ.get("HOOK_DELIVERY_RETENTION_DAYS", 7)) * 24 * 3600


def handle(event: dict, context=None) -> dict:
    """SQS batch handler; reports the messages to retry."""
    # A record may take one web-hook call (10 s) or one Python hook's budget.
    return sqs.each_record(event, _handle_record, name="Hooks", context=context, reserve=20)


def _handle_record(record: dict) -> bool:
    try:
        body = json.loads(record["body"])
    except (ValueError, TypeError, KeyError, RecursionError):
        body = None
    if isinstance(body, dict) and body.get("herald") == MESSAGE:
        if not _well_formed(body):
            # No retry can mend it: drop it now rather than at the dead-letter queue.
            logger.error("hook delivery dropped: malformed", extra={"body": str(body)[:500]})
            count("HookMessagesDropped")
            return True
        return _deliver(body, record)
    if isinstance(body, dict) and body.get("herald") == "channel-delivery":
        from chalicelib.core.channels import delivery

        return delivery.handle(body, record)
    if isinstance(body, dict) and isinstance(body.get("detail"), dict):
        return _fan_out(body["detail"])
    logger.error("hooks message dropped: neither an event nor a delivery")
    count("HookMessagesDropped")
    return True


def _well_formed(message: dict) -> bool:
    """A delivery message as _fan_out and _settle write them."""
    event = message.get("event")
    texts = [message.get("hook_id"), message.get("delivery_id")]
    numbers = [message.get("first_at"), message.get("not_before")]
    attempt_ = message.get("attempt")
    return (
        all(isinstance(t, str) and 0 < len(t) <= 200 for t in texts)
        and all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in numbers)
        and isinstance(attempt_, int) and not isinstance(attempt_, bool) and attempt_ >= 1
        and isinstance(event, dict)
        and all(isinstance(event.get(k), str) for k in ("id", "type", "time"))
    )  # fmt: skip


def delivery_id(event_id: str, hook_id: str) -> str:
    return "msg_" + hashlib.sha256(f"{event_id}:{hook_id}".encode()).hexdigest()[:32]


def _fan_out(event: dict) -> bool:
    if not all(isinstance(event.get(k), str) for k in ("id", "type", "time")):
        logger.error("event dropped: no id, type or time", extra={"event": str(event)[:500]})
        return True
    now = clock.epoch()
    messages = [
        {
            "herald": MESSAGE,
            "hook_id": hook["id"],
            "delivery_id": delivery_id(event["id"], hook["id"]),
            "attempt": 1,
            "first_at": now,
            "not_before": now,
            "event": event,
        }
        for hook in store.matching(event)
    ]
    # Refused deliveries fail the event's message: SQS brings it back, and the
    # ones already queued are recognised by their delivery ids.
    sqs.send("hooks", messages)
    return True


def requeue(message: dict) -> None:
    retrying.requeue("hooks", message)


def _deliver(message: dict, record: dict | None = None) -> bool:
    if message["not_before"] > clock.epoch() + 1:
        requeue(message)  # not yet: wait in the queue again (SQS delays are <= 900 s)
        return True
    hook = store.get(message["hook_id"])
    if hook is None or not hook.get("enabled", True):
        logger.info("delivery dropped: hook gone or disabled", extra={"hook": message["hook_id"]})
        return True
    claim = f"hook:{message['delivery_id']}:{message['attempt']}"
    owner = sqs.claimant(record) if record else {}
    if not idempotency.claim(claim, ttl=retry_seconds() + 2 * 24 * 3600, lease=LEASE, **owner):
        return idempotency.is_done(claim)  # held by another worker: try again later
    try:
        outcome = attempt(hook, message)
        _settle(hook, message, outcome)
    except BaseException:
        idempotency.release(claim)
        raise
    idempotency.complete(claim)
    return True


def attempt(hook: dict, message: dict) -> webhooks.Outcome:
    """One try at one hook."""
    event = message["event"]
    if hook["type"] == "webhook":
        body = webhooks.body_for(event)
        headers = webhooks.headers_for(hook, message["delivery_id"], body)
        return webhooks.post(hook["arg"], body, headers)
    try:
        function = python_hooks.load(hook["type"], hook["arg"])
    except python_hooks.LoadError as error:
        return webhooks.Outcome("load-failed", error=str(error))
    started = time.monotonic()
    try:
        python_hooks.call(function, copy.deepcopy(event))
        outcome = webhooks.Outcome("success")
    except (Exception, python_hooks.Overrun) as error:  # noqa: BLE001 - retried and kept
        logger.exception("hook raised", extra={"hook": hook["id"], "arg": hook["arg"]})
        outcome = webhooks.Outcome("failed", error=f"{type(error).__name__}: {error}"[:500])
    outcome.duration_ms = int((time.monotonic() - started) * 1000)
    return outcome


def next_attempt_at(message: dict, outcome: webhooks.Outcome) -> float | None:
    """When to try again (chalicelib.core.retrying); None: give up."""
    return retrying.next_attempt_at(message, outcome.retry_after)


def _settle(hook: dict, message: dict, outcome: webhooks.Outcome) -> None:
    status, next_at = "success", None
    if outcome.status == "gone":
        status = "disabled"
        store.set_enabled(hook["id"], False, f"the endpoint answered 410 Gone at {_now_iso()}")
    elif outcome.status == "load-failed":
        status = "disabled"
        store.set_enabled(hook["id"], False, f"failed to load at {_now_iso()}: {outcome.error}")
    elif outcome.status != "success":
        next_at = None if outcome.status == "refused" else next_attempt_at(message, outcome)
        status = "retrying" if next_at else "dead"
    record(hook["id"], message, outcome, status, next_at)
    count({"success": "HookDelivered", "retrying": "HookRetried"}.get(status, "HookFailed"))
    if next_at:
        requeue({**message, "attempt": message["attempt"] + 1, "not_before": next_at})
    elif status == "dead":
        retrying.dead_letter("hooks", message, outcome.code, outcome.error)
        store.count_dead(hook["id"])


def _now_iso() -> str:
    return clock.iso(clock.now())


def record(hook_id: str, message: dict, outcome, status: str, next_at: float | None) -> None:
    event = message["event"]
    item = {
        "pk": f"HOOK#{hook_id}",
        "sk": f"DELIVERY#{_now_iso()}#{message['delivery_id']}#{message['attempt']:04d}",
        "delivery_id": message["delivery_id"],
        "event_id": event["id"],
        "event_type": event["type"],
        "source": event.get("source"),
        "attempt": message["attempt"],
        "at": _now_iso(),
        "status": status,
        "result": outcome.status,
        "code": outcome.code,
        "duration_ms": outcome.duration_ms,
        "error": outcome.error,
        "next_attempt_at": clock.iso(clock.from_epoch(next_at)) if next_at else None,
        "expires_at": int(clock.epoch()) + retention_seconds(),
    }
    aws.table(store.TABLE).put_item(Item=item)
    logger.info("hook attempt", extra={k: v for k, v in item.items() if k not in ("pk", "sk")})


def deliveries(
    hook_id: str, status: str | None = None, limit: int = 100, since: str = ""
) -> list[dict]:
    """The hook's recorded attempts, newest first (expired records left out).

    since: the hook's created_at, so a hook deleted and created again (same
    id) does not show its predecessor's attempts.
    """
    from boto3.dynamodb.conditions import Attr, Key

    # TTL deletes late, so expired records are filtered out here too.
    shown = Attr("expires_at").gt(int(clock.epoch()))
    if status:
        shown &= Attr("status").eq(status)
    items = aws.query_all(
        aws.table(store.TABLE),
        limit,
        # "$" sorts right after "#": every DELIVERY#... key from `since` on.
        KeyConditionExpression=Key("pk").eq(f"HOOK#{hook_id}")
        & Key("sk").between(f"DELIVERY#{since}", "DELIVERY$"),
        FilterExpression=shown,
        ScanIndexForward=False,
    )
    return [{k: values.plain(v) for k, v in item.items() if k not in _HIDDEN} for item in items]


_HIDDEN = ("pk", "sk", "expires_at")


def dead_letter_url() -> str:
    return retrying.dead_letter_url("hooks")
