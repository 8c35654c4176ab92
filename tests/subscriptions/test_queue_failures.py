"""A queue that refuses a message loses no change: the lease is released, the next cycle retries."""

import pytest
from botocore.exceptions import ClientError

from chalicelib.core import aws, outbox
from tests.helpers import assert_each_once_in_its_own_mail, text_of

REFUSED = ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "Send")


def _refuse_notify_jobs(monkeypatch, how: str) -> None:
    """The notify queue refuses every job once (all entries failed, and so does the
    one-by-one resend that core.sqs tries for them; or the call fails)."""
    sqs = aws.client("sqs")
    real, real_one = sqs.send_message_batch, sqs.send_message

    def refuse_one(**request):
        monkeypatch.setattr(sqs, "send_message", real_one)
        raise REFUSED

    def refuse(**request):
        monkeypatch.setattr(sqs, "send_message_batch", real)
        if how == "raises":
            raise REFUSED
        monkeypatch.setattr(sqs, "send_message", refuse_one)
        failed = [{"Id": e["Id"], "SenderFault": False, "Code": "x"} for e in request["Entries"]]
        return {"Successful": [], "Failed": failed}

    monkeypatch.setattr(sqs, "send_message_batch", refuse)


@pytest.mark.parametrize("how", ["fails-entries", "raises"])
def test_a_refused_notify_job_releases_the_lease_and_comes_back(herald, monkeypatch, how):
    subscription = herald.subscribe()
    herald.clock.shift(60)
    herald.sample.put({"title": "Landslide"})
    _refuse_notify_jobs(monkeypatch, how)
    summary = herald.cycle()
    assert summary["queued"] == 0
    pair = herald.pair(subscription)
    assert "lease_id" not in pair
    assert int(pair["due_at"]) == int(pair["next_check_time"])
    assert pair["last_check_time"] == "2026-11-02T09:00:00.000000Z"
    assert herald.mails() == []
    herald.cycle()
    [mail] = herald.mails()
    assert "[new] Landslide" in text_of(mail)
    herald.cycle()
    assert len(herald.mails()) == 1


def test_a_refused_job_does_not_stop_the_other_batches(herald, monkeypatch):
    herald.person("bob", "bob@example.org")
    ids = [herald.subscribe() for _ in range(10)] + [herald.subscribe("bob")]
    herald.clock.shift(60)
    herald.sample.put({"title": "Landslide"})
    _refuse_notify_jobs(monkeypatch, "raises")  # the first batch of ten only
    summary = herald.cycle()
    assert summary["queued"] == 1 and summary["due"] == 11
    assert all("lease_id" not in herald.pair(i) for i in ids)
    herald.cycle()
    assert len(herald.mails()) == 11


def test_a_refused_outbox_loses_no_change_and_doubles_none(herald, monkeypatch):
    subscription = herald.subscribe()
    herald.clock.shift(60)
    herald.sample.put({"title": "Landslide"})
    real = outbox.enqueue

    def refuse_once(mails):
        monkeypatch.setattr(outbox, "enqueue", real)
        raise RuntimeError("outbox refused 1 messages")

    monkeypatch.setattr(outbox, "enqueue", refuse_once)
    herald.cycle()
    assert herald.mails() == []
    pair = herald.pair(subscription)
    assert "lease_id" not in pair and "outbox refused" in pair["last_error"]
    assert pair["last_check_time"] == "2026-11-02T09:00:00.000000Z"
    assert int(pair["due_at"]) == int(pair["next_check_time"])
    herald.clock.shift(10)
    herald.sample.put({"title": "Mudslide"})  # after the failed window closed
    assert_each_once_in_its_own_mail(herald, "Landslide", "Mudslide")
