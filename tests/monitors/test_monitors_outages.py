"""Outages as a user meets them: the recovery mail, the flips, the downtime per day.

Everything goes through the HTTP API, pings and the checker with the clock
under the test's control; the flips and downtime are read back from
GET /monitors/NAME/flips and /downtime, as a dashboard would.
"""

import json
import re
from datetime import UTC, datetime

from tests.helpers import text_of

OPS = ["ops@example.com"]
HOURLY = {"timeout": 3600, "grace": 600, "device_email": OPS}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def create(client, api_key, name, body) -> dict:
    headers = {**api_key, "Content-Type": "application/json"}
    reply = client.http.put(f"/monitors/{name}", body=json.dumps(body), headers=headers)
    assert reply.status_code == 201, reply.json_body
    return {"name": name, "uuid": reply.json_body["ping_urls"]["uuid"].rsplit("/", 1)[1]}


def shown(client, api_key, name) -> dict:
    return client.http.get(f"/monitors/{name}", headers=api_key).json_body


def flips(client, api_key, name) -> list[tuple[str, str, str]]:
    reply = client.http.get(f"/monitors/{name}/flips", headers=api_key)
    assert reply.status_code == 200, reply.json_body
    return [(f["time"][11:19], f["status"], f["reason"]) for f in reply.json_body["flips"]]


def mails(deliver_outbox, sent_mail) -> list[str]:
    deliver_outbox()
    return [mail["Subject"] for mail in sent_mail()]


def at(clock, text: str) -> None:
    clock.move_to(utc(text), tick=False)


# ---- the recovery mail -----------------------------------------------------------------


def test_it_mails_on_recovery_how_long_the_outage_lasted_and_the_pings_missed(
    client, api_key, ping, run_checker, deliver_outbox, sent_mail, clock
):
    job = create(client, api_key, "backup", HOURLY)
    ping(job)  # 09:00; expected at 10:00, 11:00, and it pings again at 12:00
    at(clock, "2026-11-02 10:10:30")
    run_checker()
    assert mails(deliver_outbox, sent_mail) == ["backup disconnection detected"]
    at(clock, "2026-11-02 12:00:00")
    assert ping(job).status_code == 200
    # The ping tells its own news: no checker run is needed for the mail.
    assert mails(deliver_outbox, sent_mail) == [
        "backup disconnection detected",
        "backup is back up",
    ]
    text = text_of(sent_mail()[1])
    assert "pinged again at 2026-11-02 12:00:00 UTC after 3 h of silence" in text
    assert "The outage lasted 1 h 50 min (down since 2026-11-02 10:10:00 UTC)" in text
    assert "2 expected pings were missed" in text
    assert shown(client, api_key, "backup")["status"] == "up"


def test_a_recovery_from_a_failure_says_when_it_first_failed_not_that_it_was_silent(
    client, api_key, ping, run_checker, deliver_outbox, sent_mail, clock
):
    job = create(client, api_key, "backup", HOURLY)
    ping(job)  # 09:00
    at(clock, "2026-11-02 09:30")
    ping(job, "fail")
    at(clock, "2026-11-02 09:31")
    ping(job, "fail")
    at(clock, "2026-11-02 09:45")
    ping(job)
    assert mails(deliver_outbox, sent_mail) == ["backup reported a failure", "backup is back up"]
    text = text_of(sent_mail()[1])
    assert (
        "backup succeeded again at 2026-11-02 09:45:00 UTC, 15 min after its first failure "
        "(2026-11-02 09:30:00 UTC)." in text
    )
    assert "silence" not in text and "missed" not in text


def test_it_counts_each_missed_cron_match_on_recovery(
    client, api_key, ping, run_checker, deliver_outbox, sent_mail, clock
):
    body = {"schedule": "*/1 * * * *", "grace": 60, "device_email": OPS}
    job = create(client, api_key, "minutely", body)
    ping(job)  # 09:00
    at(clock, "2026-11-02 09:02:30")
    run_checker()
    at(clock, "2026-11-02 09:10:05")
    ping(job)  # for the 09:10 match; 09:01 to 09:09 were missed
    assert mails(deliver_outbox, sent_mail)[-1] == "minutely is back up"
    text = text_of(sent_mail()[-1])
    assert "The outage lasted 8 min 5 s (down since 2026-11-02 09:02:00 UTC)" in text
    assert "9 expected pings were missed" in text


