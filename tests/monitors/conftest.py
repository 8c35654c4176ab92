"""Fixtures for heartbeat monitoring: monitors, pings through the API, the checker."""

import json

import pytest


@pytest.fixture
def make_monitor(aws):
    from chalicelib.monitors import admin as monitor_admin
    from chalicelib.monitors import store as monitors

    def make(name="backup", **settings):
        # A simple or cron schedule replaces the seed's max_sleep defaults.
        scheduled = "timeout" in settings or "schedule" in settings
        seed = {} if scheduled else {"max_sleep": 300, "email_frequency": 3600}
        values = {**seed, "device_email": ["ops@example.com"], **settings}
        _, item = monitor_admin.upsert(name, values)
        gen = monitors.generation(item)
        return {
            "name": name,
            "uuid": monitors.uuid_for(name, gen),
            "key": monitors.ping_key(name, gen),
        }

    return make


@pytest.fixture
def job(make_monitor, ping):
    """job(**policy): a monitor "job" on a 5-minute timeout and 1 minute of grace
    (down 6 minutes after a ping), pinged now."""

    def make(**policy):
        monitor = make_monitor("job", timeout=300, grace=60, **policy)
        assert ping(monitor).status_code == 200
        return monitor

    return make


@pytest.fixture
def told(run_checker, deliver_outbox, sent_mail):
    """told(): the checker run twice, the outbox delivered: the subjects mailed since."""
    seen = []

    def run() -> list[str]:
        run_checker()
        run_checker()
        deliver_outbox()
        subjects = [mail["Subject"] for mail in sent_mail()]
        new, seen[:] = subjects[len(seen) :], subjects
        return new

    return run


@pytest.fixture
def ping(client):
    """ping(monitor) pings by the original form with its key; returns the reply."""

    def do(monitor, suffix="", method="GET", body=None, headers=None):
        path = f"/ping/{monitor['uuid']}" + (f"/{suffix}" if suffix else "")
        return client.http.request(method, path, body=body or b"", headers=headers or {})

    return do


@pytest.fixture
def run_checker(client):
    def run():
        reply = client.lambda_.invoke("check_monitors", _scheduled())
        return reply.payload

    return run


def draining(app, queue: str):
    """deliver(): what SQS (moto) shows now on `queue`, through its real handler."""
    from herald.local.invoke import queue_handlers
    from herald.local.worker import QueueWorker

    config = next(c for c in queue_handlers(app) if c.queue == queue)

    def deliver():
        return QueueWorker(app, config, wait_seconds=0).drain()

    return deliver


@pytest.fixture
def deliver_outbox(app):
    """Deliver what is on the outbox queue through the real handler (SQS on moto)."""
    return draining(app, "outbox")


@pytest.fixture
def sent_mail(aws):
    from email.parser import BytesParser
    from email.policy import default

    from moto.ses.models import ses_backends

    def sent():
        messages = ses_backends["123456789012"]["us-east-1"].sent_messages
        result = []
        for message in messages:
            raw = message.raw_data
            raw = raw.encode() if isinstance(raw, str) else raw
            result.append(BytesParser(policy=default).parsebytes(raw))
        return result

    return sent


def _scheduled():
    from herald.local.invoke import scheduled_event

    return scheduled_event("check_monitors")


def body_json(reply):
    return json.loads(reply.body)
