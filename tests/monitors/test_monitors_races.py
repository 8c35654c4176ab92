"""Races: a ping between read and claim, two checkers, crashes, outbox redelivery."""

import json

import pytest


@pytest.fixture
def silent(make_monitor, ping, clock):
    monitor = make_monitor(device_email=["ops@example.com", "oncall@example.com"])
    ping(monitor)
    clock.shift(400)
    return monitor


def _now():
    from chalicelib.core import clock

    return clock.epoch()


def test_a_ping_between_read_and_claim_cancels_the_alert(
    silent, ping, deliver_outbox, sent_mail, run_checker, clock
):
    from chalicelib.monitors import checker

    [item] = checker.due_items(_now())
    ping(silent)
    assert checker.process(item, _now()) == 0
    clock.shift(60)
    run_checker()
    deliver_outbox()
    assert sent_mail() == []


def test_two_checkers_at_once_send_one_alert(silent, deliver_outbox, sent_mail):
    from chalicelib.monitors import checker

    [first] = checker.due_items(_now())
    [second] = checker.due_items(_now())
    assert checker.process(first, _now()) == 1
    assert checker.process(second, _now()) == 0
    deliver_outbox()
    assert sorted(m["To"] for m in sent_mail()) == ["oncall@example.com", "ops@example.com"]


def test_a_checker_that_finds_a_claimed_notice_resends_it_once(
    silent, deliver_outbox, sent_mail, run_checker, clock, monkeypatch
):
    from chalicelib.monitors import checker

    def crash(*args):
        raise RuntimeError("lambda timed out")

    with monkeypatch.context() as patch:
        patch.setattr(checker, "_finalize", crash)
        run_checker()  # claimed and enqueued, never finalized
    clock.shift(60)
    run_checker()  # finds `outgoing`, enqueues the same mails again
    deliver_outbox()
    assert sorted(m["To"] for m in sent_mail()) == ["oncall@example.com", "ops@example.com"]
    clock.shift(60)
    run_checker()
    deliver_outbox()
    assert len(sent_mail()) == 2


def test_a_resent_notice_is_emitted_with_the_same_event_id(silent, run_checker, clock, monkeypatch):
    from chalicelib.core import events
    from chalicelib.monitors import checker

    emitted = []
    monkeypatch.setattr(events, "emit", lambda *a, **kw: emitted.append((a[0], kw["event_id"])))
    with monkeypatch.context() as patch:
        patch.setattr(checker, "_finalize", lambda *args: 1 / 0)
        run_checker()  # claimed, emitted, never finalized
    clock.shift(60)
    run_checker()  # sends the same notice again
    assert [kind for kind, _ in emitted] == ["monitor.down", "monitor.down"]
    assert emitted[0][1] == emitted[1][1]  # hooks deliver it once (same webhook-id)


def test_a_crash_before_the_outbox_loses_no_alert(
    silent, deliver_outbox, sent_mail, run_checker, clock, monkeypatch
):
    from chalicelib.core import outbox

    with monkeypatch.context() as patch:
        patch.setattr(outbox, "enqueue", lambda mails: (_ for _ in ()).throw(OSError("SQS down")))
        run_checker()
    deliver_outbox()
    assert sent_mail() == []
    clock.shift(60)
    run_checker()
    deliver_outbox()
    assert len(sent_mail()) == 2


def test_an_outbox_message_delivered_twice_is_sent_once(silent, run_checker, app, sent_mail):
    import boto3

    from chalicelib.core import aws, outbox
    from tests.helpers import sqs_event

    run_checker()
    sqs = boto3.client("sqs")
    messages = sqs.receive_message(QueueUrl=aws.queue_url("outbox"), MaxNumberOfMessages=10)
    bodies = [m["Body"] for m in messages["Messages"]]
    assert len(bodies) == 2
    assert outbox.handle(sqs_event(bodies)) == {"batchItemFailures": []}
    assert outbox.handle(sqs_event(bodies, receive_count=2)) == {"batchItemFailures": []}
    assert len(sent_mail()) == 2
    assert len({json.loads(b)["id"] for b in bodies}) == 2


def test_a_monitor_created_again_is_alerted_again(
    make_monitor, ping, run_checker, deliver_outbox, sent_mail, clock
):
    from chalicelib.monitors import admin as monitor_admin

    monitor = make_monitor()
    ping(monitor)
    clock.shift(400)
    run_checker()
    deliver_outbox()
    assert len(sent_mail()) == 1
    monitor_admin.delete("backup")
    clock.shift(1)
    monitor = make_monitor()  # same name, so the same id: its notices must not collide
    ping(monitor)
    clock.shift(400)
    run_checker()
    deliver_outbox()
    assert [m["Subject"] for m in sent_mail()] == ["backup disconnection detected"] * 2


def _subjects(run_checker, deliver_outbox, sent_mail) -> list[str]:
    run_checker()
    deliver_outbox()
    return [m["Subject"] for m in sent_mail()]


def test_a_start_between_the_checkers_read_and_its_write_keeps_the_runs_deadline(
    make_monitor, ping, clock, run_checker, deliver_outbox, sent_mail
):
    from chalicelib.monitors import checker

    monitor = make_monitor("job", schedule="0 9 * * *", tz="UTC", grace=600, max_runtime=600)
    assert ping(monitor).status_code == 200  # 09:00; the next look at 09:10
    clock.shift(600)
    [item] = checker.due_items(_now())  # the checker reads it at 09:10 ...
    assert ping(monitor, "start").status_code == 200  # ... a run starts ...
    checker.process(item, _now())  # ... and its write, from the old read, must lose
    for _ in range(11):  # to 09:21: the run is 10 min old at 09:20
        clock.shift(60)
        subjects = _subjects(run_checker, deliver_outbox, sent_mail)
    assert subjects == ["job has been running for 10 min"]
