"""When a monitor is late and down, for each schedule kind, with worked examples.

Cron examples are written as the local wall time a person schedules and the
UTC instant Herald expects the ping, around the 2026 DST changes.
"""

import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from chalicelib.core import cron as crons
from chalicelib.monitors import schedule


def at(text: str) -> float:
    """An ISO time with its offset, as epoch seconds."""
    return datetime.fromisoformat(text).timestamp()


def utc(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S")


def cron(expression, tz=None, grace=None):
    item = {"schedule_kind": "cron", "schedule": expression, "max_sleep": Decimal(3600)}
    if tz is not None:
        item["tz"] = tz
    if grace is not None:
        item["grace"] = Decimal(grace)
    return item


# -- max_sleep and simple ---------------------------------------------------


def test_it_treats_a_monitor_without_a_kind_as_the_seeds_max_sleep():
    assert schedule.kind({"max_sleep": Decimal(600)}) == "max_sleep"
    assert schedule.kind({"schedule_kind": "simple"}) == "simple"
    assert schedule.kind({"schedule_kind": "cron"}) == "cron"


def test_it_makes_a_max_sleep_monitor_late_and_down_together():
    item = {"max_sleep": Decimal(600), "email_frequency": Decimal(3600)}
    last = Decimal("1790000000.5")
    assert schedule.late_at(item, last) == 1790000600.5
    assert schedule.down_at(item, last) == 1790000600.5


def test_it_makes_a_simple_monitor_late_after_the_timeout_and_down_after_the_grace():
    item = {"schedule_kind": "simple", "timeout": Decimal(3600), "grace": Decimal(300)}
    assert schedule.late_at(item, 1_790_000_000) == 1_790_003_600
    assert schedule.down_at(item, 1_790_000_000) == 1_790_003_900


def test_it_uses_healthchecks_defaults_for_a_missing_timeout_and_grace():
    item = {"schedule_kind": "simple"}
    assert schedule.late_at(item, 0) == 86400
    assert schedule.down_at(item, 0) == 86400 + 3600


# -- cron: Europe/Berlin "0 2 * * 1-5" around both 2026 changes --------------

WEEKDAYS_AT_TWO = cron("0 2 * * 1-5", "Europe/Berlin", grace=1800)


@pytest.mark.parametrize(
    ("last_ping", "late", "down"),
    [
        # Winter time (+01:00): Thursday's run, then Friday 02:00 CET.
        ("2026-03-26 02:00:05+01:00", "2026-03-27 01:00:00", "2026-03-27 01:30:00"),
        # Over the weekend of the spring change: Monday 02:00 CEST.
        ("2026-03-27 02:00:05+01:00", "2026-03-30 00:00:00", "2026-03-30 00:30:00"),
        # Summer time (+02:00).
        ("2026-03-30 02:00:05+02:00", "2026-03-31 00:00:00", "2026-03-31 00:30:00"),
        # Over the weekend of the autumn change: Monday 02:00 CET.
        ("2026-10-23 02:00:05+02:00", "2026-10-26 01:00:00", "2026-10-26 01:30:00"),
        ("2026-10-26 02:00:05+01:00", "2026-10-27 01:00:00", "2026-10-27 01:30:00"),
    ],
)
def test_it_expects_a_berlin_weekday_job_at_two_local_across_dst(last_ping, late, down):
    assert utc(schedule.late_at(WEEKDAYS_AT_TWO, at(last_ping))) == late
    assert utc(schedule.down_at(WEEKDAYS_AT_TWO, at(last_ping))) == down


def test_it_expects_a_skipped_half_past_two_once_when_clocks_jump_to_three():
    item = cron("30 2 * * *", "Europe/Berlin")
    saturday = at("2026-03-28 02:30:10+01:00")
    assert utc(schedule.late_at(item, saturday)) == "2026-03-29 01:00:00"  # 03:00 CEST
    assert utc(schedule.down_at(item, saturday)) == "2026-03-29 02:00:00"
    # The run at the jump is that day's: the next one is Monday's 02:30 CEST.
    assert utc(schedule.late_at(item, at("2026-03-29 03:00:20+02:00"))) == "2026-03-30 00:30:00"
    window = (at("2026-03-28 12:00:00+00:00"), at("2026-03-30 12:00:00+00:00"))
    assert schedule.expected_between(item, *window) == 2


def test_it_expects_a_repeated_half_past_two_at_its_first_occurrence_only():
    item = cron("30 2 * * *", "Europe/Berlin")
    assert utc(schedule.late_at(item, at("2026-10-24 02:30:10+02:00"))) == "2026-10-25 00:30:00"
    # A ping at the first 02:30 (CEST) is not awaited again at the second (CET).
    assert utc(schedule.late_at(item, at("2026-10-25 02:30:10+02:00"))) == "2026-10-26 01:30:00"
    assert utc(schedule.late_at(item, at("2026-10-25 02:31:00+01:00"))) == "2026-10-26 01:30:00"
    window = (at("2026-10-24 12:00:00+00:00"), at("2026-10-26 12:00:00+00:00"))
    assert schedule.expected_between(item, *window) == 2


def test_it_expects_each_quarter_hour_of_a_skipped_hour_as_one_ping_at_the_jump():
    item = cron("*/15 * * * *", "Europe/Berlin")
    assert utc(schedule.late_at(item, at("2026-03-29 01:45:00+01:00"))) == "2026-03-29 01:00:00"
    assert utc(schedule.late_at(item, at("2026-03-29 03:00:00+02:00"))) == "2026-03-29 01:15:00"
    # 00:00-03:00 UTC: 01:00 CET ... 01:45 CET, the jump (03:00 CEST), then to 04:00 CEST.
    window = (at("2026-03-29 00:00:00+00:00"), at("2026-03-29 02:00:00+00:00"))
    assert schedule.expected_between(item, *window) == 8


def test_it_follows_lord_howes_half_hour_changes():
    # 2026-10-04 02:00 LHST (+10:30) becomes 02:30 LHDT (+11:00): 02:15 is skipped.
    skipped = cron("15 2 * * *", "Australia/Lord_Howe")
    before = at("2026-10-03 02:15:00+10:30")
    assert utc(schedule.late_at(skipped, before)) == "2026-10-03 15:30:00"
    assert utc(schedule.late_at(skipped, at("2026-10-03 15:30:30+00:00"))) == "2026-10-04 15:15:00"
    # 2026-04-05 02:00 LHDT (+11:00) goes back to 01:30 LHST: 01:45 happens twice.
    repeated = cron("45 1 * * *", "Australia/Lord_Howe")
    first = at("2026-04-05 01:45:00+11:00")
    assert utc(schedule.late_at(repeated, at("2026-04-04 12:00:00+00:00"))) == utc(first)
    assert utc(schedule.late_at(repeated, first)) == "2026-04-05 15:15:00"


def test_it_expects_kathmandu_times_at_a_quarter_to_the_utc_hour():
    item = cron("0 9 * * *", "Asia/Kathmandu")
    assert utc(schedule.late_at(item, at("2026-06-01 00:00:00+00:00"))) == "2026-06-01 03:15:00"
    assert utc(schedule.late_at(item, at("2026-06-01 03:15:00+00:00"))) == "2026-06-02 03:15:00"


def test_it_reads_aliases_and_defaults_to_utc_and_an_hour_of_grace():
    item = cron("@daily")
    assert utc(schedule.late_at(item, at("2026-06-01 13:00:00+00:00"))) == "2026-06-02 00:00:00"
    assert utc(schedule.down_at(item, at("2026-06-01 13:00:00+00:00"))) == "2026-06-02 01:00:00"
    berlin = cron("@hourly", "Europe/Berlin")
    assert utc(schedule.late_at(berlin, at("2026-06-01 13:20:00+00:00"))) == "2026-06-01 14:00:00"


def test_it_expects_the_last_day_of_the_month_with_l():
    item = cron("0 12 L * *")
    assert utc(schedule.late_at(item, at("2026-02-10 00:00:00+00:00"))) == "2026-02-28 12:00:00"
    assert utc(schedule.late_at(item, at("2028-02-10 00:00:00+00:00"))) == "2028-02-29 12:00:00"
    assert utc(schedule.late_at(item, at("2026-02-28 12:00:00+00:00"))) == "2026-03-31 12:00:00"


def test_it_expects_nth_weekdays_and_nearest_weekdays():
    third_friday = schedule.next_match("0 8 * * 5#3", "UTC", at("2026-04-01 00:00:00+00:00"))
    assert utc(third_friday) == "2026-04-17 08:00:00"
    # 2026-08-15 is a Saturday: the nearest weekday is Friday the 14th.
    nearest = schedule.next_match("0 8 15W * *", "UTC", at("2026-08-01 00:00:00+00:00"))
    assert utc(nearest) == "2026-08-14 08:00:00"


def test_it_expects_the_next_match_strictly_after_the_ping():
    on_time = at("2026-06-01 02:00:00+00:00")
    assert utc(schedule.next_match("0 2 * * *", "UTC", on_time)) == "2026-06-02 02:00:00"
    assert utc(schedule.next_match("0 2 * * *", "UTC", on_time - 0.001)) == "2026-06-01 02:00:00"


# -- expected_between ---------------------------------------------------------


def test_it_counts_whole_periods_for_max_sleep_and_simple():
    assert schedule.expected_between({"max_sleep": Decimal(600)}, 0, 1799) == 2
    simple = {"schedule_kind": "simple", "timeout": Decimal(3600)}
    assert schedule.expected_between(simple, 0, 7200) == 2
    assert schedule.expected_between(simple, 100, 100) == 0
    assert schedule.expected_between(simple, 200, 100) == 0
    assert schedule.expected_between({"max_sleep": Decimal(0)}, 0, 60) == 10_000


def test_it_counts_cron_instants_in_a_half_open_window():
    item = cron("0 * * * *")
    start, end = at("2026-06-01 00:00:00+00:00"), at("2026-06-01 03:00:00+00:00")
    assert schedule.expected_between(item, start, end) == 3  # 01:00, 02:00, 03:00


def test_it_stops_counting_cron_instants_at_ten_thousand():
    item = cron("* * * * *")
    start = at("2026-06-01 00:00:00+00:00")
    assert schedule.expected_between(item, start, start + 60 * 20_000) == 10_000


# -- check_cron and check_tz --------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "0 2 * * 1-5",
        "*/5 * * * *",
        "0 0 L * *",
        "0 8 15W * *",
        "0 8 * * 5#3",
        "0 8 * * L5",
        "0 9 1 jan,jul mon-fri",
        "0 0 29 2 *",
        "@daily",
        "@Weekly",
        "@midnight",
        "@annually",
    ],
)
def test_it_accepts_five_field_expressions_and_aliases(expression):
    assert schedule.check_cron(f"  {expression}\t") == expression


