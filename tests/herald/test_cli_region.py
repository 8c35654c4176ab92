"""`herald --stage` acts in the region AWS tools would use, or stops."""

import boto3
import pytest
from click.testing import CliRunner
from moto import mock_aws

from herald import environment
from herald.cli import main

PROFILE_REGION = "eu-west-1"


@pytest.fixture
def aws_config(tmp_path, monkeypatch, aws_env):
    """An AWS config file and no region in the environment."""
    config = tmp_path / "config"
    config.write_text(f"[profile ops]\nregion = {PROFILE_REGION}\n\n[default]\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    return config


def _herald(*args):
    return CliRunner().invoke(main, ["--stage", "dev", *args])


def test_it_reads_ssm_and_writes_dynamodb_in_the_profiles_region(aws_config, monkeypatch):
    from chalicelib.core import aws as clients
    from herald.local import stack

    # No SSM provider from another test: conftest's no_parameters_left_over.
    monkeypatch.delenv("HERALD_SECRET_KEY")  # the key comes from SSM, as deployed
    with mock_aws():
        monkeypatch.setenv("AWS_DEFAULT_REGION", PROFILE_REGION)
        stack.deploy("dev")
        boto3.client("ssm").put_parameter(
            Name="/herald/dev/secret-key", Value="s" * 32, Type="SecureString"
        )
        monkeypatch.delenv("AWS_DEFAULT_REGION")
        monkeypatch.setenv("AWS_PROFILE", "ops")
        clients.reset()

        result = _herald("api-keys", "create")
        clients.reset()

        assert result.exit_code == 0, result.output
        table = environment.stage_env("dev")["CORE_TABLE"]
        keys = boto3.client("dynamodb", region_name=PROFILE_REGION).scan(TableName=table)
        assert keys["Count"] == 1
        assert (
            table
            not in boto3.client("dynamodb", region_name="us-east-1").list_tables()["TableNames"]
        )


def test_it_stops_with_a_clear_error_when_no_region_is_set(aws_config):
    result = _herald("api-keys", "create")

    assert result.exit_code == 2
    assert "no AWS region is set" in result.output
    assert "AWS_DEFAULT_REGION" in result.output


def test_it_names_a_missing_profile_instead_of_a_traceback(aws_config, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "nobody")

    result = _herald("api-keys", "create")

    assert result.exit_code == 2
    assert "nobody" in result.output


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"AWS_PROFILE": "ops"}, PROFILE_REGION),
        ({"AWS_PROFILE": "ops", "AWS_DEFAULT_REGION": "ca-central-1"}, "ca-central-1"),
        ({"AWS_PROFILE": "ops", "AWS_REGION": "ap-south-1"}, "ap-south-1"),
        ({}, None),
    ],
)
def test_the_region_follows_aws_precedence(aws_config, monkeypatch, variables, expected):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)

    assert environment.aws_region() == expected
