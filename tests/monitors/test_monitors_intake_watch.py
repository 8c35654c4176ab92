"""Herald watching its own intake (intake.py): a ping its own outage may have lost is no alert.

The intake's failures are CloudWatch figures (moto's CloudWatch, written as
Lambda and the middleware would write them); the monitor, its pings and the
checker go through the API and the scheduled handler with the clock under
the test's control.
"""

import json
from datetime import UTC, datetime

import pytest

from chalicelib.core import aws
from chalicelib.monitors import intake
from tests.helpers import lambda_failed, text_of

OPERATOR = "operator@example.com"
HOURLY = {"timeout": 3600, "grace": 600}  # pinged at 09:00: expected 10:00, down 10:10


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(autouse=True)
def watching(monkeypatch):
    monkeypatch.setenv("INTAKE_WATCH", "on")
    monkeypatch.setenv("OPERATOR_EMAIL", OPERATOR)


def throttled(at: str, pings: int = 40, function: str = "ping_door", name: str = "Throttles"):
    """Lambda turned pings away (or failed them) in the minute of `at`."""
    lambda_failed(utc(at), pings, function, name)


def mails(deliver_outbox, sent_mail) -> list[tuple[str, str]]:
    deliver_outbox()
    return [(mail["To"], mail["Subject"]) for mail in sent_mail()]


def status(client, api_key, name: str) -> str:
    return client.http.get(f"/monitors/{name}", headers=api_key).json_body["status"]


def at(clock, text: str) -> None:
    clock.move_to(utc(text), tick=False)


DOWN = ("ops@example.com", "backup disconnection detected")


def told_at(when: str, clock, run_checker, deliver_outbox, sent_mail) -> list[tuple[str, str]]:
    """The checker run at `when`: every mail sent so far."""
    at(clock, when)
    run_checker()
    return mails(deliver_outbox, sent_mail)


def test_it_holds_the_alert_of_a_ping_expected_while_the_intake_was_throttled(
    make_monitor, ping, run_checker, deliver_outbox, sent_mail, clock, client, api_key
):
    backup = make_monitor("backup", **HOURLY)
    ping(backup)  # 09:00
    throttled("2026-11-02 10:00:20")
    at(clock, "2026-11-02 10:10:30")
    run_checker()
    told = mails(deliver_outbox, sent_mail)
    assert told == [(OPERATOR, "Herald's ping intake failed at 2026-11-02 10:00 UTC: alerts held")]
    text = text_of(sent_mail()[0])
    assert "not alerted: backup." in text and "40 requests" in text
    assert status(client, api_key, "backup") == "late"
    # Still silent a period after the outage ended (10:01): down at 11:11.
    at(clock, "2026-11-02 11:10:30")
    run_checker()
    assert mails(deliver_outbox, sent_mail) == told
    at(clock, "2026-11-02 11:11:30")
    run_checker()
    assert mails(deliver_outbox, sent_mail)[1:] == [
        ("ops@example.com", "backup disconnection detected")
    ]


def test_it_tells_nobody_when_the_job_pings_again_after_a_held_alert(
    make_monitor, ping, run_checker, deliver_outbox, sent_mail, clock, client, api_key
):
    backup = make_monitor("backup", **HOURLY)
    ping(backup)
    throttled("2026-11-02 10:00:20")
    at(clock, "2026-11-02 10:10:30")
    run_checker()
    at(clock, "2026-11-02 11:00:00")
    assert ping(backup).status_code == 200
    at(clock, "2026-11-02 11:30:00")
    run_checker()
    assert [to for to, _ in mails(deliver_outbox, sent_mail)] == [OPERATOR]
    assert status(client, api_key, "backup") == "up"


def test_it_alerts_as_before_when_the_intake_failed_outside_the_expected_span(
    make_monitor, ping, run_checker, deliver_outbox, sent_mail, clock
):
    ping(make_monitor("backup", **HOURLY))
    throttled("2026-11-02 09:30:00")  # long before the 10:00 ping was due
    assert told_at("2026-11-02 10:10:30", clock, run_checker, deliver_outbox, sent_mail) == [DOWN]


def test_it_holds_an_alert_once_per_silence_however_the_intake_fares(
    make_monitor, ping, run_checker, deliver_outbox, sent_mail, clock
):
    ping(make_monitor("backup", **HOURLY))
    throttled("2026-11-02 10:00:20")
    throttled("2026-11-02 11:05:00", function="api_handler", name="Errors")
    at(clock, "2026-11-02 10:10:30")
    run_checker()
    at(clock, "2026-11-02 11:11:30")
    run_checker()
    assert [subject for _, subject in mails(deliver_outbox, sent_mail)][1:] == [
        "backup disconnection detected"
    ]


