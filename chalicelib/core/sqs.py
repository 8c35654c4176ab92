"""One way to use SQS: send in batches of ten, handle a batch record by record.

send() is the only place Herald puts messages on a queue. Its policy for
entries a batch refuses: each is sent once more on its own; what is still
refused, and every message of a request that failed outright, is reported
together in one Refused, after every batch was tried, so the caller knows
exactly which messages are not on the queue (and can keep or release them).
Each message may wait its own DelaySeconds (`delays`), or all the same one.

each_record() is the only partial-batch loop: a record whose handler
returns False, or raises anything, is reported for redelivery alone; the
rest of the batch stands. A message nobody could ever handle is the
handler's to drop (return True), so it never takes good ones down with it.
Given the Lambda context, it starts a record only while `reserve` seconds
(the longest one record may take) remain: the rest are reported for
redelivery unstarted, rather than cut off by the function's timeout (which
would fail the whole batch, done records included).
"""

from chalicelib.core import aws, values
from chalicelib.core.observability import count, logger

BATCH = 10
MAX_DELAY = 900  # SQS's longest DelaySeconds / visibility step we use


class Refused(RuntimeError):
    """Messages that are not on the queue (in the order they were given)."""

    def __init__(self, queue: str, unsent: list, reasons: list[str]):
        super().__init__(f"{queue} refused {len(unsent)} messages: {'; '.join(reasons)[:500]}")
        self.unsent = unsent


def _body(message) -> str:
    return message if isinstance(message, str) else values.dumps(message)


def _wait(delay: float) -> int:
    return max(0, min(MAX_DELAY, int(delay + 0.999)))


def send(queue: str, messages: list, *, delay: float = 0, delays: list | None = None) -> int:
    """Put messages (dicts, or JSON text) on queue; returns the requests made.

    Each waits `delay` seconds before it can be received, or its own from
    `delays` (one per message), rounded up to whole seconds.
    """
    if delays is not None and len(delays) != len(messages):
        raise ValueError(f"{len(delays)} delays for {len(messages)} messages")
    waits = [_wait(d) for d in delays] if delays is not None else [_wait(delay)] * len(messages)
    sqs, url = aws.client("sqs"), aws.queue_url(queue)
    requests, unsent, reasons = 0, [], []
    for first in range(0, len(messages), BATCH):
        batch = messages[first : first + BATCH]
        entries = [
            {"Id": str(i), "MessageBody": _body(m), "DelaySeconds": waits[first + i]}
            for i, m in enumerate(batch)
        ]
        requests += 1
        try:
            refused = sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed", [])
        except Exception as error:  # noqa: BLE001 - reported below with the other unsent
            unsent += batch
            reasons.append(f"{type(error).__name__}: {error}")
            continue
        for failure in refused:
            entry = entries[int(failure["Id"])]
            requests += 1
            try:
                sqs.send_message(
                    QueueUrl=url,
                    MessageBody=entry["MessageBody"],
                    DelaySeconds=entry["DelaySeconds"],
                )
            except Exception as error:  # noqa: BLE001 - reported below
                unsent.append(batch[int(failure["Id"])])
                reasons.append(failure.get("Message") or f"{type(error).__name__}")
    if unsent:
        raise Refused(queue, unsent, reasons)
    return requests


def attempt(record: dict) -> int:
    """How many times SQS has handed this record out, this time included."""
    try:
        return int(record.get("attributes", {}).get("ApproximateReceiveCount", "1"))
    except (TypeError, ValueError):
        return 1


def retry_later(queue: str, record: dict, seconds: float) -> None:
    """Show the record again only after seconds (backoff for a failed try)."""
    try:
        aws.client("sqs").change_message_visibility(
            QueueUrl=aws.queue_url(queue),
            ReceiptHandle=record["receiptHandle"],
            VisibilityTimeout=max(0, min(MAX_DELAY, int(seconds))),
        )
    except Exception:  # noqa: BLE001 - the queue's own visibility timeout still applies
        logger.warning("could not delay retry", extra={"message_id": record.get("messageId")})


def claimant(record: dict) -> dict:
    """The owner and attempt of this delivery, for idempotency.claim()."""
    return {"owner": str(record.get("messageId") or ""), "attempt": attempt(record)}


def remaining(context) -> float | None:
    """Seconds this invocation has left, when Lambda's context says."""
    try:
        return context.get_remaining_time_in_millis() / 1000
    except (AttributeError, TypeError, ValueError):
        return None


def each_record(event: dict, handle, *, name: str, context=None, reserve: float = 15) -> dict:
    """The partial-batch reply for event, handle(record) -> True when done."""
    failures = []
    for record in event.get("Records", []):
        left = remaining(context)
        if left is not None and left < reserve:
            count(f"{name}RecordsDeferred")
            failures.append({"itemIdentifier": record.get("messageId", "")})
            continue
        try:
            done = handle(record)
        except Exception:  # noqa: BLE001 - this record is retried, then dead-lettered
            logger.exception(
                f"{name} message failed", extra={"message_id": record.get("messageId")}
            )
            count(f"{name}RecordErrors")
            done = False
        if not done:
            failures.append({"itemIdentifier": record.get("messageId", "")})
    return {"batchItemFailures": failures}
