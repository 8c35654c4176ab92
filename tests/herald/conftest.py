"""The packaged template of each stage, built once for every test that reads it."""

import json

import pytest

from herald import environment, packaging


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