def test_it_counts_the_missed_ping_when_recovery_comes_between_expected_times(
    client, api_key, ping, run_checker, deliver_outbox, sent_mail, clock
):
    hourly = create(client, api_key, "backup", HOURLY)
    body = {"schedule": "0 2 * * *", "grace": 1800, "device_email": OPS}
    nightly = create(client, api_key, "report", body)
    ping(hourly)  # 09:00: expected at 10:00, down after 10:10, pinged at 10:30
    at(clock, "2026-11-02 10:10:30")
    run_checker()
    at(clock, "2026-11-02 10:30")
    ping(hourly)
    # A nightly job misses the 4th and is run by hand that morning.
    at(clock, "2026-11-03 02:00:30")
    ping(nightly)
    at(clock, "2026-11-04 02:31")
    run_checker()
    at(clock, "2026-11-04 09:00")
    ping(nightly)
    mails(deliver_outbox, sent_mail)
    told = {mail["Subject"]: text_of(mail) for mail in sent_mail()}
    assert "1 expected ping was missed" in told["report is back up"]
    assert "1 expected ping was missed" in told["backup is back up"]


def test_it_does_not_claim_9999_missed_pings_after_a_long_outage(
    client, api_key, ping, run_checker, deliver_outbox, sent_mail, clock
):
    job = create(
        client, api_key, "minutely", {"schedule": "* * * * *", "grace": 60, "device_email": OPS}
    )
    ping(job)
    at(clock, "2026-11-02 09:02:30")
    run_checker()
    # Delivered now: the outbox queue keeps messages 4 days (and moto then
    # hands over nothing at all).
    assert mails(deliver_outbox, sent_mail) == ["minutely disconnection detected"]
    at(clock, "2026-12-02 09:00:30")  # 30 days: 43,200 minutes
    ping(job)
    mails(deliver_outbox, sent_mail)
    missed = re.search(r"; (.+) expected pings? w", text_of(sent_mail()[-1])).group(1)
    assert missed != "9999"


def test_it_flips_a_late_monitor_up_without_mail_when_it_pings_within_grace(
    client, api_key, ping, run_checker, deliver_outbox, sent_mail, clock
):
    job = create(
        client, api_key, "backup", {"schedule": "*/5 * * * *", "grace": 120, "device_email": OPS}
    )
    ping(job)  # 09:00; the 09:05 run is a minute late
    at(clock, "2026-11-02 09:05:30")
    run_checker()
    assert shown(client, api_key, "backup")["status"] == "late"
    at(clock, "2026-11-02 09:06")
    ping(job)
    at(clock, "2026-11-02 09:08")
    run_checker()
    assert shown(client, api_key, "backup")["status"] == "up"
    assert flips(client, api_key, "backup")[2:] == [
        ("09:05:00", "late", "no ping when expected"),
        ("09:06:00", "up", "pinged"),
    ]
    assert mails(deliver_outbox, sent_mail) == []


# ---- flips -------------------------------------------------------------------------


def test_it_lists_each_change_of_state_once_in_order_with_its_reason(
    client, api_key, ping, run_checker, deliver_outbox, sent_mail, clock
):
    job = create(client, api_key, "backup", HOURLY)  # 09:00
    at(clock, "2026-11-02 09:05")
    ping(job)
    for moment in ("2026-11-02 10:06", "2026-11-02 10:20"):  # late, then down
        at(clock, moment)
        run_checker()
        run_checker()  # a retried run records nothing twice
    at(clock, "2026-11-02 11:30")
    ping(job)
    run_checker()
    at(clock, "2026-11-02 11:40")
    client.http.post("/monitors/backup/pause", headers=api_key)
    at(clock, "2026-11-02 11:50")
    client.http.post("/monitors/backup/resume", headers=api_key)
    at(clock, "2026-11-02 12:00")
    ping(job)
    run_checker()
    assert flips(client, api_key, "backup") == [
        ("09:00:00", "new", "created"),
        ("09:05:00", "up", "first ping"),
        ("10:05:00", "late", "no ping when expected"),
        ("10:15:00", "down", "missed deadline"),
        ("11:30:00", "up", "recovered"),
        ("11:40:00", "paused", "paused"),
        ("11:50:00", "new", "resumed"),
        ("12:00:00", "up", "first ping"),
    ]
    assert mails(deliver_outbox, sent_mail) == [
        "backup disconnection detected",
        "backup is back up",
    ]


