"""Cron monitors around DST changes, checked against an independent reference.

The reference knows nothing of croniter, folds or gaps: it steps UTC minute
by minute over a window around a real transition, keeps the local clock's
high-water mark, and says a ping is expected at a minute when the clock has
just reached (or jumped past) a wall time its own tiny matcher schedules.
That is the rule Herald promises: a skipped wall time is expected once, at
the jump; a repeated one once, at its first occurrence.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.monitors import schedule

# Real changes of 2025-2027 (UTC). Kathmandu (+05:45) has had none since
# 1986: its window checks the odd offset alone.
TRANSITIONS = {
    "Europe/Berlin": [
        "2025-10-26 01:00",
        "2026-03-29 01:00",
        "2026-10-25 01:00",
        "2027-03-28 01:00",
    ],
    "America/New_York": ["2025-11-02 06:00", "2026-03-08 07:00", "2026-11-01 06:00"],
    "Australia/Lord_Howe": ["2025-10-04 15:30", "2026-04-04 15:00", "2027-10-02 15:30"],
    "Asia/Kathmandu": ["2026-06-01 00:00"],
}
CASES = [(zone, when) for zone, whens in TRANSITIONS.items() for when in whens]
HALF_WINDOW = 8 * 3600
MINUTE = timedelta(minutes=1)
CHECKS = settings(max_examples=150, deadline=None, derandomize=True, database=None)


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


@dataclass(frozen=True)
class Schedule:
    expression: str
    minutes: frozenset
    hours: frozenset

    def matches(self, wall: datetime) -> bool:
        return wall.minute in self.minutes and wall.hour in self.hours


def listed(values) -> str:
    return ",".join(str(v) for v in sorted(values))


ALL_HOURS = frozenset(range(24))
# Hours near the changes (all happen between 00:00 and 04:00 local) most often.
HOURS = st.one_of(st.integers(0, 4), st.integers(0, 23))
MINUTES = st.one_of(st.sampled_from([0, 15, 29, 30, 31, 45, 59]), st.integers(0, 59))

listed_times = st.builds(
    lambda m, h: Schedule(f"{listed(m)} {listed(h)} * * *", frozenset(m), frozenset(h)),
    st.sets(MINUTES, min_size=1, max_size=3),
    st.sets(HOURS, min_size=1, max_size=3),
)
every_n_minutes = st.integers(1, 59).map(
    lambda n: Schedule(f"*/{n} * * * *", frozenset(range(0, 60, n)), ALL_HOURS)
)
every_n_hours = st.builds(
    lambda m, n: Schedule(f"{m} */{n} * * *", frozenset({m}), frozenset(range(0, 24, n))),
    MINUTES,
    st.integers(1, 12),
)
schedules = st.one_of(listed_times, every_n_minutes, every_n_hours)
cases = st.sampled_from(CASES)


def reference(plan: Schedule, zone_name: str, start: int, end: int) -> list[int]:
    """Expected instants in (start, end], from the clock's high-water mark."""
    zone = ZoneInfo(zone_name)

    def wall(t):
        return datetime.fromtimestamp(t, zone).replace(tzinfo=None)

    high, expected = wall(start), []
    for t in range(start + 60, end + 1, 60):
        now = wall(t)
        if now <= high:
            continue  # the repeated hour: wall times already reached
        reached, high = high + MINUTE, now
        while reached <= now:
            if plan.matches(reached):
                expected.append(t)
                break
            reached += MINUTE
    return expected


def window(case) -> tuple[int, int]:
    middle = epoch(case[1])
    return middle - HALF_WINDOW, middle + HALF_WINDOW


def test_it_checks_against_real_transitions():
    for zone_name, when in CASES:
        zone, t = ZoneInfo(zone_name), epoch(when)
        before = datetime.fromtimestamp(t - 1, zone).utcoffset()
        after = datetime.fromtimestamp(t, zone).utcoffset()
        assert (before == after) == (zone_name == "Asia/Kathmandu"), (zone_name, when)


@CHECKS
@given(
    plan=schedules,
    case=cases,
    offset=st.integers(0, 2 * HALF_WINDOW),
    fraction=st.sampled_from([0.0, 0.001, 0.5, 0.999]),
)
def test_it_expects_the_next_ping_when_the_reference_does(plan, case, offset, fraction):
    start, end = window(case)
    expected = reference(plan, case[0], start, end)
    last_ping = start + offset + fraction
    later = [t for t in expected if t > last_ping]
    due = schedule.next_match(plan.expression, case[0], last_ping)
    if later:
        assert due == later[0], (plan.expression, case, last_ping)
    else:
        assert due > end


@CHECKS
@given(plan=schedules, case=cases)
def test_it_never_misses_a_deadline_nor_alerts_between_them(plan, case):
    start, end = window(case)
    expected = reference(plan, case[0], start, end)
    for earlier, instant in zip([start, *expected], expected, strict=False):
        # A ping just before an expected instant waits for it, not beyond it;
        # a ping at it waits for the next one.
        assert schedule.next_match(plan.expression, case[0], instant - 0.5) == instant
        assert schedule.next_match(plan.expression, case[0], earlier) == instant


@CHECKS
@given(plan=schedules, case=cases)
def test_it_produces_every_expected_instant_exactly_once(plan, case):
    start, end = window(case)
    produced, t = [], start
    while True:
        t = schedule.next_match(plan.expression, case[0], t)
        if t > end:
            break
        produced.append(t)
    assert produced == reference(plan, case[0], start, end)


@CHECKS
@given(plan=schedules, case=cases, cut=st.integers(0, 2 * HALF_WINDOW))
def test_it_counts_the_expected_pings_of_any_stretch(plan, case, cut):
    start, end = window(case)
    expected = reference(plan, case[0], start, end)
    item = {"schedule_kind": "cron", "schedule": plan.expression, "tz": case[0]}
    middle = start + cut
    assert schedule.expected_between(item, start, middle) == sum(t <= middle for t in expected)
    assert schedule.expected_between(item, middle, end) == sum(t > middle for t in expected)


@pytest.mark.parametrize(("zone_name", "when"), CASES)
def test_it_expects_an_every_minute_job_each_minute_the_clock_moves_on(zone_name, when):
    plan = Schedule("* * * * *", frozenset(range(60)), ALL_HOURS)
    start, end = window((zone_name, when))
    expected = reference(plan, zone_name, start, end)
    item = {"schedule_kind": "cron", "schedule": plan.expression, "tz": zone_name}
    assert schedule.expected_between(item, start, end) == len(expected)
