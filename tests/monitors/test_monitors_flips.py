"""Flips: a monitor's state changes, its outages and its downtime per day, week and month."""

from datetime import datetime
from decimal import Decimal

import pytest

MONITOR = {"pk": "MON#0123abcd", "sk": "MON", "name": "backup", "life": 1}
DAY = 86400.0


def at(text: str) -> float:
    """Epoch seconds of a UTC time written "2026-11-02 09:00"."""
    return datetime.fromisoformat(text + "+00:00").timestamp()


def flip(text: str, status: str) -> dict:
    return {"t": Decimal(str(at(text))), "status": status, "reason": "pinged"}


def row(start: str, down: float, outages: int, longest: float) -> dict:
    return {"start": start, "down_seconds": down, "outages": outages, "longest": longest}


def statuses(found) -> list[str]:
    return [entry["status"] for entry in found]


# ---- storage ------------------------------------------------------------------


def test_it_keeps_one_flip_when_the_same_change_is_recorded_twice(aws, clock):
    from chalicelib.monitors import flips

    flips.record(MONITOR, "down", at("2026-11-02 08:00"), "missed deadline")
    flips.record(MONITOR, "down", at("2026-11-02 08:00"), "missed deadline")
    flips.record(MONITOR, "up", at("2026-11-02 08:30"), "recovered")

    found = flips.entries(MONITOR)
    assert [flips.public(entry) for entry in found] == [
        {"time": "2026-11-02T08:00:00.000000Z", "status": "down", "reason": "missed deadline"},
        {"time": "2026-11-02T08:30:00.000000Z", "status": "up", "reason": "recovered"},
    ]


def test_it_lists_flips_from_start_up_to_but_not_including_end(aws, clock):
    from chalicelib.monitors import flips

    for hour, status in [(1, "up"), (2, "late"), (3, "down"), (4, "up")]:
        flips.record(MONITOR, status, at(f"2026-11-02 0{hour}:00"), "pinged")

    window = flips.entries(MONITOR, start=at("2026-11-02 02:00"), end=at("2026-11-02 04:00"))
    assert statuses(window) == ["late", "down"]
    assert statuses(flips.entries(MONITOR, start=at("2026-11-02 03:00"))) == ["down", "up"]
    assert statuses(flips.entries(MONITOR, end=at("2026-11-02 02:00"))) == ["up"]
    assert flips.entries(MONITOR, start=at("2026-11-02 04:00"), end=at("2026-11-02 04:00")) == []


def test_it_lists_newest_first_and_stops_at_the_limit(aws, clock):
    from chalicelib.monitors import flips

    for hour, status in [(1, "up"), (2, "late"), (3, "down"), (4, "up")]:
        flips.record(MONITOR, status, at(f"2026-11-02 0{hour}:00"), "pinged")

    newest = flips.entries(MONITOR, limit=2, newest_first=True)
    assert [flips.public(entry)["time"] for entry in newest] == [
        "2026-11-02T04:00:00.000000Z",
        "2026-11-02T03:00:00.000000Z",
    ]
    assert statuses(flips.entries(MONITOR, limit=3)) == ["up", "late", "down"]


def test_it_keeps_sub_second_times_exact(aws, clock):
    from chalicelib.monitors import flips

    moment = at("2026-11-02 08:00") + 0.123456
    flips.record(MONITOR, "down", moment, "fail ping")
    flips.record(MONITOR, "up", moment + 0.000001, "exit status 0")

    assert statuses(flips.entries(MONITOR, start=moment, end=moment + 0.000001)) == ["down"]
    assert statuses(flips.entries(MONITOR, start=moment + 0.000001)) == ["up"]
    assert flips.public(flips.entries(MONITOR)[1])["time"] == "2026-11-02T08:00:00.123457Z"


def test_it_skips_flips_past_their_retention(aws, clock, monkeypatch):
    from chalicelib.monitors import flips

    monkeypatch.setenv("FLIP_RETENTION_DAYS", "10")  # below the floor of 93
    flips.record(MONITOR, "down", at("2026-11-02 08:00"), "missed deadline")
    flips.record(MONITOR, "up", at("2026-11-03 08:00"), "recovered")

    clock.move_to("2027-02-03 07:59:59+00:00", tick=False)  # 93 days later, not yet
    assert statuses(flips.entries(MONITOR)) == ["down", "up"]
    clock.move_to("2027-02-03 08:00:00+00:00", tick=False)
    assert statuses(flips.entries(MONITOR)) == ["up"]
    assert statuses(flips.entries(MONITOR, limit=1)) == ["up"]


