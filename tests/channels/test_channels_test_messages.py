"""Trying a channel: `herald channels test ID` and POST /channels/{id}/test send
a test message to the service (here `make run`'s Slack stand-in, over
loopback) and report its answer; what a disabled channel and a monitor's
channels look like to the user."""

import pytest
from click.testing import CliRunner

from herald.cli import main


def herald(*args):
    return CliRunner().invoke(main, ["--stage", "dev", *args])


def _answer(result) -> str:
    """The command's own last line (the stand-in prints its console line first)."""
    return result.output.splitlines()[-1]


@pytest.fixture
def slack(standins):
    from chalicelib.core.channels import store

    return store.create("slack", "alerts", standins.urls()["slack"])


@pytest.fixture
def nowhere(standins):
    """A Slack channel whose hook URL names no web-hook: Slack answers 404."""
    from chalicelib.core.channels import store

    return store.create("slack", "gone", {"url": f"{standins.url}/slack"})


def test_it_tests_a_slack_channel_through_the_api_and_reports_its_answer(send, slack, standins):
    reply = send("POST", f"/channels/{slack['id']}/test")
    assert reply.status_code == 200
    assert reply.json_body | {"duration_ms": 0} == {
        "channel": slack["id"],
        "ok": True,
        "status": "sent",
        "code": 200,
        "answer": "ok",
        "duration_ms": 0,
        "retry_after": None,
    }
    [message] = standins.messages
    assert message.kind == "slack" and "Test message for channel alerts" in message.line


def test_it_tests_a_slack_channel_from_the_cli_and_exits_1_when_refused(slack, nowhere):
    tested = herald("channels", "test", slack["id"])
    assert tested.exit_code == 0, tested.output
    assert _answer(tested).startswith("sent 200 in ") and _answer(tested).endswith(": ok")
    refused = herald("channels", "test", nowhere["id"])
    assert refused.exit_code == 1
    assert _answer(refused).startswith("refused 404 in ") and "no_service" in _answer(refused)
    log = herald("channels", "deliveries", nowhere["id"]).output
    assert "refused 404" in log


def test_it_shows_why_a_channel_was_disabled_in_the_api_and_the_cli(send, nowhere):
    from chalicelib.core.channels import store

    reason = "refused 3 times (last: 404 no_service) at 2026-11-02T09:00:00.000000Z"
    assert store.disable(nowhere, reason)  # as delivery.py does after the third refusal
    [shown] = send("GET", "/channels").json_body["channels"]
    assert shown["enabled"] is False and shown["disabled_reason"] == reason
    assert f"DISABLED ({reason})" in herald("channels", "list").output


def test_it_sets_a_monitors_channels_from_the_cli(aws, slack, nowhere, send):
    made = herald("monitors", "create", "job", "--channel", slack["id"], "--channel", nowhere["id"])
    assert made.exit_code == 0, made.output
    shown = send("GET", "/monitors/job").json_body
    assert shown["channels"] == [slack["id"], nowhere["id"]]
    bad = herald("monitors", "create", "job", "--channel", "0123456789abcdef")
    assert bad.exit_code != 0 and "no channel" in bad.output
    assert send("GET", "/monitors/job").json_body["channels"] == [slack["id"], nowhere["id"]]


@pytest.fixture
def pagerduty(standins):
    from chalicelib.core.channels import store

    config = {**standins.urls()["pagerduty"], "routing_key": "R0123456789abcdef0123456789abcde"}
    return store.create("pagerduty", "on-call", config)


@pytest.fixture
def opsgenie(standins):
    from chalicelib.core.channels import store

    return store.create("opsgenie", "ops", {**standins.urls()["opsgenie"], "api_key": "test-key-1"})


def test_a_pagerduty_test_resolves_the_incident_it_opened(send, pagerduty, standins):
    import json

    reply = send("POST", f"/channels/{pagerduty['id']}/test")
    assert reply.status_code == 200 and reply.json_body["ok"] is True
    assert reply.json_body["answer"].endswith("; test incident resolved")
    opened, resolved = (json.loads(message.body) for message in standins.messages)
    assert (opened["event_action"], resolved["event_action"]) == ("trigger", "resolve")
    assert resolved["dedup_key"] == opened["dedup_key"]
    assert opened["dedup_key"].startswith("herald-test-")


def test_an_opsgenie_test_from_the_cli_closes_the_alert_it_opened(opsgenie, standins):
    import json

    tested = herald("channels", "test", opsgenie["id"])
    assert tested.exit_code == 0, tested.output
    assert _answer(tested).endswith("; test incident resolved")
    opened, closed = standins.messages
    alias = json.loads(opened.body)["alias"]
    assert closed.path.startswith(f"/opsgenie/v2/alerts/{alias}/close")
