"""A misbehaving feed loses nothing: the lease is released and the next cycle retries."""

import pytest

from chalicelib.subscriptions import cycle as notify
from tests.helpers import assert_each_once_in_its_own_mail, text_of
from tests.subscriptions.conftest import short_feed_timeout


@pytest.mark.parametrize("mode", ["timeout", "500", "badjson", "badshape"])
def test_a_failed_fetch_is_retried_next_cycle_without_loss(herald, mode, monkeypatch):
    short_feed_timeout(monkeypatch, mode)
    subscription = herald.subscribe()
    herald.clock.shift(60)
    herald.sample.put({"title": "Landslide"})
    herald.sample.fail_next("ok")  # the "changed?" question succeeds
    herald.sample.fail_next(mode)  # the fetch fails
    summary = herald.cycle()
    assert summary["queued"] == 1
    assert herald.mails() == []
    pair = herald.pair(subscription)
    assert "lease_id" not in pair
    assert pair["last_error"]
    assert int(pair["due_at"]) == int(pair["next_check_time"])
    assert pair["last_check_time"] == "2026-11-02T09:00:00.000000Z"
    herald.cycle()
    [mail] = herald.mails()
    assert "[new] Landslide" in text_of(mail)
    assert "last_error" not in herald.pair(subscription)


def test_a_failed_changed_question_leaves_the_pairs_due(herald):
    subscription = herald.subscribe()
    herald.clock.shift(60)
    herald.sample.put({"title": "Landslide"})
    herald.sample.fail_next("500")
    summary = herald.cycle()
    assert summary["feed_errors"] == 1 and summary["queued"] == 0
    pair = herald.pair(subscription)
    assert "lease_id" not in pair
    assert pair["last_error"].startswith("feed check: ") and "500" in pair["last_error"]
    herald.cycle()
    assert len(herald.mails()) == 1
    assert "last_error" not in herald.pair(subscription)


def test_a_crashed_worker_lease_lapses_by_itself(herald):
    subscription = herald.subscribe()
    herald.clock.shift(60)
    herald.sample.put({"title": "Landslide"})
    herald.clock.shift(300)
    assert herald.check()["queued"] == 1  # the job is queued, and its worker dies
    herald.clock.shift(300)
    assert herald.check()["due"] == 0  # still leased: nobody else takes it
    herald.clock.shift(notify.LEASE_SECONDS)
    assert herald.check()["queued"] == 1
    herald.deliver()
    assert len(herald.mails()) == 1  # the dead worker's stale job is skipped
    assert "lease_id" not in herald.pair(subscription)


def crash_before_finishing_once(monkeypatch):
    """The worker dies after its mail and event, before updating the pair."""
    real_finish = notify._finish

    def crash_once(*_args):
        monkeypatch.setattr(notify, "_finish", real_finish)
        raise RuntimeError("worker died before finishing the pair")

    monkeypatch.setattr(notify, "_finish", crash_once)


def test_a_crash_after_queueing_mail_does_not_send_it_twice(herald, monkeypatch):
    herald.subscribe()
    herald.clock.shift(60)
    herald.sample.put({"title": "Landslide"})
    crash_before_finishing_once(monkeypatch)
    herald.cycle()
    assert len(herald.mails()) == 1
    herald.clock.shift(30)
    herald.sample.put({"title": "Mudslide"})  # after the first window closed
    assert_each_once_in_its_own_mail(herald, "Landslide", "Mudslide")


def test_a_crash_after_the_event_announces_the_retry_under_the_same_id(herald, monkeypatch):
    from chalicelib.core import events

    emitted = []
    real_emit = events.emit

    def recording(type_, *args, **kwargs):
        emitted.append((type_, kwargs.get("event_id")))
        return real_emit(type_, *args, **kwargs)

    monkeypatch.setattr(events, "emit", recording)
    herald.subscribe()
    herald.clock.shift(60)
    herald.sample.put({"title": "Landslide"})
    crash_before_finishing_once(monkeypatch)
    herald.cycle()
    herald.clock.shift(notify.LEASE_SECONDS + 300)
    herald.cycle()
    notified = [event_id for type_, event_id in emitted if type_ == "subscription.notified"]
    assert len(notified) == 2 and len(set(notified)) == 1  # hooks deliver it once


def test_the_same_job_delivered_twice_sends_one_notification(herald, aws):
    import boto3
    from helpers import sqs_event

    herald.subscribe()
    herald.clock.shift(60)
    herald.sample.put({"title": "Landslide"})
    herald.clock.shift(300)
    herald.check()
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=aws["NotifyQueue"])["QueueUrl"]
    [message] = sqs.receive_message(QueueUrl=url)["Messages"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    event = sqs_event([message["Body"], message["Body"]], queue="notify")
    assert notify.handle(event) == {"batchItemFailures": []}
    assert notify.handle(event) == {"batchItemFailures": []}
    herald.deliver()
    assert len(herald.mails()) == 1


def test_a_garbled_job_is_dropped_without_breaking_the_batch(herald):
    from helpers import sqs_event

    assert notify.handle(sqs_event(["{nope", '{"subscription": "x"}'])) == {"batchItemFailures": []}
