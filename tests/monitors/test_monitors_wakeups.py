"""Alerts within seconds: the checker hands what is due within the minute to delayed wake-ups.

The clock is the test's (moto's delayed messages follow it too): a wake-up
is received only once the clock has passed its DelaySeconds. Nothing sleeps.
"""

import io
import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import pytest

from tests.helpers import dynamodb_requests, sqs_event
from tests.monitors.conftest import draining

DEADLINE = datetime(2026, 11, 2, 9, 5, tzinfo=UTC)  # a default monitor pinged at 09:00


@pytest.fixture
def deliver_wakeups(app):
    """Deliver the wake-ups SQS (moto) shows now through the real handler; returns how many."""
    return draining(app, "wakeups")


@pytest.fixture
def sqs_requests(aws):
    """sqs_requests() -> a list that the SQS operations made inside the block fill."""
    import contextlib

    from chalicelib.core import aws as clients

    @contextlib.contextmanager
    def counting():
        calls, events = [], clients.client("sqs").meta.events

        def seen(params, model, **kwargs):
            calls.append((model.name, params.get("QueueUrl", "").rsplit("/", 1)[-1]))

        events.register("before-parameter-build.sqs", seen)
        try:
            yield calls
        finally:
            events.unregister("before-parameter-build.sqs", seen)

    return counting


@pytest.fixture
def log_stream(monkeypatch):
    from chalicelib.core import observability

    stream = io.StringIO()
    monkeypatch.setattr(observability.logger.registered_handler, "stream", stream)
    return stream


def _at_the_run_before_the_deadline(monitor, ping, run_checker, clock) -> dict:
    ping(monitor)  # 09:00:00: max_sleep 300, so late from just after 09:05:00
    clock.shift(270)  # 09:04:30: the deadline is 30 s away
    return run_checker()


def test_it_alerts_a_monitor_at_its_deadline_not_at_the_next_checker_run(
    make_monitor, ping, run_checker, deliver_wakeups, deliver_outbox, sent_mail, clock
):
    monitor = make_monitor()
    assert _at_the_run_before_the_deadline(monitor, ping, run_checker, clock) == {
        "looked_at": 0,
        "notices": 0,
        "handed_off": 1,
    }
    clock.shift(30)  # 09:05:00, the deadline: not late yet, and the wake-up still waits
    assert deliver_wakeups() == 0
    clock.shift(1)  # 09:05:01
    assert deliver_wakeups() == 1
    deliver_outbox()
    [mail] = sent_mail()
    assert mail["Subject"] == "backup disconnection detected"
    assert (parsedate_to_datetime(mail["Date"]) - DEADLINE).total_seconds() == 1
    clock.shift(29)  # the next checker run, 09:05:30: nothing left for it
    assert run_checker() == {"looked_at": 0, "notices": 0, "handed_off": 0}
    deliver_outbox()
    assert len(sent_mail()) == 1


@pytest.mark.parametrize("before", ["ping", "pause", "delete"])
def test_it_does_nothing_when_the_monitor_changed_before_the_wake_up(
    make_monitor, ping, run_checker, deliver_wakeups, deliver_outbox, sent_mail, clock, before
):
    from chalicelib.monitors import admin, store

    monitor = make_monitor()
    _at_the_run_before_the_deadline(monitor, ping, run_checker, clock)
    clock.shift(20)
    if before == "ping":
        assert ping(monitor).status_code == 200  # the deadline moves to 09:09:50
    elif before == "pause":
        admin.set_paused("backup", True)
    else:
        admin.delete("backup")
    was = store.get("backup")
    clock.shift(15)  # 09:05:05: the wake-up arrives
    with dynamodb_requests() as calls:
        assert deliver_wakeups() == 1
    assert calls == ["GetItem"]  # one consistent read, no write
    assert store.get("backup") == was
    deliver_outbox()
    assert sent_mail() == []


@pytest.mark.parametrize("first", ["wake-up", "checker"])
def test_it_sends_one_notice_when_woken_twice_and_the_backstop_runs_too(
    make_monitor, ping, run_checker, deliver_wakeups, deliver_outbox, sent_mail, clock, first
):
    from chalicelib.core import sqs

    monitor = make_monitor(device_email=["ops@example.com", "oncall@example.com"])
    _at_the_run_before_the_deadline(monitor, ping, run_checker, clock)
    [wake] = _queued_wakeups()
    sqs.send("wakeups", [wake["Body"]])  # SQS delivers at least once: the same wake-up again
    clock.shift(31)  # 09:05:01: both wake-ups are due, and the backstop runs now too
    if first == "checker":
        assert run_checker()["notices"] == 1
        assert deliver_wakeups() == 2
    else:
        assert deliver_wakeups() == 2
        assert run_checker()["notices"] == 0
    deliver_outbox()
    assert sorted(m["To"] for m in sent_mail()) == ["oncall@example.com", "ops@example.com"]


