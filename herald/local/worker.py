"""Delivers SQS messages to the app's @app.on_sqs_message handlers.

It behaves like Lambda's SQS event source with ReportBatchItemFailures:
messages arrive in batches of the handler's batch_size; the ones the handler
reports as failed (or the whole batch, if it raises) stay on the queue, come
back after their visibility timeout, and after the queue's maxReceiveCount
move to the dead-letter queue by SQS's own redrive policy.
"""

import logging
import os
import threading

import boto3

from chalicelib.core import aws
from herald.local.invoke import invoke, sqs_record

log = logging.getLogger("herald.local")


class QueueWorker:
    def __init__(self, app, config, wait_seconds: int = 1):
        self.app = app
        self.name = config.name
        self.batch_size = min(10, config.batch_size)
        self.queue_name = os.environ[aws.QUEUES[config.queue]]
        self.wait_seconds = wait_seconds
        self.sqs = boto3.client("sqs")
        self.url = self.sqs.get_queue_url(QueueName=self.queue_name)["QueueUrl"]
        self.arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self.stopped = threading.Event()

    def poll_once(self) -> tuple[int, int]:
        """Deliver one batch; returns (messages delivered, messages failed)."""
        messages = self.sqs.receive_message(
            QueueUrl=self.url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=self.wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0, 0
        by_id = {m["MessageId"]: m for m in messages}
        try:
            result = invoke(
                self.app, self.name, {"Records": [sqs_record(m, self.arn) for m in messages]}
            )
            failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
            if not failed <= by_id.keys():
                log.error("%s reported unknown message ids: the whole batch is retried", self.name)
                failed = set(by_id)
        except Exception:
            log.exception("%s failed: the whole batch is retried", self.name)
            failed = set(by_id)
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self.sqs.delete_message_batch(
                QueueUrl=self.url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                ],
            )
        return len(messages), len(failed)

    def drain(self, max_batches: int = 100) -> int:
        """Deliver until the queue shows nothing more; returns messages delivered."""
        total = 0
        for _ in range(max_batches):
            delivered, _failed = self.poll_once()
            if not delivered:
                break
            total += delivered
        return total

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.poll_once()
            except Exception:
                log.exception("polling %s failed", self.queue_name)
                self.stopped.wait(1)
