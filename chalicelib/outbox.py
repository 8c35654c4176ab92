"""The outbox: every mail Herald sends goes through one SQS queue.

Producers (alerts, notifications) call enqueue(); the queue handler sends
each message through SES. A message carries its own id, and sending is
claimed under that id, so a message SQS delivers twice is sent once.
Throttling and transient SES errors are retried with a growing visibility
timeout; what keeps failing moves to the dead-letter queue by the queue's
redrive policy.
"""

import json
import os
import random
import uuid
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from chalicelib import aws, events, idempotency
from chalicelib.observability import count, logger

SENT_TTL = 7 * 24 * 3600
LAST_ATTEMPT = 5  # the queues' maxReceiveCount (infra/resources.yaml)
RETRYABLE = {
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "ServiceUnavailable",
    "InternalFailure",
    "RequestTimeout",
}


@dataclass
class Mail:
    to: str
    subject: str
    text: str
    html: str | None = None
    headers: dict = field(default_factory=dict)
    kind: str = "mail"
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def mime(self, sender: str) -> EmailMessage:
        """The MIME message; raises ValueError on a header with a line break."""
        message = EmailMessage()
        for name, value in (
            ("From", sender),
            ("To", self.to),
            ("Subject", self.subject),
            *self.headers.items(),
        ):
            if "\n" in str(value) or "\r" in str(value):
                raise ValueError(f"line break in mail header {name}")
            message[name] = value
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = make_msgid(idstring=self.id, domain=sender.rpartition("@")[2])
        message.set_content(self.text)
        if self.html is not None:
            message.add_alternative(self.html, subtype="html")
        return message


def sender() -> str:
    name = os.environ.get("SYSTEM_NAME", "Herald")
    return formataddr((name, os.environ["MAIL_SENDER"]))


def enqueue(mails: list[Mail]) -> None:
    """Put mails on the outbox, ten to a request."""
    sqs = aws.client("sqs")
    for start in range(0, len(mails), 10):
        batch = mails[start : start + 10]
        result = sqs.send_message_batch(
            QueueUrl=aws.queue_url("outbox"),
            Entries=[
                {"Id": str(i), "MessageBody": json.dumps(asdict(m))} for i, m in enumerate(batch)
            ],
        )
        if result.get("Failed"):
            raise RuntimeError(
                f"outbox refused {len(result['Failed'])} messages: {result['Failed']}"
            )


def handle(event: dict) -> dict:
    """SQS batch handler: send each mail, report the ones to retry."""
    failures = []
    for record in event["Records"]:
        if not _deliver(record):
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def _deliver(record: dict) -> bool:
    try:
        mail = Mail(**json.loads(record["body"]))
        raw = mail.mime(sender()).as_bytes()
    except (ValueError, TypeError) as error:
        # A malformed message never becomes sendable: log it and drop it.
        logger.error("outbox message dropped", extra={"error": str(error)})
        count("MailDropped")
        return True
    try:
        with idempotency.once(f"mail:{mail.id}", ttl=SENT_TTL) as first:
            if first:
                aws.client("ses").send_raw_email(RawMessage={"Data": raw})
                logger.info(
                    "mail.sent", extra={"mail_id": mail.id, "kind": mail.kind, "to": mail.to}
                )
                count("MailSent")
                events.emit(
                    "mail.sent",
                    mail.to,
                    {"mail_id": mail.id, "kind": mail.kind, "subject": mail.subject},
                    event_id=f"mail-sent:{mail.id}",
                )
            else:
                logger.info("mail already sent", extra={"mail_id": mail.id})
        return True
    except Exception as error:  # noqa: BLE001 - every failure is retried or dead-lettered
        _retry_later(record, mail, error)
        return False


def _retry_later(record: dict, mail: Mail, error: Exception) -> None:
    code = getattr(error, "response", {}).get("Error", {}).get("Code", type(error).__name__)
    attempt = int(record.get("attributes", {}).get("ApproximateReceiveCount", "1"))
    logger.warning("mail not sent", extra={"mail_id": mail.id, "error": code, "attempt": attempt})
    count("MailFailed")
    if attempt >= LAST_ATTEMPT:
        # Only the attempt before the dead-letter queue is news for hooks.
        events.emit(
            "mail.failed",
            mail.to,
            {"mail_id": mail.id, "kind": mail.kind, "error": code, "attempt": attempt},
            event_id=f"mail-failed:{mail.id}",
        )
    if code in RETRYABLE:
        # Back off: SQS shows the message again after this many seconds.
        delay = min(900, 2**attempt * 10 + random.randint(0, 10))
        try:
            aws.client("sqs").change_message_visibility(
                QueueUrl=aws.queue_url("outbox"),
                ReceiptHandle=record["receiptHandle"],
                VisibilityTimeout=delay,
            )
        except Exception:  # noqa: BLE001 - the default visibility timeout still applies
            logger.warning("could not delay retry", extra={"mail_id": mail.id})
