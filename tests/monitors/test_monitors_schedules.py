"""Schedules as a user meets them: PUT a monitor, ping it, let the checker run, read the mail.

The checker runs once a minute in production; here the clock is moved and
the checker invoked through the Chalice test client at the moments that
matter. Across days it runs every half hour and once more a second before
each ping: a false alert means a deadline passed before the job pinged, and
that last run before the ping would send it, so these runs catch every
false alert a run each minute would. Setting up moto costs more than a
hundred checker runs, so each test covers one story from start to end.
"""

import json
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from herald.cli import main
from tests.helpers import text_of

OPS = ["ops@example.com"]
HALF_HOUR = timedelta(minutes=30)


def utc(text: str) -> datetime:
    """A UTC moment written "2026-03-29 01:00:30"."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def put(client, api_key, name, body):
    headers = {**api_key, "Content-Type": "application/json"}
    return client.http.put(f"/monitors/{name}", body=json.dumps(body), headers=headers)


def create(client, api_key, name, body) -> dict:
    """The monitor as the ping fixture wants it (its UUID from the shown URL)."""
    reply = put(client, api_key, name, body)
    assert reply.status_code == 201, reply.json_body
    return {"name": name, "uuid": reply.json_body["ping_urls"]["uuid"].rsplit("/", 1)[1]}


def shown(client, api_key, name) -> dict:
    return client.http.get(f"/monitors/{name}", headers=api_key).json_body


def subjects(deliver_outbox, sent_mail) -> list[str]:
    deliver_outbox()
    return [mail["Subject"] for mail in sent_mail()]


def live_until(clock, run_checker, ping, job, pings, end):
    """The job pings at each of `pings`; the checker runs every half hour and
    a second before each ping, up to `end`. Returns the checker's results."""
    moments = {at - timedelta(seconds=1): "check" for at in pings}
    moments.update({at: "ping" for at in pings})
    step = datetime.now(UTC)
    while step <= end:
        moments.setdefault(step, "check")
        step += HALF_HOUR
    results = []
    for moment in sorted(moments):
        if moment > end:
            break
        clock.move_to(moment, tick=False)
        if moments[moment] == "ping":
            assert ping(job).status_code == 200
        else:
            results.append(run_checker())
    return results


# ---- cron, UTC: the "done when" ---------------------------------------------


def test_it_mails_a_missed_minute_in_the_checker_run_after_match_plus_grace(
    client, api_key, ping, run_checker, deliver_outbox, sent_mail, clock
):
    job = create(
        client, api_key, "minutely", {"schedule": "*/1 * * * *", "grace": 60, "device_email": OPS}
    )
    assert shown(client, api_key, "minutely")["tz"] == "UTC"
    assert ping(job).status_code == 200  # 09:00:00; the 09:01 ping never comes
    seen = []
    for _ in range(3):  # the checker's runs at 09:00:30, 09:01:30, 09:02:30
        clock.shift(30)
        run_checker()
        seen.append(
            (shown(client, api_key, "minutely")["status"], subjects(deliver_outbox, sent_mail))
        )
        clock.shift(30)
    assert seen == [
        ("up", []),
        ("late", []),  # expected at 09:01, within its grace until 09:02
        ("down", ["minutely disconnection detected"]),
    ]
    text = text_of(sent_mail()[0])
    assert "No ping from minutely since 2026-11-02 09:00:00 UTC" in text
    assert "A ping was expected by 2026-11-02 09:01:00 UTC" in text
    assert "grace of 1 min has passed" in text


def test_it_does_not_alert_exactly_at_the_deadline(
    client, api_key, ping, run_checker, deliver_outbox, sent_mail, clock
):
    job = create(
        client, api_key, "minutely", {"schedule": "*/1 * * * *", "grace": 60, "device_email": OPS}
    )
    ping(job)
    clock.shift(120)  # 09:02:00: the 09:01 match plus its grace, not past it
    run_checker()
    assert subjects(deliver_outbox, sent_mail) == []
    clock.shift(1)
    run_checker()
    assert subjects(deliver_outbox, sent_mail) == ["minutely disconnection detected"]


# ---- cron in Europe/Berlin across the 2026 changes ---------------------------------

NIGHTLY = {"schedule": "0 2 * * *", "tz": "Europe/Berlin", "grace": 1800, "device_email": OPS}