def test_it_flips_down_on_a_fail_ping_saying_fail_ping_or_its_exit_status(
    client, api_key, ping, run_checker, deliver_outbox, sent_mail, clock
):
    job = create(client, api_key, "backup", HOURLY)
    ping(job)
    at(clock, "2026-11-02 09:10")
    assert ping(job, "fail").status_code == 200
    at(clock, "2026-11-02 09:20")
    ping(job)
    at(clock, "2026-11-02 09:30")
    assert ping(job, "3").status_code == 200
    run_checker()
    run_checker()
    assert flips(client, api_key, "backup")[1:] == [
        ("09:00:00", "up", "first ping"),
        ("09:10:00", "down", "fail ping"),
        ("09:20:00", "up", "recovered"),
        ("09:30:00", "down", "exit status 3"),
    ]
    assert mails(deliver_outbox, sent_mail) == [
        "backup reported a failure",
        "backup is back up",
        "backup reported a failure",
    ]
    assert shown(client, api_key, "backup")["status"] == "down"


def test_it_filters_flips_by_start_and_end(client, api_key, ping, clock):
    job = create(client, api_key, "backup", HOURLY)
    at(clock, "2026-11-02 09:30")
    ping(job)
    reply = client.http.get(
        "/monitors/backup/flips?start=2026-11-02T09:10:00Z&end=2026-11-02T10:00:00Z",
        headers=api_key,
    )
    assert [f["reason"] for f in reply.json_body["flips"]] == ["first ping"]
    bad = client.http.get("/monitors/backup/flips?start=yesterday", headers=api_key)
    assert bad.status_code == 400 and "start" in bad.json_body["Message"]
    assert client.http.get("/monitors/nope/flips", headers=api_key).status_code == 404


# ---- downtime ----------------------------------------------------------------------


def test_it_sums_an_outage_across_midnight_into_each_day(
    client, api_key, ping, run_checker, deliver_outbox, sent_mail, clock
):
    at(clock, "2026-11-01 21:00")
    job = create(client, api_key, "nightly", {"timeout": 86400, "grace": 3600})
    at(clock, "2026-11-01 22:00")
    ping(job)
    for moment in ("2026-11-02 22:30", "2026-11-02 23:01"):  # late (not down), then down
        at(clock, moment)
        run_checker()
    at(clock, "2026-11-03 01:30")
    ping(job)  # up again: down 1 h on the 2nd, 1 h 30 min on the 3rd
    at(clock, "2026-11-04 01:30")
    ping(job)
    at(clock, "2026-11-04 12:00")
    run_checker()
    reply = client.http.get("/monitors/nightly/downtime?period=day&count=3", headers=api_key)
    assert reply.status_code == 200, reply.json_body
    assert reply.json_body["downtime"] == [
        {"start": "2026-11-04", "down_seconds": 0.0, "outages": 0, "longest": 0.0},
        {"start": "2026-11-03", "down_seconds": 5400.0, "outages": 1, "longest": 5400.0},
        {"start": "2026-11-02", "down_seconds": 3600.0, "outages": 1, "longest": 3600.0},
    ]
    for query, field in (("period=year", "period"), ("count=0", "count"), ("count=x", "count")):
        bad = client.http.get(f"/monitors/nightly/downtime?{query}", headers=api_key)
        assert bad.status_code == 400 and field in bad.json_body["Message"], query


# ---- no one to mail ------------------------------------------------------------------


def test_it_takes_a_monitor_without_recipients_down_and_up_without_mail(
    client, api_key, ping, run_checker, deliver_outbox, sent_mail, clock
):
    job = create(client, api_key, "quiet", {"timeout": 600, "grace": 60})
    assert shown(client, api_key, "quiet")["recipients"] == []
    ping(job)  # 09:00
    at(clock, "2026-11-02 09:11:30")
    assert run_checker() == {"looked_at": 1, "notices": 1, "handed_off": 0}
    assert shown(client, api_key, "quiet")["status"] == "down"
    # The notice is finished, not left for every later run to retry.
    at(clock, "2026-11-02 09:12:30")
    assert run_checker() == {"looked_at": 0, "notices": 0, "handed_off": 0}
    at(clock, "2026-11-02 09:20")
    assert ping(job).status_code == 200
    assert shown(client, api_key, "quiet")["status"] == "up"
    assert flips(client, api_key, "quiet")[2:] == [
        ("09:11:00", "down", "missed deadline"),
        ("09:20:00", "up", "recovered"),
    ]
    assert mails(deliver_outbox, sent_mail) == []
