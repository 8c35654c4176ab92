"""Retrying a delivery through its queue: when, how it waits, where it ends.

Hooks (chalicelib/hooks/delivery.py) and alert channels
(chalicelib/core/channels/delivery.py) deliver the same way: a failed attempt
schedules the next as a new message with exponential backoff and jitter
(never sooner than the service's Retry-After), which waits in the queue
(DelaySeconds, at most 900 s, so long waits hop through the queue several
times) until its `not_before`; after RETRY_SECONDS from the first attempt the
delivery is dead and copied to the queue's own dead-letter queue.
A message: {..., delivery_id, attempt, first_at, not_before}.
"""

import json
import math
import os
import random

from chalicelib.core import aws, clock, sqs
from chalicelib.core.observability import logger

MAX_SQS_DELAY = 900
BASE_DELAY = 30
MAX_DELAY = 4 * 3600


def retry_seconds() -> int:
    return int(os.environ.get("HOOK_RETRY_SECONDS", 24 * 3600))


def next_attempt_at(message: dict, retry_after: float | None) -> float | None:
    """When to try again (backoff with jitter, at least Retry-After); None: give up."""
    delay = min(MAX_DELAY, BASE_DELAY * 2 ** (message["attempt"] - 1))
    delay *= random.uniform(0.75, 1.25)
    if retry_after is not None:
        delay = max(delay, retry_after)
    at = clock.epoch() + delay
    return at if at <= float(message["first_at"]) + retry_seconds() else None


def requeue(queue: str, message: dict) -> None:
    """Put the message back to wait until its not_before."""
    wait = max(0, math.ceil(message["not_before"] - clock.epoch()))
    sqs.send(queue, [message], delay=min(MAX_SQS_DELAY, wait))


def dead_letter_url(queue: str) -> str:
    """The queue's own dead-letter queue, from its redrive policy."""
    client = aws.client("sqs")
    attributes = client.get_queue_attributes(
        QueueUrl=aws.queue_url(queue), AttributeNames=["RedrivePolicy"]
    )["Attributes"]
    arn = json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"]
    return client.get_queue_url(QueueName=arn.rsplit(":", 1)[1])["QueueUrl"]


def dead_letter(queue: str, message: dict, code, error) -> None:
    """Copy a delivery that will not be tried again to the dead-letter queue."""
    logger.error("delivery dead", extra={"delivery": message["delivery_id"]})
    dead = {"at": clock.iso(clock.now()), "code": code, "error": error}
    aws.client("sqs").send_message(
        QueueUrl=dead_letter_url(queue),
        MessageBody=json.dumps({**message, "dead": dead}, default=str),
    )