def test_it_follows_a_two_oclock_job_through_the_spring_change_and_mails_a_missed_night(
    client, api_key, ping, run_checker, deliver_outbox, sent_mail, clock
):
    clock.move_to(utc("2026-03-27 12:00"), tick=False)
    job = create(client, api_key, "nightly", NIGHTLY)
    # 02:00 CET is 01:00 UTC; on the 29th 02:00 never happens and cron runs
    # the job when the clock jumps to 03:00 CEST, 01:00 UTC again; from the
    # 30th 02:00 CEST is 00:00 UTC. Each job takes 30 s before it pings.
    nights = [utc(t) for t in ("2026-03-28 01:00:30", "2026-03-29 01:00:30", "2026-03-30 00:00:30")]
    live_until(clock, run_checker, ping, job, nights, utc("2026-03-30 12:00"))
    assert subjects(deliver_outbox, sent_mail) == []
    assert shown(client, api_key, "nightly")["next_ping"] == "2026-03-31T00:00:00.000000Z"

    # The night of the 31st is missed: down 30 min after 02:00 CEST, not CET.
    clock.move_to(utc("2026-03-31 00:29:59"), tick=False)
    run_checker()
    assert subjects(deliver_outbox, sent_mail) == []
    clock.move_to(utc("2026-03-31 00:31"), tick=False)
    run_checker()
    assert subjects(deliver_outbox, sent_mail) == ["nightly disconnection detected"]
    assert "expected by 2026-03-31 00:00:00 UTC" in text_of(sent_mail()[0])


def test_it_expects_a_two_oclock_job_once_on_the_autumn_night_with_two_two_oclocks(
    client, api_key, ping, run_checker, deliver_outbox, sent_mail, clock
):
    clock.move_to(utc("2026-10-23 12:00"), tick=False)
    job = create(client, api_key, "nightly", NIGHTLY)
    # 02:00 CEST is 00:00 UTC; on the 25th 02:00 comes twice (00:00 and
    # 01:00 UTC) and cron runs the job at the first; from the 26th 02:00 CET
    # is 01:00 UTC.
    nights = [utc(t) for t in ("2026-10-24 00:00:30", "2026-10-25 00:00:30")]
    live_until(clock, run_checker, ping, job, nights, utc("2026-10-25 00:01"))
    # Not again at the second 02:00 (01:00 UTC): next at 02:00 CET on the 26th.
    assert shown(client, api_key, "nightly")["next_ping"] == "2026-10-26T01:00:00.000000Z"
    night = [utc("2026-10-26 01:00:30")]
    results = live_until(clock, run_checker, ping, job, night, utc("2026-10-26 12:00"))
    assert len(results) > 60 and all(result["notices"] == 0 for result in results)
    assert subjects(deliver_outbox, sent_mail) == []
    assert shown(client, api_key, "nightly")["next_ping"] == "2026-10-27T01:00:00.000000Z"

    clock.move_to(utc("2026-10-27 01:29:59"), tick=False)
    run_checker()
    assert subjects(deliver_outbox, sent_mail) == []
    clock.move_to(utc("2026-10-27 01:30:01"), tick=False)
    run_checker()
    assert subjects(deliver_outbox, sent_mail) == ["nightly disconnection detected"]


def test_it_expects_a_half_past_two_job_at_three_once_on_the_night_that_skips_it(
    client, api_key, ping, run_checker, deliver_outbox, sent_mail, clock
):
    clock.move_to(utc("2026-03-28 00:00"), tick=False)
    body = {**NIGHTLY, "schedule": "30 2 * * *"}
    runs, idle = create(client, api_key, "runs", body), create(client, api_key, "idle", body)
    clock.move_to(utc("2026-03-28 01:30:30"), tick=False)  # 02:30:30 CET
    ping(runs), ping(idle)
    # 02:30 does not exist on the 29th: expected when the clock jumps to 03:00 CEST.
    for name in ("runs", "idle"):
        assert shown(client, api_key, name)["next_ping"] == "2026-03-29T01:00:00.000000Z"
    night = [utc("2026-03-29 01:00:30")]
    live_until(clock, run_checker, ping, runs, night, utc("2026-03-30 00:00"))
    # Expected once that night, not again at 03:30: next at 02:30 CEST on the 30th.
    assert shown(client, api_key, "runs")["next_ping"] == "2026-03-30T00:30:00.000000Z"
    assert shown(client, api_key, "runs")["status"] == "up"
    assert subjects(deliver_outbox, sent_mail) == ["idle disconnection detected"]
    assert "expected by 2026-03-29 01:00:00 UTC" in text_of(sent_mail()[0])


# ---- simple: timeout and grace -------------------------------------------------------


