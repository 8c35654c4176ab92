"""The packaged template of each stage, built once for every test that reads it;
the environment of a test's own `make run` (free ports, its own .local/)."""

import json
import os

import pytest

from herald import environment, packaging
from tests.helpers import free_port
from tests.herald.local_run import PORT_VARIABLES


@pytest.fixture(scope="session", params=environment.stages())
def packaged(request):
    """(stage, path of sam.json, the template) as `make package STAGE=stage` writes it."""
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    try:
        path = packaging.package(request.param)
    finally:
        monkeypatch.undo()
    return request.param, path, json.loads(path.read_text())


@pytest.fixture
def run_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "HERALD_"))}
    env.update({name: str(free_port()) for name in PORT_VARIABLES})
    env["HERALD_LOCAL_DIR"] = str(tmp_path / "local")
    return env
