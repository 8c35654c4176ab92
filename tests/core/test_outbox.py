"""The outbox: queued mail is sent through SES once, retried when SES falters."""

import json
from dataclasses import asdict
from email import message_from_bytes

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib.core import outbox
from herald.local.invoke import queue_handlers
from herald.local.worker import QueueWorker
from tests.helpers import sqs_event


def sent():
    return [
        message_from_bytes(m.raw_data.encode() if isinstance(m.raw_data, str) else m.raw_data)
        for m in ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    ]


def worker(app):
    config = next(c for c in queue_handlers(app) if c.name == "outbox_deliver")
    return QueueWorker(app, config, wait_seconds=0)


def test_it_sends_queued_mail_through_ses(app):
    outbox.enqueue(
        [
            outbox.Mail(
                to="ops@example.org",
                subject="backup disconnection detected",
                text="no ping",
                html="<p>no ping</p>",
            )
        ]
    )
    assert worker(app).drain() == 1
    [mail] = sent()
    assert mail["To"] == "ops@example.org"
    assert mail["Subject"] == "backup disconnection detected"
    assert mail["From"] == "Herald <herald@example.com>"
    assert {p.get_content_type() for p in mail.walk()} >= {"text/plain", "text/html"}


def test_it_sends_a_redelivered_message_once(app):
    body = json.dumps(asdict(outbox.Mail(to="a@example.org", subject="s", text="t")))
    assert outbox.handle(sqs_event([body])) == {"batchItemFailures": []}
    assert outbox.handle(sqs_event([body], receive_count=2)) == {"batchItemFailures": []}
    assert len(sent()) == 1


def test_it_batches_enqueues_ten_to_a_request(aws):
    calls = []
    sqs = boto3.client("sqs")
    from chalicelib.core import aws as clients

    clients.client("sqs").meta.events.register(
        "before-call.sqs.SendMessageBatch", lambda **kw: calls.append(1)
    )
    outbox.enqueue([outbox.Mail(to=f"u{i}@example.org", subject="s", text="t") for i in range(25)])
    assert len(calls) == 3
    url = sqs.get_queue_url(QueueName=aws["OutboxQueue"])["QueueUrl"]
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "25"


def test_it_reports_only_the_failed_messages_of_a_batch(app, monkeypatch):
    from chalicelib.core import aws as clients

    ses = clients.client("ses")
    real = ses.send_raw_email

    def flaky(**kwargs):
        if b"To: b@example.org" in kwargs["RawMessage"]["Data"]:
            raise ClientError(
                {"Error": {"Code": "Throttling", "Message": "slow down"}}, "SendRawEmail"
            )
        return real(**kwargs)

    monkeypatch.setattr(ses, "send_raw_email", flaky)
    monkeypatch.setattr(outbox, "_retry_later", lambda record, mail, error: None)
    bodies = [
        json.dumps(asdict(outbox.Mail(to=f"{n}@example.org", subject="s", text="t"))) for n in "abc"
    ]
    assert outbox.handle(sqs_event(bodies)) == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert sorted(m["To"] for m in sent()) == ["a@example.org", "c@example.org"]


def test_a_throttled_message_comes_back_later_and_is_then_sent(app, monkeypatch, clock):
    from chalicelib.core import aws as clients

    ses = clients.client("ses")
    real = ses.send_raw_email
    answers = iter(["throttle"])

    def throttled_once(**kwargs):
        if next(answers, None) == "throttle":
            raise ClientError({"Error": {"Code": "Throttling", "Message": "slow"}}, "SendRawEmail")
        return real(**kwargs)

    monkeypatch.setattr(ses, "send_raw_email", throttled_once)
    outbox.enqueue([outbox.Mail(to="a@example.org", subject="s", text="t")])
    queue = worker(app)
    assert queue.poll_once() == (1, 1)
    assert queue.poll_once() == (0, 0)  # hidden by the backoff
    clock.shift(60)
    assert queue.poll_once() == (1, 0)
    assert len(sent()) == 1


def test_it_drops_a_mail_whose_header_carries_a_line_break(app):
    mail = outbox.Mail(to="a@example.org", subject="hi\r\nBcc: victim@example.org", text="t")
    assert outbox.handle(sqs_event([json.dumps(asdict(mail))])) == {"batchItemFailures": []}
    assert sent() == []


def test_a_mail_refuses_line_breaks_in_headers():
    with pytest.raises(ValueError, match="Subject"):
        outbox.Mail(to="a@example.org", subject="x\nBcc: y@example.org", text="t").mime(
            "h@example.com"
        )


POISON = [
    '{"to": "x@[1.2.3.4", "subject": "s", "text": "t"}',
    '{"to": "a@example.org", "subject": "s", "text": "t", "headers": ["not", "a", "map"]}',
    '{"to": "a@example.org", "subject": "s", "text": {"not": "text"}}',
    '{"to": "a@example.org", "subject": "s", "text": "t", "html": 7}',
    '{"to": "a@example.org", "subject": "s"}',
    '["a list"]',
    "not json",
]


def test_a_poison_message_is_dropped_alone_and_the_good_ones_are_sent(app):
    good = [
        json.dumps(asdict(outbox.Mail(to=f"ok{i}@example.org", subject="s", text="t")))
        for i in range(3)
    ]
    batch = [good[0], *POISON[:4], good[1], *POISON[4:], good[2]]
    assert outbox.handle(sqs_event(batch)) == {"batchItemFailures": []}
    assert sorted(m["To"] for m in sent()) == [
        "ok0@example.org",
        "ok1@example.org",
        "ok2@example.org",
    ]


def test_it_marks_every_mail_auto_submitted_unless_told_otherwise():
    plain = outbox.Mail(to="a@example.org", subject="s", text="t").mime("h@example.com")
    assert plain["Auto-Submitted"] == "auto-generated"
    own = outbox.Mail(to="a@example.org", subject="s", text="t", headers={"Auto-Submitted": "no"})
    assert own.mime("h@example.com").get_all("Auto-Submitted") == ["no"]


def test_it_sends_through_the_configuration_set_when_one_is_named(app, monkeypatch):
    from chalicelib.core import aws as clients

    calls = []
    clients.client("ses").meta.events.register(
        "provide-client-params.ses.SendRawEmail", lambda params, **kw: calls.append(dict(params))
    )
    body = json.dumps(asdict(outbox.Mail(to="a@example.org", subject="s", text="t")))
    outbox.handle(sqs_event([body]))
    monkeypatch.delenv("MAIL_CONFIGURATION_SET")
    outbox.handle(sqs_event([json.dumps(asdict(outbox.Mail(to="b@x.org", subject="s", text="t")))]))
    assert [c.get("ConfigurationSetName") for c in calls] == ["herald-dev-mail", None]


def test_it_keeps_a_long_list_unsubscribe_url_whole_so_mail_clients_offer_it():
    url = "https://abc123.execute-api.eu-west-1.amazonaws.com/api/mail/unsubscribe/" + "x" * 90
    header = f"<{url}>, <mailto:ops@example.org?subject=unsubscribe>"
    mail = outbox.Mail(to="a@example.org", subject="caf\u00e9 " * 30, text="t",
                       headers={"List-Unsubscribe": header})  # fmt: skip
    raw = mail.mime("h@example.com").as_bytes()
    assert f"List-Unsubscribe: <{url}>,\n <mailto:".encode() in raw  # folded between URIs only
    assert " ".join(message_from_bytes(raw)["List-Unsubscribe"].split()) == header
    assert b"Subject: =?utf-8?" in raw  # other headers folded and encoded as before