def test_it_keeps_flips_for_100_days_by_default(aws, clock):
    from chalicelib.monitors import flips

    flips.record(MONITOR, "down", at("2026-11-02 08:00"), "missed deadline")
    clock.move_to("2027-02-10 07:59:59+00:00", tick=False)
    assert statuses(flips.entries(MONITOR)) == ["down"]
    clock.move_to("2027-02-10 08:00:00+00:00", tick=False)  # 100 days
    assert flips.entries(MONITOR) == []


def test_it_starts_a_re_created_monitor_with_no_flips(make_monitor, clock):
    from chalicelib.monitors import flips, store

    make_monitor("backup")
    item = store.get("backup")
    later_life = {**item, "life": Decimal(int(item.get("life", 1)) + 1)}

    assert [flips.public(entry) for entry in flips.entries(item)] == [
        {"time": "2026-11-02T09:00:00.000000Z", "status": "new", "reason": "created"}
    ]
    assert flips.entries(later_life) == []
    flips.record(later_life, "up", at("2026-11-02 09:30"), "first ping")
    assert statuses(flips.entries(item)) == ["new"]
    assert statuses(flips.entries(later_life)) == ["up"]


def test_it_refuses_an_unknown_status_or_window_but_keeps_any_reason(aws, clock):
    from chalicelib.core import errors
    from chalicelib.monitors import flips

    with pytest.raises(ValueError):
        flips.record(MONITOR, "sideways", at("2026-11-02 08:00"), "pinged")
    flips.record(MONITOR, "late", at("2026-11-02 08:00"), "no ping when expected")
    assert [entry["reason"] for entry in flips.entries(MONITOR)] == ["no ping when expected"]
    with pytest.raises(errors.Invalid):
        flips.entries(MONITOR, start=1e20)
    with pytest.raises(errors.Invalid):
        flips.entries(MONITOR, limit=0)
    with pytest.raises(errors.Invalid):
        flips.downtime([], at("2026-11-02 08:00"), "year", 1)
    with pytest.raises(errors.Invalid):
        flips.downtime([], at("2026-11-02 08:00"), "day", 0)


# ---- outages ------------------------------------------------------------------


def test_it_ends_an_outage_at_a_flip_other_than_down_or_late():
    from chalicelib.monitors import flips

    history = [
        flip("2026-11-02 01:00", "down"),
        flip("2026-11-02 01:10", "late"),
        flip("2026-11-02 01:20", "down"),
        flip("2026-11-02 02:00", "up"),
        flip("2026-11-02 03:00", "down"),
        flip("2026-11-02 03:30", "paused"),
    ]
    assert flips.outages(history, now=at("2026-11-02 09:00")) == [
        {"start": at("2026-11-02 01:00"), "end": at("2026-11-02 02:00"), "seconds": 3600.0},
        {"start": at("2026-11-02 03:00"), "end": at("2026-11-02 03:30"), "seconds": 1800.0},
    ]


def test_it_leaves_the_outage_of_a_monitor_still_down_open():
    from chalicelib.monitors import flips

    history = [flip("2026-11-02 08:00", "up"), flip("2026-11-02 08:15", "down")]
    assert flips.outages(history, now=at("2026-11-02 09:00")) == [
        {"start": at("2026-11-02 08:15"), "end": None, "seconds": 2700.0}
    ]


# ---- downtime -----------------------------------------------------------------


def test_it_counts_an_outage_across_midnight_on_each_day():
    from chalicelib.monitors import flips

    history = [flip("2026-10-31 23:00", "down"), flip("2026-11-01 01:00", "up")]
    days = flips.downtime(history, at("2026-11-02 09:00"), "day", 4)
    assert days == [
        row("2026-11-02", 0.0, 0, 0.0),
        row("2026-11-01", 3600.0, 1, 3600.0),
        row("2026-10-31", 3600.0, 1, 3600.0),
        row("2026-10-30", 0.0, 0, 0.0),
    ]


def test_it_counts_each_outage_of_a_day_and_its_longest():
    from chalicelib.monitors import flips

    history = [
        flip("2026-11-02 01:00", "down"),
        flip("2026-11-02 01:10", "up"),
        flip("2026-11-02 02:00", "down"),
        flip("2026-11-02 02:30", "up"),
    ]
    [today] = flips.downtime(history, at("2026-11-02 09:00"), "day", 1)
    assert today == row("2026-11-02", 2400.0, 2, 1800.0)


def test_it_counts_an_outage_still_under_way_until_now(clock):
    from chalicelib.core import clock as herald_clock
    from chalicelib.monitors import flips

    history = [flip("2026-11-01 22:00", "down")]
    clock.shift(1800)  # 09:30
    today, yesterday = flips.downtime(history, herald_clock.epoch(), "day", 2)
    assert today["down_seconds"] == 9.5 * 3600 and today["outages"] == 1
    assert yesterday["down_seconds"] == 2 * 3600 and yesterday["outages"] == 1