def test_it_reads_pings_answered_5xx_from_herald_own_metric(
    make_monitor, ping, run_checker, deliver_outbox, sent_mail, clock, monkeypatch
):
    ping(make_monitor("backup", **HOURLY))
    aws.client("cloudwatch").put_metric_data(
        Namespace="Herald",
        MetricData=[
            {
                "MetricName": "PingErrors",
                "Dimensions": [{"Name": "service", "Value": "herald"}],
                "Timestamp": utc("2026-11-02 10:04:00"),
                "Value": 3,
            }
        ],
    )
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Herald")
    at(clock, "2026-11-02 10:10:30")
    run_checker()
    assert [to for to, _ in mails(deliver_outbox, sent_mail)] == [OPERATOR]


def test_a_ping_answered_5xx_is_counted_as_a_ping_error(make_monitor, client, capsys, monkeypatch):
    from chalicelib.monitors import pings

    backup = make_monitor("backup", **HOURLY)

    def broken(*args, **kwargs):
        raise RuntimeError("DynamoDB unreachable")

    monkeypatch.setattr(pings, "write", broken)
    assert client.http.get(f"/ping/{backup['uuid']}").status_code == 500
    assert client.http.get("/monitors/nothing-here").status_code != 500
    metrics = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line
    ]
    assert [line.get("PingErrors") for line in metrics] == [[1.0]]


def test_it_alerts_when_cloudwatch_cannot_be_read(
    make_monitor, ping, run_checker, deliver_outbox, sent_mail, clock, monkeypatch
):
    ping(make_monitor("backup", **HOURLY))
    throttled("2026-11-02 10:00:20")

    def unreadable(self, start):
        raise RuntimeError("CloudWatch is having a bad day")

    monkeypatch.setattr(intake.Watch, "_read", unreadable)
    assert told_at("2026-11-02 10:10:30", clock, run_checker, deliver_outbox, sent_mail) == [DOWN]


def test_it_mails_the_operator_once_per_intake_outage(
    make_monitor, ping, run_checker, deliver_outbox, sent_mail, clock
):
    ping(make_monitor("backup", **HOURLY))
    ping(make_monitor("report", timeout=3600, grace=900))  # down at 10:15
    throttled("2026-11-02 10:00:20")
    for minute in ("10:10:30", "10:15:30"):
        at(clock, f"2026-11-02 {minute}")
        run_checker()
    assert [to for to, _ in mails(deliver_outbox, sent_mail)] == [OPERATOR]


def test_it_asks_cloudwatch_nothing_while_no_monitor_is_to_be_told_down(
    make_monitor, ping, run_checker, clock
):
    ping(make_monitor("backup", **HOURLY))
    asked = []
    events = aws.client("cloudwatch").meta.events
    events.register("before-call.cloudwatch", lambda model, **_: asked.append(model.name))
    at(clock, "2026-11-02 10:05:30")  # late, not down
    run_checker()
    assert asked == []
    at(clock, "2026-11-02 10:10:30")
    run_checker()
    assert asked == ["GetMetricData"]


def test_it_is_off_outside_lambda_unless_asked(monkeypatch):
    monkeypatch.delenv("INTAKE_WATCH")
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    assert not intake.enabled()
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "herald-prod-check_monitors")
    assert intake.enabled()
    monkeypatch.setenv("INTAKE_WATCH", "off")
    assert not intake.enabled()


def test_it_shows_the_hold_and_the_deadline_it_moved_to(
    make_monitor, ping, run_checker, clock, client, api_key
):
    backup = make_monitor("backup", **HOURLY)
    ping(backup)
    throttled("2026-11-02 10:00:20")
    at(clock, "2026-11-02 10:10:30")
    run_checker()
    at(clock, "2026-11-02 10:30:00")
    shown = client.http.get("/monitors/backup", headers=api_key).json_body
    assert shown["intake_held_until"].startswith("2026-11-02T10:01:00")
    assert shown["next_deadline"].startswith("2026-11-02T11:11:00")
    # Healthchecks' API shows it in its grace, not down, and when it is expected.
    check = client.http.get(f"/api/v3/checks/{backup['uuid']}", headers=api_key).json_body
    assert (check["status"], check["next_ping"][:19]) == ("grace", "2026-11-02T11:01:00")
    ping(backup)
    assert (
        client.http.get("/monitors/backup", headers=api_key).json_body["intake_held_until"] is None
    )
