"""`herald subscriptions ...` on moto (the target is the test's own environment)."""

import json

import pytest
from click.testing import CliRunner

from herald.cli import main
from herald.cli import subscriptions as cli_subscriptions


@pytest.fixture
def run(aws, monkeypatch):
    monkeypatch.setattr(cli_subscriptions, "target", lambda ctx: None)
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, ["subscriptions", *args], catch_exceptions=False)

    return invoke


def test_it_creates_lists_and_deletes_subscribers_and_subscriptions(run):
    created = run("subscribers", "create", "ana", "--name", "Ana", "--contact", "ana@example.org")
    assert created.exit_code == 0, created.output
    assert "ana@example.org" in run("subscribers", "list").output
    result = run(
        "create",
        "--subscriber",
        "ana",
        "--resource",
        "Incidents=http://127.0.0.1:8003/incidents/changes",
        "--notify-on",
        "new,upd",
        "--frequency",
        "hourly",
    )
    assert result.exit_code == 0, result.output
    subscription = json.loads(result.output)
    assert subscription["notify_on"] == ["new", "upd"]
    listing = run("list").output
    assert subscription["id"] in listing and "hourly" in listing
    shown = json.loads(run("show", subscription["id"]).output)
    assert shown["resources"][0]["name"] == "Incidents"
    assert run("due-now", subscription["id"]).exit_code == 0
    assert run("subscribers", "delete", "ana").exit_code != 0  # still subscribed
    assert run("delete", subscription["id"]).exit_code == 0
    assert run("subscribers", "delete", "ana").exit_code == 0
    assert run("list").output == ""


def test_it_names_the_refused_field(run):
    run("subscribers", "create", "ana", "--name", "Ana", "--contact", "ana@example.org")
    result = run(
        "create", "--subscriber", "ana", "--resource", "R=http://x.org/", "--frequency", "often"
    )
    assert result.exit_code == 2
    assert "frequency" in result.output
    result = run("subscribers", "create", "bob", "--name", "Bob", "--contact", "not-an-address")
    assert result.exit_code == 2
    assert "contacts[0].address" in result.output


def test_it_refuses_a_priority_that_is_not_a_number(run):
    result = run("subscribers", "create", "ana", "--name", "Ana", "--contact", "ana@example.org:x")
    assert result.exit_code == 2
    assert "--contact" in result.output
    created = run("subscribers", "create", "ana", "--name", "Ana", "--contact", "a@example.org:7")
    assert json.loads(created.output)["contacts"][0]["priority"] == 7


def test_feed_key_prints_one_origin_s_key_only(run, monkeypatch):
    from chalicelib.subscriptions import tokens

    monkeypatch.setenv("HERALD_FEED_SIGNING_KEY", "feed-root")
    result = run("feed-key", "HTTP://127.0.0.1:8003/incidents/changes")
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert key == tokens.key_for("http://127.0.0.1:8003").decode()
    assert "http://127.0.0.1:8003" in result.stderr
    assert key != run("feed-key", "http://127.0.0.1:8004").stdout.strip()
    token = tokens.for_feed("http://127.0.0.1:8003/incidents/changes", subscriber="", now=0)
    claims = tokens.verify(
        token, key.encode(), audience="http://127.0.0.1:8003/incidents/changes", now=0
    )
    assert claims["sub"] == ""


def test_feed_key_needs_an_origin_and_never_prints_the_root(run, monkeypatch):
    import os

    monkeypatch.setenv("HERALD_FEED_SIGNING_KEY", "feed-root")
    deployment_key = os.environ["HERALD_SECRET_KEY"]
    for args in (("feed-key",), ("feed-key", "ftp://example.org"), ("feed-key", "example.org")):
        result = run(*args)
        assert result.exit_code == 2
        assert "feed-root" not in result.output and deployment_key not in result.output
