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

from chalicelib.core import aws, events, idempotency, sqs
from chalicelib.core.observability import count, logger

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
    """Put mails on the outbox; raises sqs.Refused naming the ones not queued."""
    sqs.send("outbox", [asdict(mail) for mail in mails])


def handle(event: dict) -> dict:
    """SQS batch handler: send each mail, report the ones to retry."""
    return sqs.each_record(event, _deliver, name="Outbox")


def parse(body) -> Mail:
    """The Mail a message holds; ValueError for anything enqueue() would not have sent."""
    fields = json.loads(body)
    if not isinstance(fields, dict):
        raise ValueError("not a mail")
    mail = Mail(**fields)
    texts = (mail.to, mail.subject, mail.text, mail.kind, mail.id)
    if not all(isinstance(value, str) for value in texts):
        raise ValueError("to, subject, text, kind and id must be text")
    if mail.html is not None and not isinstance(mail.html, str):
        raise ValueError("html must be text")
    if not isinstance(mail.headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mail.headers.items()
    ):
        raise ValueError("headers must map text to text")
    return mail


def _deliver(record: dict) -> bool:
    try:
        mail = parse(record.get("body"))
        raw = mail.mime(sender()).as_bytes()
    except Exception as error:  # noqa: BLE001 - whatever it holds, it never becomes sendable
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
    attempt = sqs.attempt(record)
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
        sqs.retry_later("outbox", record, 2**attempt * 10 + random.randint(0, 10))