def test_it_sends_one_notice_when_the_backstop_claims_between_its_read_and_its_claim(
    make_monitor, ping, run_checker, deliver_wakeups, deliver_outbox, sent_mail, clock, monkeypatch
):
    from chalicelib.monitors import checker

    monitor = make_monitor()
    _at_the_run_before_the_deadline(monitor, ping, run_checker, clock)
    process, raced = checker.process, []

    def backstop_first(item, now):
        monkeypatch.setattr(checker, "process", process)
        raced.append(checker.run())  # the checker alerts from its own read ...
        return process(item, now)  # ... then the wake-up claims from the stale one

    monkeypatch.setattr(checker, "process", backstop_first)
    clock.shift(31)
    assert deliver_wakeups() == 1
    assert [run["notices"] for run in raced] == [1]
    deliver_outbox()
    assert len(sent_mail()) == 1


def test_it_makes_no_sqs_request_for_healthy_monitors_far_from_their_deadline(
    make_monitor, ping, run_checker, clock, sqs_requests
):
    from chalicelib.monitors import due_index

    for n in range(20):
        ping(make_monitor(f"healthy-{n}"))  # due at 09:05
    clock.shift(60)  # 09:01: four minutes before any deadline
    with sqs_requests() as sqs, dynamodb_requests() as dynamodb:
        assert run_checker() == {"looked_at": 0, "notices": 0, "handed_off": 0}
    assert sqs == []
    assert dynamodb == ["Query"] * due_index.shards()  # one per shard, as before wake-ups

    for n in range(12):
        ping(make_monitor(f"soon-{n}", max_sleep=60))  # due at 09:02
    clock.shift(10)
    with sqs_requests() as sqs, dynamodb_requests() as dynamodb:
        assert run_checker()["handed_off"] == 12
    assert [call for call in sqs if call[0] != "GetQueueUrl"] == [
        ("SendMessageBatch", "herald-dev-wakeups")
    ] * 2  # ten to a request
    assert dynamodb == ["Query"] * due_index.shards()


def test_it_delays_each_wake_up_to_just_after_its_own_deadline(
    make_monitor, ping, run_checker, deliver_wakeups, clock
):
    ping(make_monitor("in-20-s", max_sleep=20))  # due at 09:00:20
    clock.shift(0.5)
    ping(make_monitor("in-45-s", max_sleep=45))  # due at 09:00:45.5
    # At 09:00:00.5: 19.5 s rounded up, plus one; then 45 s, plus one.
    assert run_checker()["handed_off"] == 2
    clock.shift(20.9)
    assert deliver_wakeups() == 0
    clock.shift(0.1)  # 09:00:21.5
    assert deliver_wakeups() == 1
    clock.shift(24.9)
    assert deliver_wakeups() == 0
    clock.shift(0.1)  # 09:00:46.5
    assert deliver_wakeups() == 1


def test_it_wakes_again_when_a_monitor_turns_late_and_its_grace_ends_within_the_minute(
    make_monitor, ping, run_checker, deliver_wakeups, deliver_outbox, sent_mail, clock
):
    from chalicelib.monitors import store

    ping(make_monitor("nightly", timeout=300, grace=20))  # late after 09:05, down after 09:05:20
    clock.shift(270)
    assert run_checker()["handed_off"] == 1
    clock.shift(31)  # 09:05:01
    assert deliver_wakeups() == 1
    assert store.get("nightly")["status"] == "late"
    clock.shift(20)  # 09:05:21, before the next checker run at 09:05:30
    assert deliver_wakeups() == 1
    deliver_outbox()
    assert [m["Subject"] for m in sent_mail()] == ["nightly disconnection detected"]


def test_it_leaves_what_sqs_refuses_to_the_next_checker_run(
    make_monitor, ping, run_checker, deliver_outbox, sent_mail, clock, monkeypatch
):
    from chalicelib.core import aws

    sqs, down = aws.client("sqs"), [True]
    real = sqs.send_message_batch

    def refuse(**kwargs):
        if down:
            raise RuntimeError("SQS is down")
        return real(**kwargs)

    monkeypatch.setattr(sqs, "send_message_batch", refuse)
    monitor = make_monitor()
    assert _at_the_run_before_the_deadline(monitor, ping, run_checker, clock) == {
        "looked_at": 0,
        "notices": 0,
        "handed_off": 0,
    }
    down.clear()
    clock.shift(60)  # 09:05:30: the backstop
    assert run_checker()["notices"] == 1
    deliver_outbox()
    assert len(sent_mail()) == 1


