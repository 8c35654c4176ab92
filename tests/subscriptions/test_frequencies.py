"""Due times per frequency; `never` is never checked."""

import pytest

from chalicelib.subscriptions import pairs as subscription_pairs
from chalicelib.subscriptions.rules import FREQUENCIES

START = 1793610000  # 2026-11-02 09:00 UTC, the clock fixture's moment


@pytest.mark.parametrize("frequency", ["immediately", "hourly", "daily", "weekly"])
def test_a_pair_is_due_one_interval_after_it_was_created(herald, frequency):
    subscription = herald.subscribe(frequency=frequency)
    pair = herald.pair(subscription)
    assert int(pair["next_check_time"]) == START + FREQUENCIES[frequency]
    assert int(pair["due_at"]) == START + FREQUENCIES[frequency]


@pytest.mark.parametrize("frequency", ["immediately", "hourly", "daily", "weekly"])
def test_after_a_check_the_next_moves_by_the_frequency(herald, frequency):
    subscription = herald.subscribe(frequency=frequency)
    interval = FREQUENCIES[frequency]
    herald.clock.shift(interval - 300)
    assert herald.cycle()["due"] == 1
    assert int(herald.pair(subscription)["next_check_time"]) == START + 2 * interval


def test_missed_checks_are_skipped_not_replayed(herald):
    subscription = herald.subscribe(frequency="hourly")
    herald.cycle(10 * 3600 + 60)
    assert int(herald.pair(subscription)["next_check_time"]) == START + 11 * 3600
    assert herald.cycle(300)["due"] == 0


def test_never_is_never_checked(herald):
    subscription = herald.subscribe(frequency="never")
    pair = herald.pair(subscription)
    assert "due_at" not in pair
    herald.clock.shift(60)
    herald.sample.put({"title": "Flood"})
    for _ in range(3):
        assert herald.cycle(400 * 86400)["due"] == 0
    assert herald.sample.requests == 0
    assert herald.mails() == []


def test_next_check_skips_to_the_first_slot_after_now():
    assert subscription_pairs.next_check("hourly", 0, 100) == 3600
    assert subscription_pairs.next_check("hourly", 0, 3600) == 7200
    assert subscription_pairs.next_check("daily", 0, 86400 * 3 + 5) == 86400 * 4
    assert subscription_pairs.next_check("never", 0, 5) is None
