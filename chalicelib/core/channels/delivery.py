"""Delivering notices to channels: queued, claimed, retried, disabled when refused.

A notice for a channel becomes a message {"herald": "channel-delivery",
channel_id, delivery_id, attempt, first_at, not_before, notice} on the hooks
queue, the queue of every outgoing delivery (its handler,
chalicelib/hooks/delivery.py, routes it here), with the retries of
chalicelib.core.retrying: backoff with jitter (Retry-After honoured),
DelaySeconds hops and the queue's dead-letter queue.

Once: the delivery id is the notice id and the channel id, so the same
notice told twice (a ping and the checker, a retried run) is the same
delivery, and each (delivery, attempt) is claimed once
(chalicelib.core.idempotency). What remains: a send whose answer is lost
(a timeout after the service acted) is sent again on the next attempt;
PagerDuty (dedup_key) and Opsgenie (alias) fold such a repeat into the same
incident, chat services show it twice. That window is one HTTP exchange,
as the outbox's is one SES call.

A permanent refusal (400, 401, 403, 404, 410) is tried REFUSALS times; then
the channel is disabled, with the reason in `list`, and the operator
(OPERATOR_EMAIL) is mailed once.
"""

from dataclasses import asdict

from chalicelib.core import clock, idempotency, retrying, sqs
from chalicelib.core.observability import count, logger

MESSAGE = "channel-delivery"
REFUSALS = 3
QUEUE = "hooks"


def enqueue(notice, channel_ids: list[str]) -> int:
    """Queue the notice for each channel (one batch send); returns how many."""
    now = clock.epoch()
    messages = [
        {
            "herald": MESSAGE,
            "channel_id": channel_id,
            "delivery_id": f"{notice.id}:{channel_id}",
            "attempt": 1,
            "first_at": now,
            "not_before": now,
            "notice": asdict(notice),
        }
        for channel_id in channel_ids
    ]
    if messages:
        sqs.send(QUEUE, messages)
    return len(messages)


def notice_of(data: dict):
    from chalicelib.core.channels.notice import Notice

    details = tuple(tuple(pair) for pair in data.get("details") or ())
    return Notice(**{**data, "paragraphs": tuple(data["paragraphs"]), "details": details})


def handle(message: dict, record: dict | None = None) -> bool:
    """One attempt at one channel; True when the message is dealt with."""
    from chalicelib.core.channels import sending, store

    if message.get("not_before", 0) > clock.epoch() + 1:
        retrying.requeue(QUEUE, message)
        return True
    try:
        if message.get("release"):
            from chalicelib.core.channels import quiet

            quiet.release(message)  # a channel's quiet hours ended (quiet.py)
            return True
        notice = notice_of(message["notice"])
        channel = store.get(message["channel_id"])
    except (KeyError, TypeError, ValueError):
        logger.error("channel delivery dropped: malformed", extra={"body": str(message)[:500]})
        count("ChannelMessagesDropped")
        return True
    if channel is None:
        logger.info("channel delivery dropped: the channel was deleted")
        return True
    if not channel.get("enabled", True):
        # Kept, not dropped: redriven from the dead-letter queue once enabled again.
        retrying.dead_letter(QUEUE, message, None, "the channel is disabled")
        return True
    claim = f"channel:{message['delivery_id']}:{message['attempt']}"
    owner = sqs.claimant(record) if record else {}
    if not idempotency.claim(claim, ttl=retrying.retry_seconds() + 2 * 86400, **owner):
        return idempotency.is_done(claim)
    try:
        outcome = sending.send(channel, notice)
        if not outcome.ok:
            _settle_failure(channel, message, outcome)
    except BaseException:
        # Not taken by the service (or its failure not yet settled): try again.
        idempotency.release(claim)
        raise
    idempotency.complete(claim)
    if outcome.ok:
        _settle_success(channel)
    return True


def _settle_success(channel: dict) -> None:
    """After the service took it: bookkeeping only, never a reason to send again."""
    from chalicelib.core.channels import store

    count("ChannelDelivered")
    if channel.get("refusals"):
        try:
            store.count_refusal(channel, reset=True)
        except Exception:  # noqa: BLE001 - the next refusal count starts one higher
            logger.exception("resetting a channel's refusals failed")


def _settle_failure(channel: dict, message: dict, outcome) -> None:
    from chalicelib.core.channels import store

    if outcome.status == "refused":
        refusals = store.count_refusal(channel)
        if refusals >= REFUSALS:
            _disable(channel, outcome)
            retrying.dead_letter(QUEUE, message, outcome.code, outcome.answer)
            return
    next_at = retrying.next_attempt_at(message, outcome.retry_after)
    if next_at is None:
        count("ChannelDeliveryDead")
        retrying.dead_letter(QUEUE, message, outcome.code, outcome.answer)
        return
    count("ChannelRetried")
    retrying.requeue(QUEUE, {**message, "attempt": message["attempt"] + 1, "not_before": next_at})


def _disable(channel: dict, outcome) -> None:
    from chalicelib.core.channels import store

    code = f" {outcome.code}" if outcome.code is not None else ""
    reason = (
        f"refused {REFUSALS} times (last:{code} {outcome.answer[:100]}) at {clock.iso(clock.now())}"
    )
    if store.disable(channel, reason):
        count("ChannelDisabled")
        _tell_operator(channel, reason)


def _tell_operator(channel: dict, reason: str) -> None:
    """One mail to the deployment's operator; its id makes it once per disabling."""
    from chalicelib.core import outbox

    outbox.tell_operator(
        subject=f"Herald disabled the {channel['kind']} channel {channel['name']}",
        text=(
            f"The {channel['kind']} channel {channel['name']!r} ({channel['id']}) was "
            f"disabled: {reason}.\n\nFix its settings (herald channels update "
            f"{channel['id']} -c KEY=VALUE) and enable it again (herald channels enable "
            f"{channel['id']}); alerts meant for it are not delivered meanwhile.\n"
        ),
        kind="channel.disabled",
        id=f"channel-disabled-{channel['id']}-{int(channel.get('rev', 0))}",
    )
