"""The URLs the CLI prints for a deployed stage start where that stage's own links do."""

import json

import pytest
from click.testing import CliRunner

from herald import target
from herald.cli import main

DOOR = "https://door.lambda-url.us-east-1.on.aws/"
TEMPLATE = {
    "Parameters": {
        "PublicUrl": {"Type": "String", "Default": ""},
        "ShownPingUrls": {"Type": "String", "Default": "door"},
    },
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
    "Outputs": {
        "EndpointURL": {"Value": "https://abc.execute-api.us-east-1.amazonaws.com/api/"},
        "PingUrl": {"Value": DOOR},
    },
}


def _stack(stage: str, public_url: str = "", shown: str = "door") -> None:
    import boto3

    boto3.client("cloudformation").create_stack(
        StackName=f"herald-{stage}",
        TemplateBody=json.dumps(TEMPLATE),
        Parameters=[
            {"ParameterKey": "PublicUrl", "ParameterValue": public_url},
            {"ParameterKey": "ShownPingUrls", "ParameterValue": shown},
        ],
    )


def test_it_uses_the_stacks_public_url_parameter(aws):
    _stack("staging", public_url="https://herald.example.org/api")
    assert target.deployed_url("staging") == "https://herald.example.org/api"


def test_it_falls_back_to_the_stacks_endpoint_url_without_a_public_url(aws):
    _stack("staging")
    assert target.deployed_url("staging") == "https://abc.execute-api.us-east-1.amazonaws.com/api"


def test_it_answers_nothing_for_a_stack_it_cannot_read(aws):
    assert target.deployed_url("nowhere") == ""


@pytest.fixture
def deployed(aws, monkeypatch):
    """No HERALD_PUBLIC_URL in this terminal: the stage's stack knows its URL."""
    monkeypatch.delenv("HERALD_PUBLIC_URL", raising=False)
    urls = {"dev": "https://herald.example.org/api"}
    monkeypatch.setattr(target, "deployed_url", lambda stage: urls.get(stage, ""))


def test_it_prints_a_sign_in_link_on_the_deployed_url(deployed):
    result = CliRunner().invoke(main, ["--stage", "dev", "users", "create", "op@example.com"])
    assert result.exit_code == 0, result.output
    assert "https://herald.example.org/api/dashboard/sign-in/" in result.output
    assert "<your API URL>" not in result.output


def test_it_prints_ping_urls_on_the_deployed_url(deployed):
    result = CliRunner().invoke(main, ["--stage", "dev", "monitors", "create", "nightly"])
    assert result.exit_code == 0, result.output
    assert "https://herald.example.org/api/ping/" in result.output


def test_it_prints_a_placeholder_when_no_url_is_known(aws, monkeypatch):
    monkeypatch.delenv("HERALD_PUBLIC_URL", raising=False)
    result = CliRunner().invoke(main, ["--stage", "dev", "ping-keys", "create", "--label", "jobs"])
    assert result.exit_code == 0, result.output
    assert "https://<your API URL>/ping/" in result.output


def test_it_finds_the_stacks_ping_door_unless_the_stack_shows_the_apis_urls(aws):
    _stack("staging")
    _stack("qa", shown="api")
    assert target.deployed_ping_url("staging") == DOOR.rstrip("/")
    assert target.deployed_ping_url("qa") == ""


def test_it_prints_ping_urls_on_the_stacks_ping_door(aws, monkeypatch):
    monkeypatch.delenv("HERALD_PUBLIC_URL", raising=False)
    stack = ({"PublicUrl": "https://herald.example.org/api"}, {"PingUrl": DOOR})
    monkeypatch.setattr(target, "_stack", lambda stage: stack)
    result = CliRunner().invoke(main, ["--stage", "dev", "monitors", "create", "nightly"])
    assert result.exit_code == 0, result.output
    assert f"{DOOR}ping/" in result.output
    assert "https://herald.example.org/api/ping/" not in result.output


def test_it_prints_ping_urls_on_the_api_when_the_stack_shows_those(aws, monkeypatch):
    monkeypatch.delenv("HERALD_PUBLIC_URL", raising=False)
    parameters = {"PublicUrl": "https://herald.example.org/api", "ShownPingUrls": "api"}
    monkeypatch.setattr(target, "_stack", lambda stage: (parameters, {"PingUrl": DOOR}))
    result = CliRunner().invoke(main, ["--stage", "dev", "monitors", "create", "nightly"])
    assert result.exit_code == 0, result.output
    assert "https://herald.example.org/api/ping/" in result.output