def test_it_shows_a_simple_monitor_late_after_its_timeout_and_mails_after_its_grace(
    client, api_key, ping, run_checker, deliver_outbox, sent_mail, clock
):
    job = create(client, api_key, "backup", {"timeout": 3600, "grace": 600, "device_email": OPS})
    got = shown(client, api_key, "backup")
    assert (got["schedule_kind"], got["timeout"], got["grace"]) == ("simple", 3600, 600)
    assert got["max_sleep"] is None  # the checker's internal floor is not a setting here
    ping(job)  # 09:00
    states = {}
    for minute in range(72):  # the checker each minute, 30 s past it, to 10:11:30
        clock.move_to(utc("2026-11-02 09:00:30") + timedelta(minutes=minute), tick=False)
        run_checker()
        states[minute] = (
            shown(client, api_key, "backup")["status"],
            len(subjects(deliver_outbox, sent_mail)),
        )
    assert states[59] == ("up", 0)  # 09:59:30
    assert states[60] == ("late", 0)  # 10:00:30: the timeout passed, the grace has not
    assert states[69] == ("late", 0)  # 10:09:30
    assert states[70] == ("down", 1)  # 10:10:30, the first run after 10:10
    assert subjects(deliver_outbox, sent_mail) == ["backup disconnection detected"]
    assert "every 1 h, grace 10 min" in text_of(sent_mail()[0])


# ---- validation ------------------------------------------------------------------------

REFUSED = [
    ({"schedule": "61 * * * *"}, "monitor.schedule"),
    ({"schedule": "* * *"}, "monitor.schedule"),
    ({"schedule": "0 0 30 2 *"}, "monitor.schedule"),
    ({"schedule": "0 2 * * *", "tz": "Mars/Olympus"}, "monitor.tz"),
    ({"schedule": "0 2 * * *", "max_sleep": 300}, "monitor.max_sleep"),
    ({"timeout": 3600, "schedule": "0 2 * * *"}, "monitor.timeout"),
    ({"max_sleep": 300, "email_frequency": 600, "grace": 60}, "monitor.grace"),
    ({"schedule": "0 2 * * *", "grace": -1}, "monitor.grace"),
    ({"timeout": 3600, "grace": -60}, "monitor.grace"),
]


def test_it_refuses_bad_schedules_naming_the_field_and_stores_nothing(client, api_key):
    create(client, api_key, "nightly", NIGHTLY)
    before = shown(client, api_key, "nightly")
    for body, field in REFUSED:
        for name in ("nightly", "fresh"):
            reply = put(client, api_key, name, {**body, "device_email": OPS})
            assert reply.status_code == 400, (body, reply.json_body)
            assert reply.json_body["Message"].startswith(field + ":"), (body, reply.json_body)
        assert client.http.get("/monitors/fresh", headers=api_key).status_code == 404, body
        assert shown(client, api_key, "nightly") == before, body


# ---- the seed's max_sleep monitors ------------------------------------------------------


def test_it_shows_a_max_sleep_monitors_kind_and_alerts_as_before(
    client, api_key, ping, run_checker, deliver_outbox, sent_mail, clock
):
    job = create(
        client, api_key, "web", {"max_sleep": 300, "email_frequency": 3600, "device_email": OPS}
    )
    got = shown(client, api_key, "web")
    assert (got["schedule_kind"], got["max_sleep"], got["email_frequency"]) == (
        "max_sleep",
        300,
        3600,
    )
    assert (got["timeout"], got["grace"], got["schedule"]) == (None, None, None)
    ping(job)
    clock.shift(300)
    run_checker()
    assert shown(client, api_key, "web")["status"] == "up"
    assert subjects(deliver_outbox, sent_mail) == []
    clock.shift(1)
    run_checker()
    assert subjects(deliver_outbox, sent_mail) == ["web disconnection detected"]
    assert "max_sleep is 300 s" in text_of(sent_mail()[0])


def test_it_drops_the_old_kinds_settings_when_the_schedule_kind_changes(client, api_key):
    create(client, api_key, "web", {"timeout": 3600, "grace": 600, "device_email": OPS})
    put(client, api_key, "web", {"schedule": "0 2 * * *", "grace": 600, "device_email": OPS})
    assert shown(client, api_key, "web")["timeout"] is None
    seed = {"max_sleep": 300, "email_frequency": 3600, "device_email": OPS}
    assert put(client, api_key, "web", seed).status_code == 200
    got = shown(client, api_key, "web")
    assert (got["schedule"], got["tz"], got["grace"], got["timeout"]) == (None, None, None, None)
    result = CliRunner().invoke(
        main, ["--stage", "dev", "monitors", "create", "web", "--desc", "x"]
    )
    assert result.exit_code == 0, result.output