@pytest.mark.parametrize(
    ("expression", "why"),
    [
        ("", "empty"),
        ("* * * *", "exactly 5 fields"),
        ("0 0 * * * *", "exactly 5 fields"),
        ("0 0 1 1 * 2030", "exactly 5 fields"),
        ("@reboot", "unknown alias"),
        ("61 * * * *", "minute field '61'"),
        ("0 24 * * *", "hour field '24'"),
        ("0 0 32 * *", "day-of-month field '32'"),
        ("0 0 * 13 *", "month field '13'"),
        ("0 0 * * 8", "day-of-week field '8'"),
        ("0 0 * * mon#6", "day-of-week field"),
        ("H * * * *", "H and R"),
        ("0 R * * *", "H and R"),
        ("0 0 30 2 *", "never matches"),
        ("0 0 31 4,6,9,11 *", "never matches"),
        ("0 0 * * 1; rm", "only letters"),
        ("0\u00a00 * * *", "only letters"),
        ("0 " * 60, "too long"),
    ],
)
def test_it_refuses_cron_expressions_saying_what_is_wrong(expression, why):
    with pytest.raises(ValueError, match=why):
        schedule.check_cron(expression)


@pytest.mark.parametrize(
    "name",
    ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "Asia/Kathmandu"],
)
def test_it_accepts_iana_time_zones(name):
    assert schedule.check_tz(name) == name


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("", "empty"),
        ("local", "not an IANA"),
        ("localtime", "not an IANA"),
        ("/etc/localtime", "not an IANA"),
        ("../etc/passwd", "not an IANA"),
        ("Europe/../UTC", "not an IANA"),
        ("right/UTC", "not an IANA"),
        ("Mars/Olympus_Mons", "unknown time zone"),
        ("Europe", "unknown time zone"),
        ("zone.tab", "not an IANA"),
        ("A" * 65, "too long"),
    ],
)
def test_it_refuses_what_is_not_a_time_zone(name, why):
    with pytest.raises(ValueError, match=why):
        schedule.check_tz(name)


