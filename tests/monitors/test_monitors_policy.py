"""The alert policy: maintenance tells nobody and grants a period after it,
quiet hours and snoozes hold notices and release them once, reminders stop
at their limit. Every step runs the checker twice (at-least-once)."""

import json

import pytest
from click.testing import CliRunner

from herald.cli import main

# The clock starts on Monday 2026-11-02 09:00 UTC (10:00 in Berlin).
TIMEOUT, GRACE = 300, 60  # down 6 minutes after a ping


@pytest.fixture
def walk(ping, run_checker, deliver_outbox, sent_mail, clock):
    """walk(minutes): a checker run (twice) each minute; the subjects mailed meanwhile."""

    def run(minutes: int) -> list[str]:
        before = len(sent_mail())
        for _ in range(minutes):
            clock.shift(60)
            run_checker()
            run_checker()
            deliver_outbox()
        return [m["Subject"] for m in sent_mail()[before:]]

    return run


def _item():
    from chalicelib.monitors import store

    return store.get("job")


def _flips():
    from chalicelib.monitors import flips, store

    return [(e["status"], e["reason"]) for e in flips.entries(store.get("job"))]


ONCE = [{"start": "2026-11-02T09:05:00Z", "end": "2026-11-02T09:30:00Z"}]


def test_it_tells_nobody_of_a_missed_deadline_inside_a_maintenance_window(job, walk):
    job(maintenance=ONCE)
    assert walk(29) == []  # the deadline (09:06) fell inside the window
    assert _item()["status"] == "maintenance"
    assert ("maintenance", "maintenance window") in _flips()


def test_it_gives_a_whole_period_after_the_window_before_it_alerts(job, walk):
    job(maintenance=ONCE)
    walk(30)  # 09:30, the window's end
    assert walk(6) == []  # silence counts from 09:30: down after 09:36
    assert walk(1) == ["job disconnection detected"]


def test_a_failure_inside_a_maintenance_window_is_not_told(job, walk, ping, clock):
    monitor = job(maintenance=ONCE)
    clock.shift(600)  # 09:10
    assert ping(monitor, "fail").status_code == 200
    assert walk(5) == []
    assert _item()["status"] == "maintenance"


def test_a_recurring_window_in_a_time_zone_holds_as_a_one_off_does(job, walk):
    # Mondays 10:00-10:30 in Berlin: 09:00-09:30 UTC in November.
    job(maintenance=[{"cron": "0 10 * * mon", "duration": 1800, "tz": "Europe/Berlin"}])
    assert walk(29) == []
    assert _item()["status"] == "maintenance"


QUIET = [{"days": "mon", "from": "10:05", "to": "11:00", "tz": "Europe/Berlin"}]


def test_it_holds_an_alert_in_quiet_hours_and_tells_it_once_when_they_end(job, walk, sent_mail):
    job(quiet_hours=QUIET)  # 09:05-10:00 UTC
    assert walk(59) == []
    assert _item()["status"] == "down" and _item()["held_at"] is not None
    assert walk(2) == ["job disconnection detected"]
    text = sent_mail()[-1].get_body(("plain",)).get_content()
    assert "Held during quiet hours since 2026-11-02 09:07" in text
    assert walk(10) == []  # told once, not again each minute
    assert ("down", "missed deadline") in _flips()


def _pinging(walk, ping, monitor, minutes: int) -> list[str]:
    """Walk on with the job pinging every four minutes (healthy again)."""
    subjects = []
    for _ in range(minutes // 4):
        assert ping(monitor).status_code == 200
        subjects += walk(4)
    return subjects


def test_a_recovery_during_quiet_hours_is_one_summary_at_their_end(job, walk, ping):
    monitor = job(quiet_hours=QUIET)
    assert walk(20) == []  # down at 09:06, held
    # Back up at 09:20, nobody told yet; quiet hours end at 10:00.
    assert _pinging(walk, ping, monitor, 36) == []
    assert _pinging(walk, ping, monitor, 8) == ["job was down during quiet hours and is back up"]
    assert _pinging(walk, ping, monitor, 12) == []


def test_quiet_summary_false_tells_nothing_of_an_outage_inside_quiet_hours(job, walk, ping):
    monitor = job(quiet_hours=QUIET, quiet_summary=False)
    walk(20)
    assert _pinging(walk, ping, monitor, 60) == []
    assert "held_at" not in _item()


def test_a_snooze_holds_like_quiet_hours_and_lifting_it_releases(job, walk, client, api_key):
    job()
    reply = client.http.post(
        "/monitors/job/snooze", headers=api_key, body=json.dumps({"seconds": 3600})
    )
    assert reply.status_code == 200 and json.loads(reply.body)["snoozed_until"]
    assert walk(20) == []
    assert client.http.delete("/monitors/job/snooze", headers=api_key).status_code == 200
    assert walk(1) == ["job disconnection detected"]


@pytest.mark.parametrize("body", [{}, {"seconds": -5}, {"seconds": 1e9}, {"for": 60}])
def test_it_refuses_a_snooze_it_cannot_honour(body, job, client, api_key):
    job()
    reply = client.http.post("/monitors/job/snooze", headers=api_key, body=json.dumps(body))
    assert reply.status_code == 400 and "snoozed_until" not in _item()


def test_the_cli_snoozes_for_a_duration_and_lifts_it(job, clock):
    job()
    run = CliRunner().invoke(main, ["--stage", "dev", "monitors", "snooze", "job", "--for", "2h"])
    assert run.exit_code == 0 and "snoozed until 2026-11-02T11:00" in run.output
    off = CliRunner().invoke(main, ["--stage", "dev", "monitors", "snooze", "job", "--off"])
    assert off.exit_code == 0 and "snoozed_until" not in _item()


def test_reminders_stop_at_the_limit_and_say_which_they_are(job, walk, sent_mail):
    job(realert_every=300, realert_limit=2)
    subjects = walk(40)
    assert subjects == ["job disconnection detected"] * 3  # the alert, two reminders
    text = sent_mail()[-1].get_body(("plain",)).get_content()
    assert "This is reminder 2 of at most 2" in text
    assert "No more reminders will come" in text and "You will be reminded" not in text
    first = sent_mail()[0].get_body(("plain",)).get_content()
    assert "You will be reminded every 5 min" in first, first


@pytest.mark.parametrize(
    ("policy", "field"),
    [
        ({"maintenance": [{"start": "2026-11-02T10:00:00Z", "end": "2026-11-02T09:00:00Z"}]},
         "monitor.maintenance[0].end"),
        ({"quiet_hours": [{"days": "someday", "from": "22:00", "to": "07:00"}]},
         "monitor.quiet_hours[0].days"),
        ({"quiet_hours": [{"cron": "0 22 * * *", "duration": 10}]},
         "monitor.quiet_hours[0].duration"),
        ({"realert_limit": -1}, "monitor.realert_limit"),
        ({"realert_every": 60, "email_frequency": 120}, "monitor.realert_every"),
    ],
)  # fmt: skip
def test_it_refuses_a_policy_naming_the_field(policy, field, client, api_key):
    body = {"timeout": 300, **policy}
    reply = client.http.put("/monitors/job", headers=api_key, body=json.dumps(body))
    assert reply.status_code == 400
    assert json.loads(reply.body)["Message"].startswith(field)
    assert client.http.get("/monitors/job", headers=api_key).status_code == 404
