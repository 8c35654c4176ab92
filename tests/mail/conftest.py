"""SES's event documents, in the shapes AWS documents (docs/mail.md), in SNS's
envelope as the mail-events queue holds them; and a way to read moto's SES."""

import json
import uuid
from email import message_from_bytes

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from tests.helpers import sqs_event


def _mail(to: str, mail_id: str) -> dict:
    message_id = f"<{mail_id}@example.com>"
    return {
        "timestamp": "2026-11-02T08:59:58.000Z",
        "source": "herald@example.com",
        "messageId": "010001712a3b4c5d-ses-own-id",
        "destination": [to],
        "headersTruncated": False,
        "headers": [
            {"name": "From", "value": "Herald <herald@example.com>"},
            {"name": "To", "value": to},
            {"name": "Message-ID", "value": message_id},
        ],
        "commonHeaders": {"from": ["herald@example.com"], "to": [to], "messageId": message_id},
        "tags": {"ses:configuration-set": ["herald-dev-mail"]},
    }


def bounce(to, mail_id="mail-1", *, kind="Permanent", subtype="General", code=None) -> dict:
    recipient = {"emailAddress": to, "action": "failed", "status": "5.1.1"}
    recipient["diagnosticCode"] = code or "smtp; 550 5.1.1 user unknown"
    return {
        "eventType": "Bounce",
        "bounce": {
            "bounceType": kind,
            "bounceSubType": subtype,
            "bouncedRecipients": [recipient],
            "timestamp": "2026-11-02T09:00:00.000Z",
            "feedbackId": "0100-feedback",
            "reportingMTA": "dsn; mta.example.org",
        },
        "mail": _mail(to, mail_id),
    }


def complaint(to, mail_id="mail-1") -> dict:
    return {
        "eventType": "Complaint",
        "complaint": {
            "complainedRecipients": [{"emailAddress": to}],
            "timestamp": "2026-11-02T09:00:00.000Z",
            "feedbackId": "0100-feedback",
            "complaintFeedbackType": "abuse",
        },
        "mail": _mail(to, mail_id),
    }


def delivery(to, mail_id="mail-1") -> dict:
    return {
        "eventType": "Delivery",
        "delivery": {
            "timestamp": "2026-11-02T09:00:00.000Z",
            "processingTimeMillis": 546,
            "recipients": [to],
            "smtpResponse": "250 ok",
            "reportingMTA": "a8-70.smtp-out.amazonses.com",
        },
        "mail": _mail(to, mail_id),
    }


def reject(to, mail_id="mail-1") -> dict:
    return {"eventType": "Reject", "reject": {"reason": "Bad content"}, "mail": _mail(to, mail_id)}


def envelope(event: dict, sns_id: str | None = None) -> str:
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": sns_id or str(uuid.uuid4()),
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:herald-dev-mail-events",
            "Message": json.dumps(event),
            "Timestamp": "2026-11-02T09:00:01.000Z",
        }
    )


@pytest.fixture
def deliver(aws):
    """deliver(*bodies, receive_count=1): the mail-events handler's reply."""
    from chalicelib.core.mail import ses_events

    def run(*bodies, receive_count=1):
        return ses_events.handle(sqs_event(list(bodies), receive_count=receive_count))

    return run


def ses_mails() -> list:
    return [
        message_from_bytes(m.raw_data.encode() if isinstance(m.raw_data, str) else m.raw_data)
        for m in ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    ]
