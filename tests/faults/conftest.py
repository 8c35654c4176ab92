"""The fault-injection suite: in-process moto, the controlled clock, seeded faults."""

from collections import Counter
from email import message_from_bytes

import pytest


@pytest.fixture
def ses_sent():
    """ses_sent() -> how often SES accepted each mail id (read from its Message-ID)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    def counts() -> Counter:
        found = Counter()
        for message in ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages:
            raw = message.raw_data
            mail = message_from_bytes(raw.encode() if isinstance(raw, str) else raw)
            found[mail["Message-ID"].strip("<>").partition("@")[0]] += 1
        return found

    return counts


@pytest.fixture
def herald(app, clock, aws, monkeypatch):
    """The subscriptions harness (tests/subscriptions/conftest.py) on the sample feed."""
    from herald.local.sample_feed import SampleFeed
    from tests.subscriptions.conftest import Harness

    monkeypatch.setenv("HERALD_FEED_SIGNING_KEY", "feed-test-key")
    # Short, as the injected timeouts wait it out; long enough that a loaded
    # machine's slow answer on loopback is not one more (0.5 s failed a subscription test in CI).
    monkeypatch.setenv("SUBSCRIPTIONS_FEED_TIMEOUT", "2")
    monkeypatch.setenv("SUBSCRIPTIONS_ALLOW_PRIVATE_FEEDS", "1")
    monkeypatch.setenv("HERALD_LOCAL", "1")  # loopback: local mode only
    server = SampleFeed(0).start()
    yield Harness(app, server, clock)
    server.stop()