MALFORMED = [
    "not json",
    "[1, 2]",
    json.dumps({"pk": "MON#" + "0" * 32, "sk": "MON"}),
    json.dumps({"pk": "CORE#x", "sk": "MON", "due_at": "1", "until": "2"}),
    json.dumps({"pk": "MON#" + "0" * 32, "sk": "LOG", "due_at": "1", "until": "2"}),
    json.dumps({"pk": "MON#" + "0" * 32, "sk": "MON", "due_at": "soon", "until": "2"}),
    json.dumps({"pk": "MON#" + "0" * 32, "sk": "MON", "due_at": "1", "until": "NaN"}),
]


def test_it_drops_a_malformed_wake_up_with_a_log(client, log_stream):
    with dynamodb_requests() as calls:
        reply = client.lambda_.invoke("wake_monitors", sqs_event(MALFORMED, queue="wakeups"))
    assert reply.payload == {"batchItemFailures": []}  # deleted, never redelivered
    assert calls == []
    dropped = [line for line in log_stream.getvalue().splitlines() if "wake-up dropped" in line]
    assert [json.loads(line)["message_id"] for line in dropped] == [
        f"m-{n}" for n in range(len(MALFORMED))
    ]


def _queued_wakeups() -> list[dict]:
    """What the wake-up queue holds, delayed or not (read through moto's backend)."""
    from moto.sqs.models import sqs_backends

    queue = sqs_backends["123456789012"]["us-east-1"].get_queue("herald-dev-wakeups")
    return [{"Body": message.body} for message in queue._messages]


def test_it_alerts_a_cron_monitor_within_seconds_of_its_deadline(
    make_monitor, ping, run_checker, deliver_wakeups, deliver_outbox, sent_mail, clock
):
    # Every minute, 10 s of grace: pinged at 09:00:00, late after 09:01:00,
    # down after 09:01:10. The ping's coarse look (09:00:10) is the 09:00:30
    # run's, which hands the exact deadline to a wake-up.
    ping(make_monitor("minutely", schedule="* * * * *", grace=10))
    clock.shift(30)
    assert run_checker()["looked_at"] == 1
    clock.shift(31)  # 09:01:01
    assert deliver_wakeups() == 1  # late now: the grace ends within the minute
    clock.shift(10)  # 09:01:11, before the next checker run at 09:01:30
    assert deliver_wakeups() == 1
    deliver_outbox()
    [mail] = sent_mail()
    assert mail["Subject"] == "minutely disconnection detected"
    assert parsedate_to_datetime(mail["Date"]) == datetime(2026, 11, 2, 9, 1, 11, tzinfo=UTC)


def test_it_alerts_a_run_that_outlasts_a_short_max_runtime_within_seconds(
    make_monitor, ping, deliver_wakeups, deliver_outbox, sent_mail, clock
):
    # Allowed 30 s a run: the start at 09:01:00 is overdue after 09:01:30, before
    # any checker run that could read it, so the start ping hands it a wake-up.
    monitor = make_monitor(timeout=86400, max_runtime=30)
    ping(monitor)
    clock.shift(60)
    assert ping(monitor, "start").status_code == 200
    clock.shift(30)  # 09:01:30: the deadline, not yet overdue
    assert deliver_wakeups() == 0
    clock.shift(1)
    assert deliver_wakeups() == 1
    deliver_outbox()
    [mail] = sent_mail()
    assert mail["Subject"] == "backup has been running for 31 s"  # as the wake-up found it
    assert parsedate_to_datetime(mail["Date"]) == datetime(2026, 11, 2, 9, 1, 31, tzinfo=UTC)


def test_a_run_that_ends_in_time_leaves_its_wake_up_nothing_to_do(
    make_monitor, ping, deliver_wakeups, deliver_outbox, sent_mail, clock
):
    monitor = make_monitor(timeout=86400, max_runtime=30)
    ping(monitor)
    ping(monitor, "start")
    clock.shift(20)
    ping(monitor)  # the run ended in time
    clock.shift(11)
    assert deliver_wakeups() == 1
    deliver_outbox()
    assert sent_mail() == []


def test_a_start_ping_with_a_long_max_runtime_queues_no_wake_up(make_monitor, ping, sqs_requests):
    monitor = make_monitor(timeout=86400, max_runtime=600)
    ping(monitor)
    with sqs_requests() as calls:
        ping(monitor, "start")
    assert calls == []  # the checker's runs will read it in time
