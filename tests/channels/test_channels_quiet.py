"""A channel's own quiet hours (held, then one message at the end) and
critical channels (told at once whatever a monitor's quiet hours hold)."""

import json

import pytest

from tests.monitors.conftest import make_monitor

__all__ = ["make_monitor"]

QUIET = [{"days": "mon", "from": "09:05", "to": "10:00"}]  # UTC, this Monday


@pytest.fixture
def slack(endpoint):
    """slack(path, **when): a Slack channel on the loopback endpoint at /hook/<path>."""
    from chalicelib.core.channels import store

    def make(path: str, **when):
        return store.create("slack", path, {"url": f"{endpoint.url}/{path}"}, when=when)

    return make


@pytest.fixture
def heard(endpoint, drain):
    """heard(): {path: [message texts]} the endpoint got since the last call."""
    seen = []

    def run() -> dict:
        drain()
        new, seen[:] = endpoint.requests[len(seen) :], endpoint.requests
        found: dict = {}
        for request in new:
            text = json.dumps(json.loads(request["body"]), ensure_ascii=False)
            found.setdefault(request["path"].removeprefix("/hook/"), []).append(text)
        return found

    return run


@pytest.fixture
def watch(make_monitor, ping, run_checker, clock):
    """watch(channels, **settings): a half-hourly job told to those channels, pinged
    at 09:00 (down at 09:31:01);
    returns step(to, action) that moves the clock there and pings or checks."""

    def make(channels, **settings):
        ids = [channel["id"] for channel in channels]
        monitor = make_monitor("job", timeout=1800, grace=60, channels=ids, **settings)
        assert ping(monitor).status_code == 200

        def step(to: str, action: str = "check"):
            clock.move_to(f"2026-11-02 {to}+00:00")
            if action == "check":
                run_checker()
                run_checker()
            else:
                assert ping(monitor, "" if action == "success" else "fail").status_code == 200

        return step

    return make


def test_it_holds_an_alert_in_a_channels_quiet_hours_and_tells_it_at_their_end(slack, watch, heard):
    step = watch([slack("chat", quiet_hours=QUIET), slack("ops")])
    step("09:31:01")
    assert list(heard()) == ["ops"]  # the other channel at once
    step("09:59:59")
    assert heard() == {}
    step("10:00:01")
    (text,) = heard()["chat"]
    assert "job disconnection detected" in text
    assert "Held during quiet hours since 2026-11-02 09:31:01 UTC" in text


def test_an_outage_over_inside_the_quiet_hours_becomes_one_summary(slack, watch, heard):
    step = watch([slack("chat", quiet_hours=QUIET)])
    step("09:31:01")
    step("09:40:00", "success")
    step("10:00:01")
    (text,) = heard()["chat"]
    assert "job was down during quiet hours and is back up" in text


def test_with_quiet_summary_off_an_outage_over_inside_tells_nothing(slack, watch, heard):
    step = watch([slack("chat", quiet_hours=QUIET, quiet_summary=False)])
    step("09:31:01")
    step("09:40:00", "success")
    step("10:00:01")
    assert heard() == {}


def test_a_recovery_of_an_outage_told_before_the_window_is_told_at_its_end(slack, watch, heard):
    late = [{"days": "mon", "from": "09:35", "to": "10:00"}]
    step = watch([slack("chat", quiet_hours=late)])
    step("09:31:01")
    assert len(heard()["chat"]) == 1
    step("09:40:00", "success")
    assert heard() == {}
    step("10:00:01")
    (text,) = heard()["chat"]
    assert "job is back up" in text


def test_a_critical_channel_is_told_at_once_in_the_monitors_quiet_hours(slack, watch, heard):
    step = watch([slack("pager", critical=True), slack("chat")], quiet_hours=QUIET)
    step("09:31:01")
    told = heard()
    assert list(told) == ["pager"] and "job disconnection detected" in told["pager"][0]
    step("09:40:00", "success")
    told = heard()
    assert list(told) == ["pager"] and "job is back up" in told["pager"][0]
    step("10:00:01")
    told = heard()
    assert list(told) == ["chat"]  # the rest get the summary; the pager nothing twice
    assert "was down during quiet hours and is back up" in told["chat"][0]


def test_a_critical_channel_gets_a_held_alert_once_when_the_outage_outlasts_them(
    slack, watch, heard
):
    step = watch([slack("pager", critical=True), slack("chat")], quiet_hours=QUIET)
    step("09:31:01")
    assert list(heard()) == ["pager"]
    step("10:00:01")
    told = heard()
    assert list(told) == ["chat"] and "Held during quiet hours since" in told["chat"][0]
    step("10:05:00", "success")  # not silent again before 10:36
    assert sorted(heard()) == ["chat", "pager"]  # the recovery, to both


def test_a_snooze_holds_critical_channels_too(slack, watch, heard, client, api_key):
    step = watch([slack("pager", critical=True)])
    body = json.dumps({"seconds": 3600})
    assert client.http.post("/monitors/job/snooze", body=body, headers=api_key).status_code == 200
    step("09:31:01")
    assert heard() == {}


def test_the_api_takes_shows_and_checks_the_settings(endpoint, client, api_key):
    base = {"kind": "slack", "name": "chat", "config": {"url": endpoint.url}}
    made = client.http.post(
        "/channels", headers=api_key, body=json.dumps({**base, "quiet_hours": QUIET})
    )
    assert made.status_code == 201
    shown = json.loads(made.body)
    assert shown["quiet_hours"][0]["from"] == "09:05" and shown["critical"] is False
    path = f"/channels/{shown['id']}"
    both = client.http.patch(path, headers=api_key, body=json.dumps({"critical": True}))
    assert both.status_code == 400 and "quiet_hours" in json.loads(both.body)["Message"]
    bad = client.http.patch(path, headers=api_key, body=json.dumps({"quiet_hours": [{"x": 1}]}))
    assert bad.status_code == 400 and json.loads(bad.body)["Message"].startswith("quiet_hours[0]")
    fine = {"critical": True, "quiet_hours": []}
    done = client.http.patch(path, headers=api_key, body=json.dumps(fine))
    assert done.status_code == 200 and json.loads(done.body)["critical"] is True


def test_the_cli_sets_quiet_hours_and_critical(slack, client, api_key):
    from click.testing import CliRunner

    from herald.cli import main

    channel_id = slack("chat")["id"]

    def run(*args):
        return CliRunner().invoke(main, ["--stage", "dev", "channels", *args])

    weekly = '{"days": "mon-fri", "from": "22:00", "to": "07:00", "tz": "Europe/Paris"}'
    result = run("quiet", channel_id, "--window", weekly)
    assert result.exit_code == 0 and "1 quiet window(s)" in result.output
    refused = run("critical", channel_id)
    assert refused.exit_code == 1 and "quiet_hours" in refused.output
    assert run("quiet", channel_id, "--off").exit_code == 0
    assert "critical" in run("critical", channel_id).output
    shown = json.loads(client.http.get(f"/channels/{channel_id}", headers=api_key).body)
    assert shown["critical"] is True and shown["quiet_hours"] == []


def test_a_channel_deleted_while_holding_leaves_nothing_behind(slack, watch, heard, aws):
    from chalicelib.core import aws as clients
    from chalicelib.core.channels import store

    chat = slack("chat", quiet_hours=QUIET)
    step = watch([chat])
    step("09:31:01")
    store.delete(chat["id"])
    step("10:00:01")
    assert heard() == {}
    table = clients.table("CORE_TABLE")
    held = table.get_item(Key={"pk": f"CHANNEL#{chat['id']}", "sk": "HELD#job"})
    assert "Item" not in held
