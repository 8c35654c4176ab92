"""The throttle: least spacing between successful sends to a site, across handlers.

Each handler thread gets its own virtual clock (sleep moves it forward), so
the test controls time and never waits; the spacing is held by the site's
row in DynamoDB, which every handler shares.
"""

import json
import threading

import pytest

from chalicelib.sites import groupserver as gs
from chalicelib.sites import jobs as site_jobs
from herald.local.invoke import fire


class VirtualClocks:
    """One clock per thread, all starting at the same instant."""

    def __init__(self, start: float):
        self.start = start
        self.local = threading.local()
        self.sleeps = []

    def now(self) -> float:
        return getattr(self.local, "now", self.start)

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.local.now = self.now() + seconds


@pytest.fixture
def throttled(configured, monkeypatch):
    def set_throttle(seconds: float):
        monkeypatch.setenv(
            "SITES",
            json.dumps([{"name": "sample", "url": configured.url, "throttle": seconds}]),
        )

    return set_throttle


@pytest.fixture
def sends(monkeypatch):
    """(profile, status, virtual time) of every send, as the handlers made them."""
    made, real = [], gs.send_profile_status

    def recording(clocks):
        def send(url, profile_id, token):
            status, message = real(url, profile_id, token)
            made.append((profile_id, status, clocks.now()))
            return status, message

        monkeypatch.setattr(gs, "send_profile_status", send)
        return made

    return recording


def run_concurrently(batches, clocks):
    results = []

    def handler(batch):
        results.append(site_jobs.handle({"Records": batch}, now=clocks.now, sleep=clocks.sleep))

    threads = [threading.Thread(target=handler, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_it_spaces_successful_sends_across_concurrent_handlers(
    app, configured, clock, queued, throttled, sends, moto_one_call_at_a_time
):
    throttled(4)  # 8 slots fit in one invocation's waiting budget: nothing is deferred
    configured.profiles = {f"p{i}": 0 for i in range(6)} | {"dave": -4, "erin": -8}
    fire(app, "send_profile_status")
    records = queued()
    clocks = VirtualClocks(start=1_000_000.0)
    made = sends(clocks)

    results = run_concurrently([records[i::4] for i in range(4)], clocks)

    assert all(r == {"batchItemFailures": []} for r in results)
    times = sorted(t for _, status, t in made if status == 0)
    assert len(times) == 6
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 4 - 1e-6, gaps
    assert sorted(p for p, _, _ in made) == sorted(configured.profiles)


def test_it_does_not_hold_spacing_after_a_skipped_send(
    app, configured, clock, queued, throttled, sends, moto_one_call_at_a_time
):
    throttled(10)
    configured.profiles = {"a-skip": -16, "b-sent": 0}
    fire(app, "send_profile_status")
    records = sorted(queued(), key=lambda r: r["body"])
    clocks = VirtualClocks(start=1_000_000.0)
    made = sends(clocks)

    site_jobs.handle({"Records": records}, now=clocks.now, sleep=clocks.sleep)

    assert [(p, t) for p, _, t in made] == [("a-skip", 1_000_000.0), ("b-sent", 1_000_000.0)]
    assert clocks.sleeps == []


def test_it_puts_a_job_back_for_later_rather_than_wait_too_long(
    app, configured, clock, queued, throttled, sends, moto_one_call_at_a_time
):
    throttled(30)
    configured.profiles = {"p1": 0, "p2": 0, "p3": 0}
    fire(app, "send_profile_status")
    records = sorted(queued(), key=lambda r: r["body"])
    clocks = VirtualClocks(start=1_000_000.0)
    made = sends(clocks)

    result = site_jobs.handle({"Records": records}, now=clocks.now, sleep=clocks.sleep)

    assert result == {"batchItemFailures": []}  # waiting is not a failed try
    assert [p for p, _, _ in made] == ["p1", "p2"]
    assert clocks.sleeps == [30]
    clock.shift(60)  # the deferred job's delay passes
    (later,) = queued()
    assert json.loads(later["body"])["item"] == "p3"


def test_it_sends_without_pause_when_the_throttle_is_0(app, configured, clock, queued, sends):
    fire(app, "send_profile_status")
    clocks = VirtualClocks(start=1_000_000.0)
    made = sends(clocks)

    site_jobs.handle({"Records": queued()}, now=clocks.now, sleep=clocks.sleep)

    assert len(made) == len(configured.profiles) and clocks.sleeps == []
