"""SES's events for a captured mail, made up locally: `herald mail bounce` and
the dashboard's "Simulate a bounce" button both come here, so there is one
way a simulated event travels.

The event is built in SES's documented shape (docs/mail.md) for a mail as
`make run` captured it (its To and Herald's Message-ID) and published to
the mail-events SNS topic on moto, which puts it on the mail-events queue as
SNS does on AWS; ses_events.py takes it from there, as it would a real one.
Never on AWS: there SES reports real bounces, and a made-up one would
suppress a working address.
"""

import json
import os
import re
import uuid
from email.parser import BytesParser
from email.policy import default
from email.utils import parseaddr

from chalicelib.core import errors, settings

KINDS = ("bounce", "transient", "complaint", "delivery")


def of_message(raw: bytes) -> tuple[str, str]:
    """(recipient, Herald mail id) of a captured message; ValueError without them."""
    mail = BytesParser(policy=default).parsebytes(raw, headersonly=True)
    try:
        recipient = parseaddr(str(mail["To"] or ""))[1]
        message_id = str(mail["Message-ID"] or "").strip()
    except (ValueError, TypeError, IndexError):  # a malformed header: as absent
        recipient, message_id = "", ""
    match = re.fullmatch(r"<([^@>]+)@[^>]*>", message_id)
    if not recipient or not match:
        raise ValueError("no To or no Herald Message-ID")
    return recipient, match.group(1)


def event(recipient: str, mail_id: str, *, kind: str = "bounce") -> dict:
    """An SES event-publishing record for the mail (Bounce, Complaint, Delivery)."""
    now = "2026-01-01T00:00:00.000Z"
    message_id = f"<{mail_id}@{os.environ.get('MAIL_SENDER', 'x@herald.invalid').split('@')[-1]}>"
    mail = {
        "timestamp": now,
        "source": os.environ.get("MAIL_SENDER", ""),
        "messageId": uuid.uuid4().hex,
        "destination": [recipient],
        "headersTruncated": False,
        "headers": [
            {"name": "To", "value": recipient},
            {"name": "Message-ID", "value": message_id},
        ],
        "commonHeaders": {"to": [recipient], "messageId": message_id},
    }
    if kind == "complaint":
        detail = {"complainedRecipients": [{"emailAddress": recipient}], "timestamp": now}
        return {"eventType": "Complaint", "complaint": detail, "mail": mail}
    if kind == "delivery":
        detail = {"recipients": [recipient], "timestamp": now, "smtpResponse": "250 ok"}
        return {"eventType": "Delivery", "delivery": detail, "mail": mail}
    return {
        "eventType": "Bounce",
        "bounce": _bounce(recipient, kind == "bounce", now),
        "mail": mail,
    }


def _bounce(recipient: str, permanent: bool, now: str) -> dict:
    failed = {
        "emailAddress": recipient,
        "action": "failed",
        "status": "5.1.1" if permanent else "4.2.2",
        "diagnosticCode": "smtp; 550 5.1.1 user unknown"
        if permanent
        else "smtp; 452 4.2.2 mailbox full",
    }
    return {
        "bounceType": "Permanent" if permanent else "Transient",
        "bounceSubType": "NoEmail" if permanent else "MailboxFull",
        "bouncedRecipients": [failed],
        "timestamp": now,
    }


def topic_arn() -> str:
    """The mail-events topic (named as its queue is: herald-<stage>-mail-events)."""
    from chalicelib.core import aws

    name = os.environ["MAIL_EVENTS_QUEUE"]
    for page in aws.client("sns").get_paginator("list_topics").paginate():
        for topic in page["Topics"]:
            if topic["TopicArn"].rsplit(":", 1)[-1] == name:
                return topic["TopicArn"]
    raise LookupError(f"no SNS topic {name}")


def publish(record: dict) -> str:
    """Publish the event as SES would; returns SNS's MessageId. Refused in a
    Lambda: callers check for local mode (the CLI its target, the dashboard
    settings.local_mode()), this is the last word."""
    from chalicelib.core import aws

    if settings.in_lambda():
        raise errors.NotFound("simulated mail events are for local mode only")
    reply = aws.client("sns").publish(TopicArn=topic_arn(), Message=json.dumps(record))
    return reply["MessageId"]
