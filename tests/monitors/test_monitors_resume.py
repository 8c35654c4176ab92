"""Resuming a paused monitor is a fresh start: nothing of an outage before or
during the pause shapes the next one, and the outage history keeps them all."""

import json

from tests.monitors.test_monitors_policy import walk

__all__ = ["walk"]

QUIET = [{"days": "mon", "from": "10:05", "to": "11:00", "tz": "Europe/Berlin"}]  # 09:05-10:00 UTC
FAST = {"changes": 4, "window": 3600, "stable": 600}


def _pause_and_resume(client, api_key, clock=None, seconds=0) -> None:
    assert client.http.post("/monitors/job/pause", headers=api_key).status_code == 200
    if clock is not None:
        clock.shift(seconds)
    assert client.http.post("/monitors/job/resume", headers=api_key).status_code == 200


def _text(sent_mail) -> str:
    return sent_mail()[-1].get_body(("plain",)).get_content()


def test_it_gives_the_next_outage_its_own_reminders(job, walk, ping, client, api_key):
    monitor = job(realert_every=300, realert_limit=1)
    assert walk(20) == ["job disconnection detected"] * 2  # the alert and its one reminder
    _pause_and_resume(client, api_key)
    assert ping(monitor).status_code == 200
    assert walk(20) == ["job disconnection detected"] * 2


def test_it_dates_the_next_recovery_from_the_next_outage(
    job, walk, ping, client, api_key, sent_mail, clock
):
    monitor = job()
    assert walk(10) == ["job disconnection detected"]  # down since 09:06
    _pause_and_resume(client, api_key, clock, 3 * 3600)
    assert ping(monitor).status_code == 200  # 12:10
    assert walk(10) == ["job disconnection detected"]  # down since 12:16
    assert ping(monitor).status_code == 200
    assert walk(1) == ["job is back up"]
    assert "(down since 2026-11-02 12:16" in _text(sent_mail)


def test_it_forgets_a_notice_held_in_quiet_hours(
    job, walk, ping, client, api_key, sent_mail, clock
):
    monitor = job(quiet_hours=QUIET)
    assert walk(10) == []  # down at 09:06, held by quiet hours
    _pause_and_resume(client, api_key, clock, 3600)  # 10:10, after the quiet hours
    assert walk(5) == []  # the held notice is not told
    assert ping(monitor).status_code == 200
    assert walk(10) == ["job disconnection detected"]  # a fresh outage, never held
    assert "Held during quiet hours" not in _text(sent_mail)


def test_it_counts_failures_towards_the_threshold_afresh(job, walk, ping, clock, client, api_key):
    monitor = job(failure_threshold=3)
    for _ in range(2):
        clock.shift(10)
        assert ping(monitor, "fail").status_code == 200
    _pause_and_resume(client, api_key)
    for _ in range(2):
        clock.shift(10)
        assert ping(monitor, "fail").status_code == 200  # 1 and 2 of 3
    assert walk(1) == []
    assert ping(monitor, "fail").status_code == 200  # 3 of 3
    assert walk(1) == ["job reported a failure"]


def test_it_tells_no_recovery_of_an_outage_before_the_pause(job, walk, ping, client, api_key):
    monitor = job()
    assert walk(10) == ["job disconnection detected"]
    _pause_and_resume(client, api_key)
    assert ping(monitor).status_code == 200
    assert walk(3) == []


def test_it_tells_the_next_changes_of_a_monitor_that_was_flapping(
    job, walk, ping, clock, client, api_key
):
    monitor = job(flapping=FAST)
    subjects = []
    for i in range(7):  # fail, succeed, ... a minute apart: flapping, ends down
        assert ping(monitor, "fail" if i % 2 == 0 else "").status_code == 200
        subjects += walk(1)
    assert subjects[-1] == "job is flapping"
    _pause_and_resume(client, api_key)
    assert ping(monitor).status_code == 200
    assert ping(monitor, "fail").status_code == 200
    # Told, not muted; and no "stopped flapping" for an episode the resume ended.
    assert walk(15) == ["job reported a failure"]


def test_it_keeps_the_outage_before_the_pause_in_the_history(
    job, walk, ping, clock, client, api_key
):
    monitor = job()
    assert walk(10) == ["job disconnection detected"]  # down 09:06-09:10
    _pause_and_resume(client, api_key, clock, 60)
    assert ping(monitor).status_code == 200
    flips = json.loads(client.http.get("/monitors/job/flips", headers=api_key).body)["flips"]
    assert [f["status"] for f in flips] == ["new", "up", "late", "down", "paused", "new", "up"]
    reply = client.http.get("/monitors/job/downtime?count=1", headers=api_key)
    [today] = json.loads(reply.body)["downtime"]
    assert today["outages"] == 1 and today["down_seconds"] == 240
