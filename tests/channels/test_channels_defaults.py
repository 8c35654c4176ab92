"""The deployment's default channels: told by every monitor that names none,
by no monitor whose list is empty, and never besides a monitor's own list."""

import json

import pytest
from click.testing import CliRunner

from herald.cli import main
from tests.monitors.conftest import make_monitor

__all__ = ["make_monitor"]


@pytest.fixture
def channels(endpoint):
    """Two Slack channels on the loopback endpoint, told apart by their paths."""
    from chalicelib.core.channels import store

    return {
        "ops": store.create("slack", "ops", {"url": endpoint.url + "/ops"}, default=True),
        "team": store.create("slack", "team", {"url": endpoint.url + "/team"}),
    }


@pytest.fixture
def down(make_monitor, ping, run_checker, drain, clock, endpoint):
    """down(**settings): the paths told when a monitor so set goes down."""

    def run(**settings):
        monitor = make_monitor("backup", **settings)
        ping(monitor)
        clock.shift(361)
        run_checker()
        drain()
        return sorted(request["path"] for request in endpoint.requests)

    return run


def test_it_tells_the_default_channels_of_a_monitor_that_names_none(channels, down):
    assert down() == ["/hook/ops"]


def test_it_tells_no_channel_when_the_monitor_names_an_empty_list(channels, down):
    assert down(channels=[]) == []


def test_it_tells_only_the_channels_a_monitor_names(channels, down):
    assert down(channels=[channels["team"]["id"]]) == ["/hook/team"]


def test_it_skips_a_disabled_default_channel(channels, down):
    from chalicelib.core.channels import store

    store.update(channels["ops"]["id"], {"enabled": False})
    assert down() == []


def test_a_channel_made_default_later_reaches_monitors_made_before(channels, down):
    from chalicelib.core.channels import store

    store.update(channels["ops"]["id"], {"default": False})
    store.update(channels["team"]["id"], {"default": True})
    assert down() == ["/hook/team"]


def test_the_api_sets_and_shows_default_and_the_monitor_says_it_uses_them(
    endpoint, client, api_key
):
    body = {"kind": "slack", "name": "ops", "config": {"url": endpoint.url}, "default": True}
    made = client.http.post("/channels", headers=api_key, body=json.dumps(body))
    assert made.status_code == 201 and json.loads(made.body)["default"] is True
    channel_id = json.loads(made.body)["id"]
    off = client.http.patch(
        f"/channels/{channel_id}", headers=api_key, body=json.dumps({"default": False})
    )
    assert json.loads(off.body)["default"] is False
    client.http.put("/monitors/a", headers=api_key, body=json.dumps({"timeout": 300}))
    shown = json.loads(client.http.get("/monitors/a", headers=api_key).body)
    assert shown["channels"] is None  # the deployment's defaults


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_it_refuses_a_default_that_is_not_true_or_false(value, endpoint, client, api_key):
    body = {"kind": "slack", "name": "ops", "config": {"url": endpoint.url}, "default": value}
    reply = client.http.post("/channels", headers=api_key, body=json.dumps(body))
    assert reply.status_code == 400 and "default" in json.loads(reply.body)["Message"]
    assert json.loads(client.http.get("/channels", headers=api_key).body)["channels"] == []


def test_the_cli_marks_a_default_and_a_monitor_opts_out(endpoint):
    from chalicelib.core.channels import store
    from chalicelib.monitors import store as monitors

    def invoke(*args):
        return CliRunner().invoke(main, ["--stage", "dev", *args])

    made = invoke("channels", "create", "slack", "ops", "-c", f"url={endpoint.url}", "--default")
    assert made.exit_code == 0 and "default" in made.output
    channel_id = made.output.split()[0]
    assert invoke("channels", "default", channel_id, "--off").exit_code == 0
    assert store.get(channel_id)["default"] is False
    assert invoke("monitors", "create", "job", "--no-channels").exit_code == 0
    assert monitors.get("job")["channels"] == []
    assert invoke("monitors", "create", "job", "--default-channels").exit_code == 0
    assert "channels" not in monitors.get("job")


def test_the_config_import_sets_channels_and_a_bad_id_changes_nothing(aws):
    from chalicelib.core.channels import store
    from chalicelib.core.errors import Invalid
    from chalicelib.monitors import seed_config
    from chalicelib.monitors import store as monitors

    team = store.create("email", "team", {"recipients": ["team@example.com"]})
    user = {"max_sleep": 300, "email_frequency": 3600, "device_email": "ops@example.com"}
    document = {"users": {"a": {**user, "channels": [team["id"]]}, "b": {**user, "channels": []}}}
    seed_config.import_config(document)
    assert monitors.get("a")["channels"] == [team["id"]] and monitors.get("b")["channels"] == []
    bad = {"users": {"c": user, "d": {**user, "channels": ["0123456789abcdef"]}}}
    with pytest.raises(Invalid, match="no channel with id"):
        seed_config.import_config(bad)
    assert monitors.get("c") is None
