"""The event catalogue (docs/hooks.md): real actions put events of the documented
shape on the hooks queue. job.* and subscription.notified are driven by their own
capabilities' tests (tests/sites/test_digest_job.py, tests/subscriptions/test_cycle.py),
which read the same queue; here the monitor and mail events, which are cheap to drive."""

import json
from datetime import datetime

import boto3
import pytest

ENVELOPE = {"id", "type", "source", "time", "data"}


@pytest.fixture
def queued_events(aws):
    """The Herald events waiting on the hooks queue (consumed)."""
    from chalicelib.core import aws as clients

    def read() -> list[dict]:
        sqs, found = boto3.client("sqs"), []
        while True:
            got = sqs.receive_message(
                QueueUrl=clients.queue_url("hooks"), MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not got:
                return found
            found += [json.loads(m["Body"])["detail"] for m in got]

    return read


@pytest.fixture
def monitor(aws, client, app, clock):
    """A monitor 'backups' (max_sleep 300 s): ping(suffix), check() runs the checker."""
    from chalicelib.monitors import admin as monitor_admin
    from chalicelib.monitors import store as monitors
    from herald.local.invoke import fire

    monitor_admin.upsert(
        "backups", {"max_sleep": 300, "email_frequency": 3600, "device_email": ["a@example.com"]}
    )
    uuid = monitors.uuid_for("backups")

    class Monitor:
        def ping(self, suffix=""):
            reply = client.http.get(f"/ping/{uuid}" + (f"/{suffix}" if suffix else ""))
            assert reply.status_code == 200

        def check(self):
            clock.shift(60)  # the checker runs every minute, after the ping
            fire(app, "check_monitors")

    return Monitor()


def assert_shape(event: dict, type_: str, source: str, fields: set[str]) -> None:
    assert set(event) == ENVELOPE
    assert (event["type"], event["source"]) == (type_, source)
    assert set(event["data"]) == fields
    assert datetime.fromisoformat(event["time"].replace("Z", "+00:00")).tzinfo is not None
    assert len(json.dumps(event)) < 2000  # small


MONITOR_FIELDS = {"monitor", "notice", "last_ping", "recipients"}


def test_it_emits_monitor_fail_at_the_check_after_a_fail_ping(monitor, queued_events, clock):
    monitor.ping()
    monitor.ping("fail")
    monitor.check()

    (event,) = queued_events()
    assert_shape(event, "monitor.fail", "backups", MONITOR_FIELDS)
    assert event["data"]["monitor"] == "backups" and event["data"]["recipients"] == 1


def test_it_emits_monitor_down_then_up(monitor, queued_events, clock):
    monitor.ping()
    clock.shift(241)
    monitor.check()
    (down,) = queued_events()
    assert_shape(down, "monitor.down", "backups", MONITOR_FIELDS)

    clock.shift(60)
    monitor.ping()
    monitor.check()
    (up,) = queued_events()
    assert_shape(up, "monitor.up", "backups", MONITOR_FIELDS)
    assert up["id"] != down["id"]


def test_it_emits_nothing_for_a_healthy_monitor(monitor, queued_events, clock):
    monitor.ping()
    clock.shift(180)
    monitor.check()
    assert queued_events() == []


def test_it_emits_mail_sent_when_the_outbox_sends(aws, queued_events):
    from chalicelib.core import outbox
    from tests.helpers import sqs_event

    mail = outbox.Mail("ops@example.com", "Hello", "text", kind="test")
    assert outbox.handle(sqs_event([json.dumps(mail.__dict__)])) == {"batchItemFailures": []}

    (event,) = queued_events()
    assert_shape(event, "mail.sent", "ops@example.com", {"mail_id", "kind", "subject"})
    assert event["data"] == {"mail_id": mail.id, "kind": "test", "subject": "Hello"}


def test_it_emits_mail_failed_when_the_last_attempt_fails(aws, queued_events, monkeypatch):
    from chalicelib.core import aws as clients
    from chalicelib.core import outbox
    from tests.helpers import sqs_event

    def refuse(**kwargs):
        raise RuntimeError("SES is down")

    monkeypatch.setattr(clients.client("ses"), "send_raw_email", refuse)
    mail = outbox.Mail("ops@example.com", "Hello", "text", kind="test")
    outbox.handle(sqs_event([json.dumps(mail.__dict__)], receive_count=4))
    assert queued_events() == []  # SQS will try again: not news yet
    outbox.handle(sqs_event([json.dumps(mail.__dict__)], receive_count=5))

    (event,) = queued_events()
    assert_shape(event, "mail.failed", "ops@example.com", {"mail_id", "kind", "error", "attempt"})
    assert event["data"]["attempt"] == 5 and event["data"]["error"] == "RuntimeError"
    assert event["id"] == f"mail-failed:{mail.id}"


def test_a_fail_ping_reaches_a_webhook_in_the_documented_form(
    monitor, make_hook, endpoint, drain, clock
):
    make_hook("monitor.*", arg=endpoint.url, service="backups")
    monitor.ping()
    monitor.ping("fail")
    monitor.check()
    drain()

    (body,) = endpoint.bodies()
    assert set(body) == {"type", "timestamp", "data"}
    assert body["type"] == "monitor.fail"
    assert set(body["data"]) == MONITOR_FIELDS | {"source"}
    assert body["data"]["source"] == "backups"
