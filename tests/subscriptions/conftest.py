"""Fixtures for subscriptions: the sample feed on loopback, subscribers, a worker."""

import pytest

from herald.local.sample_feed import SampleFeed


@pytest.fixture
def sample(aws, monkeypatch):
    """The sample incidents feed on an ephemeral loopback port."""
    monkeypatch.setenv("HERALD_FEED_SIGNING_KEY", "feed-test-key")
    # Generous: a loaded CI machine once took over 0.5 s to answer on loopback.
    # Tests of the timeout itself shorten it with short_feed_timeout().
    monkeypatch.setenv("SUBSCRIPTIONS_FEED_TIMEOUT", "5")
    monkeypatch.setenv("SUBSCRIPTIONS_ALLOW_PRIVATE_FEEDS", "1")
    monkeypatch.setenv("HERALD_LOCAL", "1")  # loopback: local mode only
    server = SampleFeed(0).start()
    yield server
    server.stop()


def short_feed_timeout(monkeypatch, mode: str) -> None:
    """A "timeout" fault holds the answer until the client gives up: keep that short."""
    if mode == "timeout":
        monkeypatch.setenv("SUBSCRIPTIONS_FEED_TIMEOUT", "0.5")


class Harness:
    """Herald's subscription cycle end to end: real queues, real mail on moto."""

    def __init__(self, app, sample, clock):
        self.app, self.sample, self.clock = app, sample, clock

    def person(self, subscriber_id: str, *addresses: str, members=()) -> str:
        from chalicelib.subscriptions import store as subscriptions

        subscriptions.save_subscriber(
            {
                "id": subscriber_id,
                "name": subscriber_id.capitalize(),
                "contacts": [{"address": a, "priority": i + 1} for i, a in enumerate(addresses)],
                "members": list(members),
            }
        )
        return subscriber_id

    def subscribe(self, subscriber: str = "alice", resource: str = "Incidents", **settings) -> str:
        from chalicelib.subscriptions import store as subscriptions

        body = {"subscriber": subscriber, "frequency": "immediately", **settings}
        body["resources"] = [{"name": resource, "url": self.sample.changes_url}]
        return subscriptions.save_subscription(body)["id"]

    def pair(self, subscription_id: str, resource: str = "Incidents") -> dict:
        from chalicelib.subscriptions import store as subscriptions

        return subscriptions.load(subscription_id)["pairs"][resource]

    def check(self) -> dict:
        from herald.local.invoke import fire

        return fire(self.app, "check_subscriptions")

    def deliver(self) -> None:
        from herald.local.invoke import queue_handlers
        from herald.local.worker import QueueWorker

        for name in ("notify_subscribers", "outbox_deliver"):
            config = next(c for c in queue_handlers(self.app) if c.name == name)
            QueueWorker(self.app, config, wait_seconds=0).drain()

    def cycle(self, seconds: int = 300) -> dict:
        """Let time pass to the next cycle, check, and deliver what it queued."""
        self.clock.shift(seconds)
        summary = self.check()
        self.deliver()
        return summary

    def mails(self) -> list:
        from moto.ses.models import ses_backends

        from herald.local.mailbox import to_email

        return [to_email(m) for m in ses_backends["123456789012"]["us-east-1"].sent_messages]


@pytest.fixture
def herald(app, sample, clock):
    harness = Harness(app, sample, clock)
    harness.person("alice", "alice@example.org")
    return harness