def test_it_counts_all_31_days_of_a_month():
    from chalicelib.monitors import flips

    history = [flip("2026-10-01 00:00", "down"), flip("2026-11-01 00:00", "up")]
    november, october, september = flips.downtime(history, at("2026-11-02 09:00"), "month", 3)
    assert october == row("2026-10-01", 31 * DAY, 1, 31 * DAY)
    assert november["start"] == "2026-11-01" and november["down_seconds"] == 0.0
    assert september["start"] == "2026-09-01" and september["outages"] == 0


def test_it_reaches_back_across_a_year_and_a_short_february():
    from chalicelib.monitors import flips

    history = [flip("2027-02-01 00:00", "down"), flip("2027-03-01 00:00", "up")]
    months = flips.downtime(history, at("2027-03-15 12:00"), "month", 4)
    assert [month["start"] for month in months] == [
        "2027-03-01",
        "2027-02-01",
        "2027-01-01",
        "2026-12-01",
    ]
    assert months[1]["down_seconds"] == 28 * DAY


def test_it_starts_weeks_on_monday():
    from chalicelib.monitors import flips

    history = [flip("2026-11-08 23:00", "down"), flip("2026-11-09 02:00", "up")]
    # 2026-11-11 is a Wednesday; the weeks began on Mondays 9 and 2 November.
    this_week, last_week = flips.downtime(history, at("2026-11-11 12:00"), "week", 2)
    assert (this_week["start"], this_week["down_seconds"]) == ("2026-11-09", 7200.0)
    assert (last_week["start"], last_week["down_seconds"]) == ("2026-11-02", 3600.0)


def test_it_counts_a_monitor_down_before_its_first_flip_from_the_window_start():
    from chalicelib.monitors import flips

    history = [flip("2026-11-01 06:00", "up")]
    now = at("2026-11-02 09:00")
    today, yesterday = flips.downtime(history, now, "day", 2, status_before="down")
    assert yesterday == row("2026-11-01", 6 * 3600.0, 1, 6 * 3600.0)
    assert today["down_seconds"] == 0.0
    assert flips.downtime(history, now, "day", 2, status_before="up")[1]["down_seconds"] == 0.0


# ---- summary: entries and the flip before them ----------------------------------


def test_it_summarises_with_the_flip_before_the_window(aws, clock):
    from chalicelib.core import clock as herald_clock
    from chalicelib.monitors import flips

    flips.record(MONITOR, "up", at("2026-10-20 08:00"), "first ping")
    flips.record(MONITOR, "down", at("2026-10-30 20:00"), "missed deadline")
    flips.record(MONITOR, "late", at("2026-11-01 03:00"), "pinged")
    flips.record(MONITOR, "up", at("2026-11-01 06:00"), "recovered")
    flips.record(MONITOR, "down", at("2026-11-02 08:00"), "exit status 3")

    today, yesterday = flips.summary(MONITOR, herald_clock.epoch(), "day", 2)
    assert yesterday == row("2026-11-01", 6 * 3600.0, 1, 6 * 3600.0)
    assert today == row("2026-11-02", 3600.0, 1, 3600.0)


def test_it_summarises_a_monitor_without_flips_as_all_zero(aws, clock):
    from chalicelib.core import clock as herald_clock
    from chalicelib.monitors import flips

    weeks = flips.summary(MONITOR, herald_clock.epoch(), "week", 3)
    assert [week["start"] for week in weeks] == ["2026-11-02", "2026-10-26", "2026-10-19"]
    assert all(week["down_seconds"] == 0.0 and week["outages"] == 0 for week in weeks)


def test_it_summarises_in_two_queries_and_no_scan(aws, clock, monkeypatch):
    from chalicelib.core import aws as clients
    from chalicelib.core import clock as herald_clock
    from chalicelib.monitors import flips

    flips.record(MONITOR, "down", at("2026-10-01 08:00"), "missed deadline")
    calls = []
    real_table = clients.table

    class Counted:
        def __init__(self, table):
            self.table = table

        def __getattr__(self, name):
            calls.append(name)
            return getattr(self.table, name)

    monkeypatch.setattr(clients, "table", lambda env_name: Counted(real_table(env_name)))
    months = flips.summary(MONITOR, herald_clock.epoch(), "month", 1)
    assert calls == ["query", "query"]
    assert months[0]["down_seconds"] == at("2026-11-02 09:00") - at("2026-11-01 00:00")
