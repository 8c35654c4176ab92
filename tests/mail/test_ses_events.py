"""SES's events through the mail-events handler: the suppression list they build."""

import json
from dataclasses import asdict

from chalicelib.core import outbox
from chalicelib.core.mail import suppressions
from tests.helpers import sqs_event
from tests.mail.conftest import bounce, complaint, delivery, envelope, reject, ses_mails

OK = {"batchItemFailures": []}


def outbox_mails():
    """Mails waiting on the outbox (consumed)."""
    import boto3

    from chalicelib.core import aws as clients

    sqs, found = boto3.client("sqs"), []
    while got := sqs.receive_message(
        QueueUrl=clients.queue_url("outbox"), MaxNumberOfMessages=10, WaitTimeSeconds=0
    ).get("Messages", []):
        found += [json.loads(m["Body"]) for m in got]
    return found


def test_it_suppresses_a_permanently_bounced_address_with_the_reason(deliver, clock):
    event = bounce("Gone@Example.org", "mon-abc-1", subtype="NoEmail")
    assert deliver(envelope(event)) == OK
    entry = suppressions.is_suppressed("gone@example.org")
    assert entry["reason"].startswith("mailbox does not exist")
    assert "550 5.1.1 user unknown" in entry["reason"]
    assert entry["mail_id"] == "mon-abc-1"
    assert entry["kind"] == "bounce"
    assert entry["since"].startswith("2026-11-02T09:00")


def test_it_suppresses_a_complaining_address(deliver):
    assert deliver(envelope(complaint("angry@example.org"))) == OK
    assert suppressions.is_suppressed("angry@example.org")["reason"] == "complaint"


def test_it_records_an_event_delivered_twice_once(deliver, monkeypatch):
    monkeypatch.setenv("OPERATOR_EMAIL", "operator@example.com")
    body = envelope(bounce("gone@example.org"), sns_id="sns-1")
    assert deliver(body) == OK
    assert deliver(body, receive_count=2) == OK
    assert len(suppressions.all_entries()) == 1
    notices = [m for m in outbox_mails() if m["to"] == "operator@example.com"]
    assert len(notices) == 1
    assert "gone@example.org" in notices[0]["subject"]


def test_it_tells_the_operator_once_per_suppression_and_never_about_themselves(
    deliver, monkeypatch
):
    monkeypatch.setenv("OPERATOR_EMAIL", "Operator@example.com")
    deliver(envelope(bounce("gone@example.org")))
    deliver(envelope(complaint("gone@example.org")))  # already suppressed: no second notice
    deliver(envelope(bounce("operator@example.com")))
    assert [m["to"] for m in outbox_mails()] == ["Operator@example.com"]
    assert suppressions.is_suppressed("operator@example.com")


def test_three_transient_bounces_in_a_row_suppress(deliver):
    for _ in range(2):
        deliver(envelope(bounce("full@example.org", kind="Transient", subtype="MailboxFull")))
    assert suppressions.is_suppressed("full@example.org") is None
    deliver(envelope(bounce("full@example.org", kind="Transient", subtype="MailboxFull")))
    entry = suppressions.is_suppressed("full@example.org")
    assert entry["kind"] == "transient-bounce"
    assert entry["reason"].startswith("3 transient bounces in a row (last: mailbox full")


def test_a_delivery_between_transient_bounces_starts_the_count_again(deliver):
    transient = bounce("full@example.org", kind="Transient", subtype="MailboxFull")
    deliver(envelope(transient), envelope(transient))
    deliver(envelope(delivery("full@example.org")))
    deliver(envelope(transient), envelope(transient))
    assert suppressions.is_suppressed("full@example.org") is None


def test_a_transient_bounce_delivered_twice_counts_once(deliver):
    transient = bounce("full@example.org", kind="Transient")
    deliver(envelope(transient))
    again = envelope(transient, sns_id="sns-again")
    deliver(again)
    deliver(again, receive_count=2)
    assert suppressions.is_suppressed("full@example.org") is None


def test_a_reject_or_a_delivery_suppresses_no_one(deliver):
    assert deliver(envelope(reject("a@example.org")), envelope(delivery("b@example.org"))) == OK
    assert suppressions.all_entries() == []


def test_it_drops_a_message_that_is_not_an_ses_event(deliver):
    bodies = [
        "not json",
        json.dumps({"Type": "SubscriptionConfirmation", "MessageId": "x"}),
        json.dumps({"Type": "Notification", "MessageId": "y", "Message": "{}"}),
        json.dumps({"Type": "Notification", "MessageId": "z", "Message": '{"eventType": "Open"}'}),
        json.dumps([1, 2]),
    ]
    assert deliver(*bodies) == OK
    assert suppressions.all_entries() == []


def test_the_outbox_skips_a_suppressed_address_and_announces_it(deliver, app, clock):
    deliver(envelope(bounce("gone@example.org")))
    mails = [
        outbox.Mail(to="Gone <GONE@example.org>", subject="down", text="t", id="m-gone"),
        outbox.Mail(to="ops@example.org", subject="down", text="t", id="m-ops"),
    ]
    reply = outbox.handle(sqs_event([json.dumps(asdict(m)) for m in mails]))
    assert reply == OK
    assert [m["To"] for m in ses_mails()] == ["ops@example.org"]


def test_lifting_a_suppression_lets_the_next_mail_go_out(deliver, app):
    deliver(envelope(bounce("gone@example.org")))
    body = json.dumps(asdict(outbox.Mail(to="gone@example.org", subject="s", text="t", id="x")))
    outbox.handle(sqs_event([body]))
    assert ses_mails() == []
    suppressions.lift("gone@example.org")
    outbox.handle(sqs_event([body], receive_count=2))
    assert [m["To"] for m in ses_mails()] == ["gone@example.org"]
