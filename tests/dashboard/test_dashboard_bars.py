"""The 90-day bars, from flips alone: what each day's cell says."""

from datetime import UTC, datetime

from chalicelib.dashboard import bars

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC).timestamp()
DAY = 86400


def flip(days_ago: float, status: str, reason: str = "") -> dict:
    return {"t": NOW - days_ago * DAY, "status": status, "reason": reason}


def states(item: dict, entries: list[dict]) -> list[str]:
    return [cell["state"] for cell in bars.cells(item, entries, NOW)]


OLD = {"created_at": "2026-01-01T00:00:00Z", "status": "up"}


def test_it_draws_ninety_days_ending_today():
    cells = bars.cells(OLD, [], NOW)
    assert len(cells) == 90
    assert cells[-1]["day"] == "2026-11-30" and cells[0]["day"] == "2026-09-02"


def test_a_monitor_up_all_along_is_one_green_run():
    assert set(states(OLD, [])) == {"up"}
    assert bars.runs(bars.cells(OLD, [], NOW)) == [
        {"x": 0, "width": 90, "state": "up", "first": "2026-09-02", "last": "2026-11-30", "down": 0}
    ]
    assert bars.uptime(bars.cells(OLD, [], NOW)) == 100.0


def test_days_before_the_monitor_existed_have_no_data():
    item = {"created_at": "2026-11-28T00:00:00Z", "status": "up"}
    cells = states(item, [flip(2.5, "new", "created"), flip(2.4, "up", "first ping")])
    assert cells[:87] == ["none"] * 87
    assert cells[-3:] == ["up", "up", "up"]


def test_an_outage_inside_a_day_is_some_downtime_and_a_whole_day_down_is_down():
    entries = [flip(10.4, "down", "missed deadline"), flip(10.3, "up", "recovered")]
    entries += [flip(5.75, "down", "missed deadline"), flip(2.25, "up", "recovered")]
    cells = bars.cells(OLD, entries, NOW)
    by_day = {cell["day"]: cell for cell in cells}
    assert by_day["2026-11-20"]["state"] == "some"
    assert by_day["2026-11-20"]["down_seconds"] == round(0.1 * DAY)
    assert [by_day[f"2026-11-{d}"]["state"] for d in (23, 24, 25, 26, 27, 28, 29)] == [
        "up",
        "some",
        "down",
        "down",
        "down",
        "some",
        "up",
    ]


def test_an_outage_that_began_before_the_window_is_down_from_its_first_day():
    cells = states(OLD, [flip(3.5, "up", "recovered")])
    assert cells[:86] == ["down"] * 86 and cells[-3:] == ["up"] * 3


def test_a_monitor_still_down_with_no_flip_in_the_window_is_down_throughout():
    assert set(states({**OLD, "status": "down"}, [])) == {"down"}


def test_a_late_flip_changes_nothing_a_user_would_call_an_outage():
    entries = [flip(4.5, "late", "missed deadline"), flip(4.4, "up", "pinged")]
    assert set(states(OLD, entries)) == {"up"}


def test_paused_days_have_no_data_and_do_not_count_against_uptime():
    entries = [flip(20, "paused", "paused")]
    cells = bars.cells(OLD, entries, NOW)
    assert {cell["state"] for cell in cells[-19:]} == {"none"}
    assert bars.uptime(cells) == 100.0


def test_uptime_counts_only_the_time_known_not_whole_days():
    item = {"created_at": "2026-11-30T11:00:00Z", "status": "up"}
    entries = [flip(1 / 24, "new", "created"), flip(1 / 24, "up", "first ping")]
    entries.append(flip(59 / 1440, "down", "missed deadline"))  # down 59 of its 60 minutes
    assert bars.uptime(bars.cells(item, entries, NOW)) == round(100 / 60, 2)


def test_a_monitor_never_pinged_has_no_data_and_no_uptime():
    item = {"created_at": "2026-11-20T00:00:00Z", "status": "new"}
    cells = bars.cells(item, [flip(10.5, "new", "created")], NOW)
    assert {cell["state"] for cell in cells} == {"none"}
    assert bars.uptime(cells) is None


def test_time_waiting_for_the_first_ping_is_no_data_even_before_the_window():
    cells = states(OLD, [flip(3.5, "up", "first ping")])
    assert cells[:86] == ["none"] * 86 and cells[-3:] == ["up"] * 3


def test_a_blocked_monitor_is_no_data():
    assert states(OLD, [flip(3.5, "blocked", "")])[-3:] == ["none"] * 3
