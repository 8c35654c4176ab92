"""Shared fixtures: AWS on moto built from infra/, a controlled clock, the app.

Every test that touches AWS gets a fresh moto with the stack deployed from
infra/resources.yaml (the template production uses), the dev stage's
environment variables, and a Chalice test client for routes and handlers.
"""

import os
import sys

import pytest
from hypothesis import settings
from moto import mock_aws

from herald import environment

# CI runs the property tests on fixed examples ("ci", set by .ci/run), so a run
# passes or fails on the code alone; a developer's `make test` draws new ones
# each time (and `make explore` many more of the alert policy's).
settings.register_profile("ci", derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

TEST_SECRET_KEY = "test-secret-key"
# The ways in for a ping: API Gateway's REST API, and the ping door's function
# URL (chalicelib/core/function_url.py). A test marked both_doors runs through each.
DOORS = ("rest_api", "function_url")
# make test-dynamodb-local: DynamoDB on AWS's own engine (DynamoDB Local), the
# other services on moto (herald/local/dynamodb_local.py).
DYNAMODB_LOCAL = os.environ.get("HERALD_DYNAMODB") == "local"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "both_doors: run through the REST API and through the ping door (client.http)"
    )


def pytest_generate_tests(metafunc):
    if metafunc.definition.get_closest_marker("both_doors") and "door" in metafunc.fixturenames:
        metafunc.parametrize("door", DOORS, indirect=True)


@pytest.fixture
def door(request):
    """The door client.http sends pings through: the REST API unless both_doors."""
    return getattr(request, "param", "rest_api")


@pytest.fixture
def aws_env(monkeypatch):
    """The dev stage's environment, fake credentials, no real endpoint."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    monkeypatch.delenv("HERALD_LOCAL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for name, value in {
        **environment.stage_env("dev"),
        **environment.fake_credentials(),
        "HERALD_SECRET_KEY": TEST_SECRET_KEY,
        "HERALD_PUBLIC_URL": "http://herald.test",
        # Off: the clock stands still in tests, and most ping one monitor many
        # times at one instant. tests/monitors/test_monitors_ping_rate.py turns it on.
        "HERALD_PING_RATE": "0",
    }.items():
        monkeypatch.setenv(name, value)
    return os.environ


@pytest.fixture(scope="session")
def dynamodb_local():
    """HERALD_DYNAMODB=local (make test-dynamodb-local): one DynamoDB Local,
    in memory on a free loopback port, for the whole session."""
    from herald.local import dynamodb_local
    from tests.helpers import free_port

    server = dynamodb_local.start(free_port())
    yield server
    server.stop()


@pytest.fixture
def aws(aws_env, request, monkeypatch):
    """moto with Herald's stack deployed; yields the stack's outputs.

    Under HERALD_DYNAMODB=local the tables are DynamoDB Local's (moto lets
    requests to a URL it does not serve through), emptied for each test.
    """
    from chalicelib.core import aws as clients
    from herald.local import dynamodb_local, stack

    server = request.getfixturevalue("dynamodb_local") if DYNAMODB_LOCAL else None
    with mock_aws():
        clients.reset()
        if server is None:
            yield stack.deploy("dev")
        else:
            monkeypatch.setenv(dynamodb_local.ENDPOINT_VARIABLE, server.endpoint)
            outputs = stack.deploy("dev", dynamodb_endpoint=server.endpoint)
            # Emptied before the test, not after: a test's own patches of
            # botocore (tests/monitors/test_monitors_testing_page.py) are
            # still in place while its fixtures are torn down.
            tables = dynamodb_local.table_resources(stack.load_template())
            dynamodb_local.truncate(server.endpoint, [outputs[name] for name in tables])
            yield outputs
        clients.reset()


@pytest.fixture
def app(aws):
    from app import app as chalice_app

    return chalice_app


@pytest.fixture
def client(app, monkeypatch, door):
    """Chalice's test client; with door "function_url" its pings go through the
    ping door as function URL events (tests/ping_door.py)."""
    import functools
    import json

    import chalice.test
    from chalice.local import LambdaContext
    from chalice.test import Client

    # Chalice's test client gives every invocation 3 s to live; Herald's
    # handlers bound their batches by the time left, so give them the
    # configured lambda_timeout, as Lambda does.
    config = json.loads((environment.ROOT / ".chalice" / "config.json").read_text())
    timeout_ms = int(config["lambda_timeout"]) * 1000
    monkeypatch.setattr(
        chalice.test, "LambdaContext", functools.partial(LambdaContext, max_runtime_ms=timeout_ms)
    )
    with Client(app, stage_name="dev", project_dir=str(environment.ROOT)) as test_client:
        if door == "function_url":
            from tests.ping_door import through_the_ping_door

            test_client = through_the_ping_door(test_client)
        yield test_client


@pytest.fixture
def api_key(aws):
    """A read-write API key's headers."""
    from chalicelib.core import auth

    return {"X-Api-Key": auth.create(label="tests")["key"]}


@pytest.fixture
def send(client, api_key):
    """send(method, path, body=None, key=None): one API request, JSON in and out."""
    import json

    def do(method, path, body=None, key=None):
        headers = {**(key or api_key), "Content-Type": "application/json"}
        payload = b"" if body is None else json.dumps(body).encode()
        return client.http.request(method, path, headers=headers, body=payload)

    return do


@pytest.fixture
def read_only_key(aws):
    from chalicelib.core import auth

    return {"X-Api-Key": auth.create(read_only=True, label="tests")["key"]}


@pytest.fixture
def clock(time_machine):
    """Time under the test's control: clock.move_to(...), clock.shift(seconds)."""
    time_machine.move_to("2026-11-02 09:00:00+00:00", tick=False)
    return time_machine


@pytest.fixture
def moto_one_call_at_a_time(monkeypatch):
    """moto in-process is not thread-safe (a TransactWriteItems deep-copies a
    table another thread may be writing): serialise each AWS call, as a real
    service would apply it atomically. Handlers still interleave between
    calls, which is where the races Herald guards against happen."""
    import threading

    from moto.core.botocore_stubber import BotocoreStubber

    lock, original = threading.Lock(), BotocoreStubber.__call__

    def one_at_a_time(self, event_name, request, **kwargs):
        with lock:
            return original(self, event_name, request, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", one_at_a_time)


@pytest.fixture(autouse=True)
def no_metrics_left_over():
    """Metrics counted outside a handler (a test calling library code) would
    otherwise sit in powertools' process-wide set until some later test's
    handler flushed them as its own."""
    yield
    from chalicelib.core.observability import metrics

    metrics.clear_metrics()


@pytest.fixture(autouse=True)
def no_parameters_left_over():
    """powertools Parameters keeps its providers (each with a boto3 client
    bound to the region and moto of the test that made it) and their cached
    values in one process-wide dict: a later test would read SSM through an
    earlier test's client. Cleared around every test; not imported here if
    no test has imported it yet (it costs ~250 ms)."""

    def clear():
        parameters = sys.modules.get("aws_lambda_powertools.utilities.parameters")
        if parameters is not None:
            parameters.clear_caches()

    clear()
    yield
    clear()
