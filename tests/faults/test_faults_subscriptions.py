"""Subscriptions under faults: every change reaches every subscriber once.

The sample feed on loopback fails on demand (500s, timeouts); Herald's
DynamoDB and SQS calls fail before or after they applied; the cycle runs
every 5 simulated minutes. Each (subscriber, incident) is one notification.
"""

import json
import random
from collections import Counter

from tests.faults.injector import Faults, Rule, report
from tests.helpers import text_of

PEOPLE = ["ann", "bob", "cyd", "dee"]


def _scenario(herald, faults: Faults, name: str, *, cycles=10, feed_faults=0.0, seed=0):
    chance = random.Random(seed)
    for person in PEOPLE:
        herald.person(person, f"{person}@example.org")
        herald.subscribe(person)
    faults.install()
    titles = []
    for n in range(cycles):
        for k in range(2):
            titles.append(herald.sample.put({"title": f"incident-{n}-{k}"})["title"])
        if chance.random() < feed_faults:
            herald.sample.fail_next(chance.choice(["500", "timeout"]), chance.randint(1, 2))
        _cycle(herald)
    faults.rules.clear()  # then quiet: what was retried comes through
    for _ in range(6):
        herald.cycle()
    seen = Counter()
    for mail in herald.mails():
        person = mail["To"].partition("@")[0]
        for title in titles:
            seen[(person, title)] += text_of(mail).count(title + "\n") or title in text_of(mail)
    expected = {(p, t) for p in PEOPLE for t in titles}
    return report(name, enqueued=expected, sent=+seen, dead=set(), pending=set())


def _cycle(herald) -> None:
    """herald.cycle(), where a failed scheduled run is just a failed run:
    its pairs stay due, or their leases lapse, and the next run takes them."""
    herald.clock.shift(300)
    try:
        herald.check()
    except Exception as error:  # noqa: BLE001 - a scheduled invocation that failed
        print(f"check_subscriptions failed: {error}")
    herald.deliver()


def test_feed_faults_and_dynamodb_replies_lost_lose_no_notification(herald):
    faults = Faults(11).add(
        Rule("dynamodb", when="after", rate=0.05),
        Rule("dynamodb", when="before", rate=0.03, code="ProvisionedThroughputExceededException"),
        Rule("ses", ("SendRawEmail",), "before", rate=0.10, code="Throttling"),
    )
    lost, twice = _scenario(herald, faults, "subscriptions-faults", feed_faults=0.3, seed=11)
    assert not lost and not twice


def _outbox_window(params):
    entries = params.get("Entries") or []
    if not entries or "QueueUrl" not in params or "outbox" not in params["QueueUrl"]:
        return None
    return json.loads(entries[0]["MessageBody"]).get("id")


def test_an_outbox_enqueue_refused_once_per_window_loses_nothing(herald):
    faults = Faults(12).add(
        Rule(
            "sqs",
            ("SendMessageBatch",),
            "before",
            key=_outbox_window,
            times=1,
            code="ServiceUnavailable",
        ),  # fmt: skip
    )
    lost, twice = _scenario(herald, faults, "outbox-refused-per-window", cycles=8)
    assert not lost and not twice