def test_it_accepts_every_zone_the_system_knows():
    from zoneinfo import available_timezones

    for name in sorted(available_timezones() - crons.NOT_ZONES):
        assert schedule.check_tz(name) == name


# -- describe -----------------------------------------------------------------


def test_it_describes_each_kind_in_a_few_words():
    assert schedule.describe({"max_sleep": Decimal(600)}) == "no ping for over 10 min"
    simple = {"schedule_kind": "simple", "timeout": Decimal(3600), "grace": Decimal(300)}
    assert schedule.describe(simple) == "every 1 h, grace 5 min"
    berlin = cron("0 2 * * 1-5", "Europe/Berlin", grace=3600)
    assert schedule.describe(berlin) == (
        "at 02:00, Monday through Friday Europe/Berlin (cron 0 2 * * 1-5), grace 1 h"
    )
    assert schedule.describe(cron("@daily")) == "every day at 00:00 UTC (cron @daily), grace 1 h"


def test_it_writes_durations_in_units_people_read():
    assert schedule.span(45) == "45 s"
    assert schedule.span(5400) == "1 h 30 min"
    assert schedule.span(86400) == "1 day"
    assert schedule.span(2 * 86400 + 60) == "2 days 1 min"
    assert schedule.span(0) == "0 s"


# -- the ping path stays light --------------------------------------------------


def test_it_imports_croniter_only_when_a_cron_time_is_computed():
    code = (
        "import sys; from chalicelib.monitors import schedule; "
        "schedule.late_at({'max_sleep': 60}, 0); "
        "schedule.late_at({'schedule_kind': 'simple', 'timeout': 60}, 0); "
        "print('croniter' in sys.modules, end=' '); "
        "schedule.late_at({'schedule_kind': 'cron', 'schedule': '@daily'}, 0); "
        "print('croniter' in sys.modules)"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, a fixed program
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False True"
