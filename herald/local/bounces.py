"""`herald mail bounce`: what SES would report for a captured mail, locally.

The event is built in SES's documented shape (docs/mail.md) for a mail in
.local/mail/ (herald/local/mailbox.py) and published to the mail-events SNS
topic on moto, which puts it on the mail-events queue as on AWS (moto fans
SNS out to SQS subscribers), so the same handler takes it from there.
"""

import json
import os
import re
import uuid
from email.parser import BytesParser
from email.policy import default
from email.utils import parseaddr
from pathlib import Path

KINDS = ("bounce", "transient", "complaint", "delivery")


def captured(reference: str, folder: Path) -> tuple[str, str]:
    """(recipient, Herald mail id) of a captured mail: a file, or its number
    or SES id as in the file's name (0003, 0003-abc...)."""
    path = Path(reference)
    if not path.is_file():
        matches = sorted(folder.glob(f"*{reference}*.eml")) if reference else []
        matches = [m for m in matches if m.name.startswith(reference) or reference in m.stem]
        if len(matches) != 1:
            found = "no" if not matches else f"{len(matches)}"
            raise ValueError(f"{found} captured mail matches {reference!r} in {folder}")
        path = matches[0]
    mail = BytesParser(policy=default).parsebytes(path.read_bytes())
    recipient = parseaddr(str(mail["To"] or ""))[1]
    match = re.fullmatch(r"<([^@>]+)@[^>]*>", str(mail["Message-ID"] or "").strip())
    if not recipient or not match:
        raise ValueError(f"{path} has no To or no Herald Message-ID")
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
    permanent = kind == "bounce"
    failed = {
        "emailAddress": recipient,
        "action": "failed",
        "status": "5.1.1" if permanent else "4.2.2",
        "diagnosticCode": "smtp; 550 5.1.1 user unknown"
        if permanent
        else "smtp; 452 4.2.2 mailbox full",
    }
    detail = {
        "bounceType": "Permanent" if permanent else "Transient",
        "bounceSubType": "NoEmail" if permanent else "MailboxFull",
        "bouncedRecipients": [failed],
        "timestamp": now,
    }
    return {"eventType": "Bounce", "bounce": detail, "mail": mail}


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
    """Publish the event as SES would; returns SNS's MessageId."""
    from chalicelib.core import aws

    reply = aws.client("sns").publish(TopicArn=topic_arn(), Message=json.dumps(record))
    return reply["MessageId"]
