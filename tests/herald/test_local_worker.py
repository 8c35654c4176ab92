"""The local queue worker behaves like Lambda's SQS event source."""

import boto3
import pytest
from chalice import Chalice

from herald.local import stack
from herald.local.invoke import queue_handlers
from herald.local.worker import QueueWorker

# infra/resources.yaml's default, as the test stack is deployed with it.
VISIBILITY = int(stack.load_template()["Parameters"]["QueueVisibilitySeconds"]["Default"])


@pytest.fixture
def queue_app(aws):
    """An app whose outbox handler fails some messages, or the whole batch."""
    app = Chalice("worker-test")
    app.seen = []

    @app.on_sqs_message(queue="outbox", batch_size=10)
    def handle(event):
        bodies = [record.body for record in event]
        app.seen.append(bodies)
        if "boom" in bodies:
            raise RuntimeError("the handler crashed")
        return {
            "batchItemFailures": [
                {"itemIdentifier": r.to_dict()["messageId"]}
                for r in event
                if r.body.startswith("bad")
            ]
        }

    return app


def send(aws, *bodies):
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=aws["OutboxQueue"])["QueueUrl"]
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body)


def worker(app):
    return QueueWorker(app, queue_handlers(app)[0], wait_seconds=0)


def depth(aws, queue):
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=aws[queue] if queue in aws else queue)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def test_it_delivers_messages_in_batches(queue_app, aws):
    send(aws, *[f"m{i}" for i in range(12)])
    assert worker(queue_app).drain() == 12
    assert sorted(len(batch) for batch in queue_app.seen)[-1] <= 10
    assert depth(aws, "OutboxQueue") == 0


def test_it_keeps_only_the_reported_failures(queue_app, aws, clock):
    send(aws, "ok-1", "bad-1", "ok-2")
    queue = worker(queue_app)
    assert queue.poll_once() == (3, 1)
    assert queue.poll_once() == (0, 0)  # bad-1 is invisible until its timeout
    clock.shift(VISIBILITY + 1)
    assert queue.poll_once() == (1, 1)
    assert queue_app.seen[-1] == ["bad-1"]


def test_a_crashing_handler_leaves_the_whole_batch(queue_app, aws, clock):
    send(aws, "ok", "boom")
    queue = worker(queue_app)
    assert queue.poll_once() == (2, 2)
    assert queue.poll_once() == (0, 0)
    clock.shift(VISIBILITY + 1)
    assert queue.poll_once() == (2, 2)
    assert sorted(queue_app.seen[-1]) == ["boom", "ok"]


def test_a_poison_message_moves_to_the_dead_letter_queue(queue_app, aws, clock):
    send(aws, "bad-forever")
    queue = worker(queue_app)
    for _ in range(5):  # maxReceiveCount
        assert queue.poll_once() == (1, 1)
        clock.shift(VISIBILITY + 1)
    assert queue.poll_once() == (0, 0)
    assert depth(aws, aws["OutboxQueue"] + "-dlq") == 1
