"""Thresholds: N failures or missed pings in a row before an alert, M
successes in a row before a recovery; "failing" until then."""

import json

import pytest

from tests.monitors.test_monitors_policy import walk

__all__ = ["walk"]


def _status(client, api_key) -> str:
    return json.loads(client.http.get("/monitors/job", headers=api_key).body)["status"]


def _subjects(deliver_outbox, sent_mail) -> list[str]:
    deliver_outbox()
    return [m["Subject"] for m in sent_mail()]


def test_it_alerts_at_the_third_failure_in_a_row_and_not_before(
    job, ping, clock, deliver_outbox, sent_mail, client, api_key
):
    monitor = job(failure_threshold=3)
    for _ in range(2):
        clock.shift(10)
        ping(monitor, "fail")
    assert _subjects(deliver_outbox, sent_mail) == []
    assert _status(client, api_key) == "failing"
    clock.shift(10)
    ping(monitor, "fail")  # the third: told at once, by the ping
    assert _subjects(deliver_outbox, sent_mail) == ["job reported a failure"]
    text = sent_mail()[-1].get_body(("plain",)).get_content()
    assert "sent 3 failure pings in a row, the first at 2026-11-02 09:00:10" in text
    assert _status(client, api_key) == "down"


def test_a_success_between_failures_starts_the_count_again(
    job, ping, clock, walk, deliver_outbox, sent_mail
):
    monitor = job(failure_threshold=3)
    for kind in ("fail", "fail", "", "fail", "fail"):
        clock.shift(10)
        ping(monitor, kind)
    assert walk(3) == [] and _subjects(deliver_outbox, sent_mail) == []


def test_it_alerts_silence_only_after_two_missed_pings(job, walk, client, api_key):
    job(failure_threshold=2)  # expected 09:05 and 09:10; down after 09:11
    assert walk(10) == []
    assert _status(client, api_key) == "failing"
    assert walk(2) == ["job disconnection detected"]


def test_it_calls_it_recovered_only_after_three_successes_in_a_row(
    job, ping, clock, walk, client, api_key
):
    monitor = job(recovery_threshold=3)
    assert walk(7) == ["job disconnection detected"]
    for _ in range(2):
        ping(monitor)
        assert walk(1) == []
    assert _status(client, api_key) == "down"
    ping(monitor)
    assert walk(1) == ["job is back up"]


def test_a_failure_while_recovering_continues_the_outage_quietly(job, ping, walk):
    monitor = job(recovery_threshold=2)
    walk(7)  # down, told
    ping(monitor)
    assert ping(monitor, "fail").status_code == 200  # not a 503, not a new alert
    assert walk(1) == []
    ping(monitor)
    assert walk(1) == []  # one success in a row again
    ping(monitor)
    assert walk(1) == ["job is back up"]


@pytest.mark.parametrize("value", [0, 101, "2", 1.5, True])
def test_it_refuses_a_threshold_that_is_no_count(value, client, api_key):
    body = {"timeout": 300, "failure_threshold": value}
    reply = client.http.put("/monitors/job", headers=api_key, body=json.dumps(body))
    assert reply.status_code == 400
    assert json.loads(reply.body)["Message"].startswith("monitor.failure_threshold")


def test_the_cli_sets_the_thresholds_and_the_reminder_limit(aws):
    from click.testing import CliRunner

    from chalicelib.monitors import store
    from herald.cli import main

    args = ["--failure-threshold", "3", "--recovery-threshold", "2", "--realert-limit", "4"]
    run = CliRunner().invoke(main, ["--stage", "dev", "monitors", "create", "job", *args])
    assert run.exit_code == 0, run.output
    item = store.get("job")
    assert (item["failure_threshold"], item["recovery_threshold"], item["realert_limit"]) == (
        3,
        2,
        4,
    )
