"""The outbox: every mail Herald sends goes through one SQS queue.

Producers (alerts, notifications) call enqueue(); the queue handler sends
each message through SES. A message carries its own id, and sending is
claimed under that id, so a message SQS delivers twice is sent once.
Throttling and transient SES errors are retried with a growing visibility
timeout; what keeps failing moves to the dead-letter queue by the queue's
redrive policy.

A mail to an address on the suppression list (chalicelib/core/mail/
suppressions.py: SES reported it bouncing or complaining) is not sent: it is
logged, counted, announced as mail.suppressed and dropped. Every send names
the configuration set (MAIL_CONFIGURATION_SET) whose events feed that list.
"""

import hashlib
import json
import os
import random
import re
import uuid
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formataddr, formatdate, parseaddr

from chalicelib.core import aws, events, idempotency, sqs
from chalicelib.core.observability import count, logger

SENT_TTL = 7 * 24 * 3600
LAST_ATTEMPT = 5  # the queues' maxReceiveCount (infra/resources.yaml)
RESERVE = 15  # seconds a record may take (SES's reply, a few DynamoDB writes)
RETRYABLE = {
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "ServiceUnavailable",
    "InternalFailure",
    "RequestTimeout",
    "ProvisionedThroughputExceededException",  # DynamoDB, for the claim
    "InternalServerError",
    "RequestLimitExceeded",
}
MAX_ID = 200  # a mail id becomes part of a DynamoDB key (2 KB at most)


class _Policy(EmailPolicy):
    """Python's folding turns a URI longer than a line into RFC 2047 encoded
    words (=?utf-8?q?...), which no mail client reads as a link: List-Unsubscribe
    (RFC 2369) is folded between its <URI>s only, each kept whole."""

    def fold_binary(self, name, value):
        text = str(value)
        if name.lower() != "list-unsubscribe" or not text.isascii():
            return super().fold_binary(name, value)
        return f"{name}: {text.replace('>, <', '>,' + self.linesep + ' <')}{self.linesep}".encode()


POLICY = _Policy()


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
        message = EmailMessage(policy=POLICY)
        for name, value in (
            ("From", sender),
            ("To", self.to),
            ("Subject", self.subject),
            *self.headers.items(),
        ):
            if "\n" in str(value) or "\r" in str(value):
                raise ValueError(f"line break in mail header {name}")
            message[name] = value
        # RFC 3834: no auto-reply to an automatic mail (vacation replies, loops).
        if "Auto-Submitted" not in message:
            message["Auto-Submitted"] = "auto-generated"
        message["Date"] = formatdate(usegmt=True)
        # Stable across retries: a receiver can drop a copy sent twice by its Message-ID.
        message["Message-ID"] = message_id(self.id, sender)
        message.set_content(self.text)
        if self.html is not None:
            message.add_alternative(self.html, subtype="html")
        return message


def message_id(mail_id: str, sender: str) -> str:
    """The mail's Message-ID, derived from its id alone (the same on every send)."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "herald.invalid"
    if not re.fullmatch(r"[A-Za-z0-9._-]+", mail_id):
        mail_id = hashlib.sha256(mail_id.encode()).hexdigest()[:32]
    return f"<{mail_id}@{domain}>"


def sender() -> str:
    name = os.environ.get("SYSTEM_NAME", "Herald")
    return formataddr((name, os.environ["MAIL_SENDER"]))


def enqueue(mails: list[Mail]) -> None:
    """Put mails on the outbox; raises sqs.Refused naming the ones not queued."""
    sqs.send("outbox", [asdict(mail) for mail in mails])


def tell_operator(subject: str, text: str, *, kind: str, id: str) -> None:
    """One mail to the deployment's operator (OPERATOR_EMAIL; none set, none
    sent); a fixed id makes a retried caller's mail go once."""
    address = os.environ.get("OPERATOR_EMAIL")
    if address:
        enqueue([Mail(to=address, subject=subject, text=text, kind=kind, id=id)])


def handle(event: dict, context=None) -> dict:
    """SQS batch handler: send each mail, report the ones to retry."""
    return sqs.each_record(event, _deliver, name="Outbox", context=context, reserve=RESERVE)


def parse(body) -> Mail:
    """The Mail a message holds; ValueError for anything enqueue() would not have sent."""
    fields = json.loads(body)
    if not isinstance(fields, dict):
        raise ValueError("not a mail")
    mail = Mail(**fields)
    texts = (mail.to, mail.subject, mail.text, mail.kind, mail.id)
    if not all(isinstance(value, str) for value in texts):
        raise ValueError("to, subject, text, kind and id must be text")
    if not 0 < len(mail.id) <= MAX_ID:
        raise ValueError("id must be 1 to 200 characters")
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
    # Before the claim: a suppressed mail claims nothing, so once the address
    # is lifted the same mail id (re-enqueued) still goes out; and the check is
    # a read, harmless to repeat on a redelivery (mail.suppressed has a fixed id).
    try:
        if _suppressed(mail):
            return True
    except Exception as error:  # noqa: BLE001 - unknown yet: retried, then dead-lettered
        _retry_later(record, mail, error)
        return False
    claim = f"mail:{mail.id}"
    try:
        if not idempotency.claim(claim, ttl=SENT_TTL, **sqs.claimant(record)):
            return _claimed_elsewhere(record, mail, claim)
    except Exception as error:  # noqa: BLE001 - not claimed: retried, then dead-lettered
        _retry_later(record, mail, error)
        return False
    try:
        aws.client("ses").send_raw_email(RawMessage={"Data": raw}, **_configuration_set())
    except Exception as error:  # noqa: BLE001 - every failure is retried or dead-lettered
        idempotency.release(claim)
        _retry_later(record, mail, error)
        return False
    # SES accepted it: from here on nothing may make SQS deliver it again.
    idempotency.complete(claim)
    _announce(mail)
    return True


def _claimed_elsewhere(record: dict, mail: Mail, claim: str) -> bool:
    """Done: drop the copy. Held by another worker: look again once its lease
    could have lapsed (it may have died), never assume it sent the mail."""
    if idempotency.is_done(claim):
        logger.info("mail already sent", extra={"mail_id": mail.id})
        return True
    sqs.retry_later("outbox", record, idempotency.LEASE + random.randint(1, 10))
    return False


def _configuration_set() -> dict:
    """The set whose events feed the suppression list; none where it is not set."""
    name = os.environ.get("MAIL_CONFIGURATION_SET")
    return {"ConfigurationSetName": name} if name else {}


def _suppressed(mail: Mail) -> bool:
    """True (and told) when the mail's address is on the suppression list."""
    from chalicelib.core.mail import suppressions

    entry = suppressions.is_suppressed(mail.to)
    if entry is None:
        return False
    details = {"mail_id": mail.id, "kind": mail.kind, "reason": entry.get("reason")}
    logger.warning("mail suppressed", extra={**details, "to": mail.to})
    count("MailSuppressed")
    events.emit("mail.suppressed", mail.to, details, event_id=f"mail-suppressed:{mail.id}")
    return True


def _announce(mail: Mail) -> None:
    try:
        logger.info("mail.sent", extra={"mail_id": mail.id, "kind": mail.kind, "to": mail.to})
        count("MailSent")
        events.emit(
            "mail.sent",
            mail.to,
            {"mail_id": mail.id, "kind": mail.kind, "subject": mail.subject},
            event_id=f"mail-sent:{mail.id}",
        )
    except Exception:  # noqa: BLE001 - the mail is sent; its news must not resend it
        logger.exception("mail.sent not announced", extra={"mail_id": mail.id})


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
