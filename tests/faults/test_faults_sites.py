"""Site jobs under faults: each listed item is triggered once, whatever fails.

The site is faked in-process (gs.get_digest_groups / send_digest) so a
scenario counts every trigger the site received; the rest is Herald's code
on moto, its queue delivered as Lambda does.
"""

import json
from collections import Counter

import pytest

from chalicelib.core import sqs
from chalicelib.sites import groupserver as gs
from chalicelib.sites import jobs, runs
from tests.faults.injector import (
    Faults,
    Lambda,
    Rule,
    dead_letters,
    pending,
    report,
    run_until_quiet,
)

GROUPS = [("s", f"g{i:02d}") for i in range(60)]


class FakeSite:
    def __init__(self, monkeypatch):
        self.triggered, self.list_failures = Counter(), 0
        monkeypatch.setattr(gs, "get_digest_groups", self.groups)
        monkeypatch.setattr(gs, "send_digest", self.send)

    def groups(self, url, token):
        if self.list_failures:
            self.list_failures -= 1
            raise gs.NotOk("Internal Server Error", 500, "site.test")
        return list(GROUPS)

    def send(self, url, site_id, group_id, token):
        self.triggered[group_id] += 1


@pytest.fixture
def site(aws, clock, monkeypatch):
    monkeypatch.setenv("HERALD_LOCAL", "1")
    monkeypatch.setenv("HERALD_SITE_SAMPLE_TOKEN", "t")
    monkeypatch.setenv("SITES", json.dumps([{"name": "sample", "url": "http://127.0.0.1:9/",
                                             "jobs": ["digest"]}]))  # fmt: skip
    return FakeSite(monkeypatch)


def _start(when="2026-11-02T05:00:00Z"):
    """The schedule fires; a failed invocation is retried by Lambda, twice."""
    for attempt in range(3):
        try:
            return jobs.start(jobs.DIGEST, {"time": when})
        except Exception:  # noqa: BLE001 - Lambda's asynchronous retry
            if attempt == 2:
                raise


def _settle(name, clock, site, allowed=(), expected=GROUPS):
    worker = Lambda("site-jobs", jobs.handle)
    run_until_quiet(clock, [worker], step=60)
    dead = {m.get("item", ["", "?"])[1] for m in dead_letters("site-jobs") if "item" in m}
    lost, twice = report(name, enqueued={g for _s, g in expected}, sent=site.triggered, dead=dead,
                         pending=set() if pending(worker.url) == 0 else {"?"},
                         allowed=allowed)  # fmt: skip
    return lost, twice


def test_a_list_answering_500_once_at_the_scheduled_time_loses_nothing(site, clock):
    site.list_failures = 1
    _start()
    lost, twice = _settle("list-500-once", clock, site)
    assert not lost and not twice and len(site.triggered) == 60
    (run,) = runs.recent(job="digest")
    assert run["state"] == "finished" and run["counts"]["triggered"] == 60


def _first_item(params):
    entries = params.get("Entries") or [{}]
    body = json.loads(entries[0].get("MessageBody", "{}"))
    return body.get("item", [None, None])[1] if isinstance(body, dict) else None


def test_a_fan_out_batch_refused_on_every_try_loses_nothing(site, clock):
    # Each batch is refused (the request fails outright, so sqs.send has
    # nothing to send again) on its first three tries: as many as Lambda
    # gives a scheduled event.
    Faults(1).add(
        Rule("sqs", ("SendMessageBatch",), "before", key=_first_item, times=3, code="Throttling"),
    ).install()
    _start()
    lost, twice = _settle("fan-out-refused", clock, site)
    assert not lost and not twice and len(site.triggered) == 60


def _claim(params):
    pk = str((params.get("Key") or {}).get("pk", ""))
    return pk if pk.startswith("ONCE#digest:") else None


def test_a_throttled_done_write_after_the_site_acted_sends_no_second_trigger(site, clock):
    Faults(2).add(
        Rule(
            "dynamodb",
            ("UpdateItem",),
            "before",
            key=_claim,
            times=2,
            code="ProvisionedThroughputExceededException",
        ),  # fmt: skip
    ).install()
    _start()
    lost, twice = _settle("done-throttled", clock, site)
    assert not lost and not twice and sorted(site.triggered.values()) == [1] * 60


def test_random_faults_lose_no_item_and_trigger_none_twice(site, clock):
    Faults(3).add(
        Rule("dynamodb", when="after", rate=0.05),
        Rule("dynamodb", when="before", rate=0.05, code="ProvisionedThroughputExceededException"),
        Rule("sqs", when="before", rate=0.05),
        Rule("sqs", when="after", rate=0.05),
    ).install()
    _start()
    lost, twice = _settle("site-random", clock, site)
    assert not lost and not twice


def test_poison_site_jobs_are_dropped_alone(site, clock):
    good = [{"run": "r", "site": "sample", "job": "digest", "period": "2026-11-02",
             "item": ["s", g]} for _s, g in GROUPS[:20]]  # fmt: skip
    base = good[0]
    poison = [
        {**base, "item": ["s", "x" * 2048]},
        {**base, "job": "profile-status", "item": "p" * 2048},
        {**base, "period": "p" * 3000},
        {k: v for k, v in base.items() if k != "run"},
        {**base, "item": "not a pair"},
        {**base, "item": ["s", 7]},
        {**base, "site": ["sample"]},
        {**base, "step": "list", "until": "tomorrow"},
        "not json",
        ["a", "list"],
        "[" * 5000,
    ]
    sqs.send("site-jobs", good[:10] + poison + good[10:])
    lost, twice = _settle("poison", clock, site, expected=GROUPS[:20])
    assert sorted(site.triggered) == [g for _s, g in GROUPS[:20]]
    assert dead_letters("site-jobs") == [] and not twice
