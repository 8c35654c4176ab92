"""`make package` gives a SAM template that cfn-lint passes, for each stage."""

import json

import pytest
import yaml

from herald import environment, packaging
from herald.local.invoke import queue_handlers


@pytest.fixture(scope="module", params=environment.stages())
def packaged(request, tmp_path_factory):
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    try:
        path = packaging.package(request.param)
    finally:
        monkeypatch.undo()
    return request.param, path, json.loads(path.read_text())


def test_it_lints_clean(packaged):
    _stage, path, _template = packaged
    assert packaging.lint(path) == 0


def test_it_holds_every_resource_of_the_infra_template(packaged):
    _stage, _path, template = packaged
    infra = yaml.safe_load((environment.ROOT / "infra" / "resources.yaml").read_text())
    assert set(infra["Resources"]) <= set(template["Resources"])


def test_every_queue_handler_reads_its_queue_resource_and_reports_partial_failures(packaged):
    _stage, _path, template = packaged
    app = environment.import_app()
    assert queue_handlers(app)
    for config in queue_handlers(app):
        function = packaging._camel(config.name)
        events = template["Resources"][function]["Properties"]["Events"]
        source = events[f"{function}SqsEventSource"]["Properties"]
        assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        queue = source["Queue"]["Fn::GetAtt"][0]
        assert template["Resources"][queue]["Type"] == "AWS::SQS::Queue"


def test_functions_get_the_stage_resource_names(packaged):
    stage, _path, template = packaged
    assert template["Parameters"]["Stage"]["Default"] == stage
    variables = template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert variables["MONITORS_TABLE"] == f"herald-{stage}-monitors"


def test_every_function_runs_a_handler_declared_in_app_py(packaged):
    """A handler declared in a Blueprint would make Lambda import that module, not
    app.py, and the middleware would silently stop running (aws/chalice#1566)."""
    _stage, _path, template = packaged
    handlers = {
        name: resource["Properties"]["Handler"]
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    assert handlers
    assert {h.split(".")[0] for h in handlers.values()} == {"app"}


def test_nothing_in_the_template_can_turn_local_mode_on(packaged):
    _stage, path, _template = packaged
    assert "HERALD_LOCAL" not in path.read_text()


def test_the_bundle_ships_bytecode_so_a_cold_start_compiles_nothing(packaged):
    import sys
    import zipfile

    _stage, path, _template = packaged
    names = set(zipfile.ZipFile(path.parent / "deployment.zip").namelist())
    tag = sys.implementation.cache_tag
    for module in ("app", "chalicelib/core/http", "chalicelib/monitors/pings"):
        folder, _, name = module.rpartition("/")
        assert f"{folder + '/' if folder else ''}__pycache__/{name}.{tag}.pyc" in names
