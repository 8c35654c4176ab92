"""Fixtures for the site jobs: a sample GroupServer site on loopback, Herald
configured to use it, and ways to deliver the site-jobs queue to the handler."""

import json

import pytest

from herald.local.sample_site import SampleSite


@pytest.fixture
def site(monkeypatch):
    """A sample GroupServer site, over real HTTP on a free loopback port
    (which only local mode may reach: in Lambda loopback is the runtime API)."""
    monkeypatch.setenv("HERALD_LOCAL", "1")
    with SampleSite(token="sample-token") as running:
        yield running


@pytest.fixture
def configured(aws, site, monkeypatch):
    """Herald's SITES naming the sample site, its token as a local secret."""
    monkeypatch.setenv(
        "SITES",
        json.dumps([{"name": "sample", "url": site.url, "jobs": ["digest", "profile-status"]}]),
    )
    monkeypatch.setenv("HERALD_SITE_SAMPLE_TOKEN", site.token)
    return site


@pytest.fixture
def queued(aws):
    """queued() -> the site-jobs queue's messages as SQS event records (taken off)."""
    from chalicelib.core import aws as clients
    from herald.local.invoke import sqs_record

    def take(receive_count: int = 1) -> list[dict]:
        sqs, url = clients.client("sqs"), clients.queue_url("site-jobs")
        records = []
        while True:
            messages = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]
            ).get("Messages", [])
            if not messages:
                return records
            for message in messages:
                record = sqs_record(message, "arn:aws:sqs:us-east-1:123456789012:site-jobs")
                record["attributes"]["ApproximateReceiveCount"] = str(receive_count)
                records.append(record)
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    return take


@pytest.fixture
def drain(app):
    """drain() delivers the site-jobs queue to the app's handler, as Lambda would."""
    from herald.local.invoke import queue_handlers
    from herald.local.worker import QueueWorker

    config = next(c for c in queue_handlers(app) if c.name == "site_jobs_trigger")
    worker = QueueWorker(app, config, wait_seconds=0)
    return worker.drain
