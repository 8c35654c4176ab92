"""A recovery held by quiet hours, a snooze or a maintenance window, then a
failure: inside the window the failure continues the outage (nobody heard of
the recovery); once the window is over, the held recovery is told first, then
the failure as an outage of its own, even before the checker has released
the hold."""

import json
import time
from datetime import datetime

QUIET = [{"days": "mon", "from": "09:05", "to": "10:00"}]  # UTC, this Monday


def _pinged_until(ping, monitor, clock, end: str) -> None:
    """Successes every 4 minutes, the job's timeout being 5, until `end`."""
    while time.time() + 240 < datetime.fromisoformat(end).timestamp():
        clock.shift(240)
        assert ping(monitor).status_code == 200


def _flips(client, api_key) -> list[str]:
    reply = client.http.get("/monitors/job/flips", headers=api_key)
    return [flip["status"] for flip in json.loads(reply.body)["flips"]]


def _status(client, api_key) -> dict:
    return json.loads(client.http.get("/monitors/job", headers=api_key).body)


def test_a_failure_after_quiet_hours_tells_the_held_recovery_first(
    job, ping, clock, told, client, api_key
):
    monitor = job(quiet_hours=QUIET)
    clock.shift(60)
    assert ping(monitor, "fail").status_code == 200  # 09:01, told at once
    assert told() == ["job reported a failure"]
    clock.shift(300)
    assert ping(monitor).status_code == 200  # 09:06: its recovery is held
    assert told() == []
    _pinged_until(ping, monitor, clock, "2026-11-02 10:00:00+00:00")
    clock.move_to("2026-11-02 10:00:10+00:00")  # over; the checker has not run since
    assert ping(monitor, "fail").status_code == 200
    assert told() == ["job is back up", "job reported a failure"]
    assert _flips(client, api_key)[-3:] == ["down", "up", "down"]
    shown = _status(client, api_key)
    assert shown["status"] == "down" and shown.get("held_since") is None


def test_a_failure_after_a_snooze_is_lifted_tells_the_held_recovery_first(
    job, ping, clock, told, client, api_key
):
    monitor = job()
    clock.shift(60)
    assert ping(monitor, "fail").status_code == 200
    assert told() == ["job reported a failure"]
    snoozed = client.http.post(
        "/monitors/job/snooze",
        headers={**api_key, "Content-Type": "application/json"},
        body=json.dumps({"seconds": 3600}),
    )
    assert snoozed.status_code == 200
    clock.shift(60)
    assert ping(monitor).status_code == 200
    assert told() == []  # held by the snooze
    clock.shift(60)
    assert client.http.delete("/monitors/job/snooze", headers=api_key).status_code == 200
    assert ping(monitor, "fail").status_code == 200  # before the checker's next run
    assert told() == ["job is back up", "job reported a failure"]
    assert _flips(client, api_key)[-3:] == ["down", "up", "down"]


def test_a_failure_after_quiet_hours_sums_up_the_held_outage_first(job, ping, clock, told):
    monitor = job(quiet_hours=QUIET)
    clock.move_to("2026-11-02 09:10:00+00:00")
    assert ping(monitor, "fail").status_code == 200  # held: nobody is told
    assert told() == []
    clock.shift(300)
    assert ping(monitor).status_code == 200  # recovered, still quiet
    _pinged_until(ping, monitor, clock, "2026-11-02 10:00:00+00:00")
    clock.move_to("2026-11-02 10:00:10+00:00")
    assert ping(monitor, "fail").status_code == 200
    assert told() == ["job was down during quiet hours and is back up", "job reported a failure"]


def test_a_failure_inside_quiet_hours_still_continues_the_told_outage(job, ping, clock, told):
    monitor = job(quiet_hours=QUIET)
    clock.shift(60)
    assert ping(monitor, "fail").status_code == 200
    assert told() == ["job reported a failure"]
    clock.shift(300)
    assert ping(monitor).status_code == 200  # 09:06, held
    clock.shift(60)
    assert ping(monitor, "fail").status_code == 200  # 09:07, still quiet
    clock.move_to("2026-11-02 10:00:30+00:00")
    assert told() == []  # one outage, told at 09:01, still going on


def test_a_failure_after_a_maintenance_window_tells_the_held_recovery_first(job, ping, clock, told):
    window = [{"start": "2026-11-02T09:01:00Z", "end": "2026-11-02T09:02:00Z"}]
    monitor = job(maintenance=window)
    clock.shift(1)
    assert ping(monitor, "fail").status_code == 200
    assert told() == ["job reported a failure"]
    clock.move_to("2026-11-02 09:01:00+00:00")
    assert ping(monitor).status_code == 200  # inside the window: its recovery waits
    clock.move_to("2026-11-02 09:02:05+00:00")
    assert ping(monitor, "fail").status_code == 200
    assert told() == ["job is back up", "job reported a failure"]
