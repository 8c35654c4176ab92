"""Faults injected into Herald's own AWS calls, and SQS delivery as Lambda does it.

Faults hook botocore's events on the clients Herald uses (chalicelib.core.aws):
"before" raises before the request is sent (the call never applied), "after"
raises once moto applied it (the reply lost), and Crash, a BaseException,
kills the invocation where it stands. Every choice comes from one seeded
random, so a scenario replays exactly.

Lambda polls with its own client (never faulted). A batch that crashes is
not answered: its messages come back after the queue's visibility timeout,
and moto's redrive moves a message to the dead-letter queue after
maxReceiveCount receives, as SQS does.
"""

import copy
import json
import random
from collections import Counter
from dataclasses import dataclass, field

import boto3
from botocore.exceptions import ClientError

from chalicelib.core import aws


class Crash(BaseException):
    """The function died here (timeout, out of memory): nothing after it runs."""


@dataclass
class Rule:
    service: str  # the botocore service name: dynamodb, sqs, ses
    operations: tuple = ()  # operation names (PutItem...); empty: all
    when: str = "before"  # "before": not applied; "after": applied, reply lost
    rate: float = 1.0
    code: str = "InternalServerError"  # or "crash"
    key: object = None  # params -> key; with times, fire at most `times` per key
    times: int | None = None
    seen: Counter = field(default_factory=Counter)

    def fires(self, operation: str, params: dict, chance: random.Random) -> bool:
        if self.operations and operation not in self.operations:
            return False
        if self.times is not None:
            key = self.key(params) if self.key else None
            if key is None and self.key or self.seen[key] >= self.times:
                return False
            if chance.random() >= self.rate:
                return False
            self.seen[key] += 1
            return True
        return chance.random() < self.rate


class Faults:
    def __init__(self, seed: int):
        self.random = random.Random(seed)
        self.rules: list[Rule] = []
        self.fired = Counter()
        self.active = True  # off: calls pass (a test's own set-up, pings)

    def add(self, *rules: Rule) -> "Faults":
        self.rules.extend(rules)
        return self

    def install(self) -> "Faults":
        clients = [aws.client(s) for s in ("sqs", "ses", "dynamodb")] + [aws.dynamodb().meta.client]
        for client in clients:
            events = client.meta.events
            events.register("provide-client-params", self._remember)
            events.register("before-call", self._before)
            events.register("after-call", self._after)
        return self

    def _remember(self, params, context, **_):
        context["fault_params"] = copy.deepcopy(params)

    def _before(self, model, context, **_):
        self._maybe("before", model, context)

    def _after(self, model, context, **_):
        self._maybe("after", model, context)

    def _maybe(self, when: str, model, context) -> None:
        if not self.active:
            return
        service = model.service_model.service_name
        params = context.get("fault_params", {})
        for rule in self.rules:
            if rule.service == service and rule.when == when:
                if rule.fires(model.name, params, self.random):
                    self.fired[f"{service}.{model.name}.{when}.{rule.code}"] += 1
                    if rule.code == "crash":
                        raise Crash(f"{service}.{model.name} {when}")
                    raise ClientError({"Error": {"Code": rule.code, "Message": "injected"}},
                                      model.name)  # fmt: skip


class Context:
    """Lambda's context: the time this invocation has left."""

    def __init__(self, seconds: float = 60):
        self.seconds = seconds

    def get_remaining_time_in_millis(self) -> int:
        return int(self.seconds * 1000)


class Lambda:
    """An SQS event source: batches, partial failures, crashes, redelivery."""

    def __init__(self, queue: str, handler, *, batch: int = 10, context=Context):
        self.handler, self.batch, self.context = handler, batch, context
        self.sqs = boto3.client("sqs")  # Lambda's own poller: never faulted
        self.url = aws.queue_url(queue)
        self.crashes = 0

    def poll(self) -> int:
        """One batch; returns the messages handed out."""
        messages = self.sqs.receive_message(
            QueueUrl=self.url, MaxNumberOfMessages=self.batch, AttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            return 0
        records = [_record(m) for m in messages]
        try:
            reply = self.handler({"Records": records}, self.context())
        except Crash:
            self.crashes += 1
            return len(messages)  # no reply: every message of the batch comes back
        failed = {f["itemIdentifier"] for f in reply["batchItemFailures"]}
        for message in messages:
            if message["MessageId"] not in failed:
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)

    def drain(self, limit: int = 200) -> int:
        total = 0
        for _ in range(limit):
            got = self.poll()
            if not got:
                return total
            total += got
        return total


def _record(message: dict) -> dict:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "eventSource": "aws:sqs",
    }


def run_until_quiet(clock, lambdas, *, step: int = 30, horizon: int = 4 * 3600) -> None:
    """Deliver, let time pass by step, and again, until every queue is empty."""
    for _ in range(horizon // step):
        for worker in lambdas:
            worker.drain()
        if all(pending(worker.url) == 0 for worker in lambdas):
            return
        clock.shift(step)


def pending(url: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                        "ApproximateNumberOfMessagesDelayed"],
    )["Attributes"]  # fmt: skip
    return sum(int(value) for value in attributes.values())


def dead_letters(queue: str) -> list[dict]:
    """The bodies in queue's dead-letter queue."""
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=_dlq_name(queue))["QueueUrl"]
    bodies = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=3600)
        if not got.get("Messages"):
            return bodies
        bodies += [json.loads(m["Body"]) for m in got["Messages"]]


def _dlq_name(queue: str) -> str:
    import os

    return os.environ[aws.QUEUES[queue]] + "-dlq"


def report(name: str, *, enqueued: set, sent: Counter, dead: set, pending: set, allowed=()):
    """Print the counts; returns (lost, unexplained duplicates)."""
    lost = enqueued - set(sent) - dead - pending
    twice = {key for key, n in sent.items() if n > 1}
    unexplained = twice - set(allowed)
    print(
        f"\n{name}: enqueued={len(enqueued)} sent_once={sum(1 for n in sent.values() if n == 1)} "
        f"dead_lettered={len(dead)} pending={len(pending)} lost={len(lost)} "
        f"duplicated={len(twice)} (documented {len(twice) - len(unexplained)})"
    )
    return lost, unexplained
