"""One SQS batch sender and one partial-batch handler."""

import json

import pytest

from chalicelib.core import aws as clients
from chalicelib.core import sqs
from tests.helpers import sqs_event


def _queued(queue: str) -> list[dict]:
    client = clients.client("sqs")
    found = []
    while True:
        reply = client.receive_message(QueueUrl=clients.queue_url(queue), MaxNumberOfMessages=10)
        if not reply.get("Messages"):
            return found
        found += [json.loads(m["Body"]) for m in reply["Messages"]]


def test_it_sends_ten_to_a_request(aws):
    assert sqs.send("notify", [{"n": n} for n in range(25)]) == 3
    assert sorted(m["n"] for m in _queued("notify")) == list(range(25))


def test_a_refused_entry_is_sent_again_on_its_own(aws, monkeypatch):
    client = clients.client("sqs")
    real = client.send_message_batch

    def refuse_the_second(**kwargs):
        reply = real(
            QueueUrl=kwargs["QueueUrl"], Entries=[e for e in kwargs["Entries"] if e["Id"] != "1"]
        )
        return {**reply, "Failed": [{"Id": "1", "Code": "InternalError", "SenderFault": False}]}

    monkeypatch.setattr(client, "send_message_batch", refuse_the_second)
    sqs.send("notify", [{"n": 0}, {"n": 1}, {"n": 2}])
    assert sorted(m["n"] for m in _queued("notify")) == [0, 1, 2]


def test_each_message_may_wait_its_own_delay_even_when_sent_again_alone(aws, clock, monkeypatch):
    client = clients.client("sqs")
    real = client.send_message_batch

    def refuse_the_last(**kwargs):
        reply = real(QueueUrl=kwargs["QueueUrl"], Entries=kwargs["Entries"][:-1])
        return {**reply, "Failed": [{"Id": "2", "Code": "InternalError", "SenderFault": False}]}

    monkeypatch.setattr(client, "send_message_batch", refuse_the_last)
    sqs.send("notify", [{"n": 0}, {"n": 1}, {"n": 2}], delays=[0, 4.2, 30])
    assert [m["n"] for m in _queued("notify")] == [0]
    clock.shift(5)  # 4.2 s rounded up
    assert [m["n"] for m in _queued("notify")] == [1]
    clock.shift(25)
    assert [m["n"] for m in _queued("notify")] == [2]
    with pytest.raises(ValueError):
        sqs.send("notify", [{"n": 3}], delays=[1, 2])


def test_what_stays_refused_is_named_after_every_batch_was_tried(aws, monkeypatch):
    client = clients.client("sqs")
    real = client.send_message_batch
    calls = []

    def fail_the_first_request(**kwargs):
        calls.append(len(kwargs["Entries"]))
        if len(calls) == 1:
            raise RuntimeError("throttled")
        return real(**kwargs)

    monkeypatch.setattr(client, "send_message_batch", fail_the_first_request)
    with pytest.raises(sqs.Refused) as refused:
        sqs.send("notify", [{"n": n} for n in range(12)])
    assert [m["n"] for m in refused.value.unsent] == list(range(10))
    assert sorted(m["n"] for m in _queued("notify")) == [10, 11]


def test_one_record_that_raises_fails_alone():
    def handle(record):
        if record["body"] == "poison":
            raise KeyError("whatever it holds")
        return record["body"] != "later"

    reply = sqs.each_record(sqs_event(["ok", "poison", "later", "ok"]), handle, name="Test")
    assert reply == {"batchItemFailures": [{"itemIdentifier": "m-1"}, {"itemIdentifier": "m-2"}]}


class _Context:
    def __init__(self, seconds):
        self.seconds = seconds

    def get_remaining_time_in_millis(self):
        return int(self.seconds * 1000)


def test_records_not_started_when_too_little_time_remains_are_retried_unstarted():
    context, started = _Context(36), []

    def handle(record):
        started.append(record["body"])
        context.seconds -= 12  # each record takes 12 s of the invocation
        return True

    reply = sqs.each_record(sqs_event(["a", "b", "c", "d"]), handle, name="T", context=context)
    assert started == ["a", "b"]
    assert reply == {"batchItemFailures": [{"itemIdentifier": "m-2"}, {"itemIdentifier": "m-3"}]}
