"""Events go onto Herald's bus, and the bus routes them to the hooks queue."""

import json

import boto3

from chalicelib.core import events


def test_it_routes_an_emitted_event_to_the_hooks_queue(aws):
    emitted = events.emit("monitor.down", "backup", {"last_ping": "2026-11-02T08:00:00Z"})
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=aws["HooksQueue"])["QueueUrl"]
    [message] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    envelope = json.loads(message["Body"])
    assert envelope["detail-type"] == "monitor.down"
    assert envelope["source"] == "herald"
    assert envelope["detail"] == emitted
    assert set(emitted) == {"id", "type", "source", "time", "data"}


def test_a_failed_emit_is_swallowed_and_counted(aws, monkeypatch):
    monkeypatch.setenv("EVENT_BUS", "no-such-bus")
    from chalicelib.core import aws as clients

    def broken(**kwargs):
        raise RuntimeError("EventBridge is down")

    monkeypatch.setattr(clients.client("events"), "put_events", broken)
    assert events.emit("monitor.down", "backup") is None
