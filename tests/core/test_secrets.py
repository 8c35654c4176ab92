"""Secrets: the environment locally, SSM SecureString when deployed."""

import boto3
import pytest

from chalicelib.core import secrets


@pytest.fixture
def ssm(aws, monkeypatch):
    from aws_lambda_powertools.utilities import parameters

    parameters.clear_caches()
    monkeypatch.delenv("HERALD_SECRET_KEY")
    boto3.client("ssm").put_parameter(
        Name="/herald/dev/secret-key", Value="from-ssm", Type="SecureString"
    )
    yield
    parameters.clear_caches()


def test_it_reads_a_secret_from_ssm(ssm):
    assert secrets.get("secret-key") == "from-ssm"


def test_the_environment_wins_outside_lambda(ssm, monkeypatch):
    monkeypatch.setenv("HERALD_SECRET_KEY", "from-env")
    assert secrets.get("secret-key") == "from-env"


def test_a_deployed_function_refuses_a_secret_in_plain_environment(ssm, monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "herald-prod-APIHandler")
    monkeypatch.setenv("HERALD_SECRET_KEY", "plain")
    with pytest.raises(secrets.MissingSecret, match="must be in SSM"):
        secrets.get("secret-key")
    monkeypatch.delenv("HERALD_SECRET_KEY")
    assert secrets.get("secret-key") == "from-ssm"


def test_a_missing_secret_names_its_parameter(ssm):
    with pytest.raises(secrets.MissingSecret, match="/herald/dev/testing-password"):
        secrets.get("testing-password")
    assert secrets.get("testing-password", required=False) is None


def test_herald_local_cannot_let_a_deployed_function_take_a_plain_secret(ssm, monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "herald-prod-APIHandler")
    monkeypatch.setenv("HERALD_LOCAL", "1")
    monkeypatch.setenv("HERALD_SECRET_KEY", "plain")
    with pytest.raises(secrets.MissingSecret, match="must be in SSM"):
        secrets.get("secret-key")


def test_it_reads_ssm_through_heralds_own_client(ssm):
    from aws_lambda_powertools.utilities import parameters

    from chalicelib.core import aws

    secrets.get("secret-key")
    # One client for SSM, built on Herald's one session: a cold ping builds no second session.
    assert parameters.base.DEFAULT_PROVIDERS["ssm"].client is aws.client("ssm")
