"""`make package` gives a SAM template that cfn-lint passes, for each stage."""

import json

import yaml

from herald import environment, packaging
from herald.local.invoke import queue_handlers


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


# ---- a deployment that works as written ----------------------------------------------


def _resolve_number(template: dict, value) -> int:
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return int(template["Parameters"][value["Ref"]]["Default"])
    return int(value)


def _of_type(template: dict, kind: str) -> dict:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def test_every_queue_shows_a_message_again_only_after_6x_its_consumers_timeout(packaged):
    _stage, _path, template = packaged
    checked = 0
    for function in _of_type(template, "AWS::Serverless::Function").values():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] != "SQS":
                continue
            queue = template["Resources"][event["Properties"]["Queue"]["Fn::GetAtt"][0]]
            visibility = _resolve_number(template, queue["Properties"]["VisibilityTimeout"])
            assert visibility >= 6 * function["Properties"]["Timeout"], queue["Properties"]
            checked += 1
    from herald.local.invoke import queue_handlers

    assert checked == len(queue_handlers(environment.import_app())) == 6


def test_each_function_has_its_own_policy_file(packaged):
    from tests.herald import iam_calls

    _stage, _path, template = packaged
    for logical, name in packaging.functions(template).items():
        role = template["Resources"][logical]["Properties"]["Role"]["Fn::GetAtt"][0]
        (policy,) = template["Resources"][role]["Properties"]["Policies"]
        written = json.loads(
            (environment.ROOT / ".chalice" / iam_calls.policy_file(name)).read_text()
        )
        assert policy["PolicyDocument"] == written, name


def _topic(alarm: dict) -> list:
    return alarm["Properties"]["AlarmActions"]


def test_every_alarm_notifies_the_alarm_topic(packaged):
    _stage, _path, template = packaged
    alarms = _of_type(template, "AWS::CloudWatch::Alarm")
    assert len(alarms) >= 4 + 9 + 1
    for name, alarm in alarms.items():
        assert _topic(alarm) == [
            {"Fn::If": ["CreateAlarmTopic", {"Ref": "AlarmTopic"}, {"Ref": "AlarmTopicArn"}]}
        ], name
    topic = template["Resources"]["AlarmTopic"]
    assert topic["Condition"] == "CreateAlarmTopic"
    subscription = template["Resources"]["AlarmEmailSubscription"]
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}


def test_the_operator_herald_mails_is_the_alarm_address(packaged):
    # A disabled channel or a suppressed address is mailed to OPERATOR_EMAIL:
    # unset in a stock deployment, nobody would hear of either.
    _stage, _path, template = packaged
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["OPERATOR_EMAIL"] == {"Ref": "AlarmEmail"}


def _alarms_on(template: dict, namespace: str, metric: str) -> dict:
    found = {}
    for alarm in _of_type(template, "AWS::CloudWatch::Alarm").values():
        props = alarm["Properties"]
        if props.get("Namespace") == namespace and props.get("MetricName") == metric:
            (dimension,) = props["Dimensions"]
            found[
                dimension["Value"]["Fn::Sub"]
                if isinstance(dimension["Value"], dict)
                else dimension["Value"]
            ] = props
    return found


def test_every_function_has_an_errors_alarm_and_a_log_group_with_retention(packaged):
    _stage, _path, template = packaged
    errors = _alarms_on(template, "AWS/Lambda", "Errors")
    groups = {
        g["Properties"]["LogGroupName"]["Fn::Sub"]: g["Properties"]
        for g in _of_type(template, "AWS::Logs::LogGroup").values()
    }
    for logical, name in packaging.functions(template).items():
        function_name = template["Resources"][logical]["Properties"]["FunctionName"]["Fn::Sub"]
        assert function_name == f"herald-${{Stage}}-{name}"
        assert errors[function_name]["TreatMissingData"] == "notBreaching"
        assert groups[f"/aws/lambda/{function_name}"]["RetentionInDays"] == {
            "Ref": "LogRetentionDays"
        }
        assert f"{logical}LogGroup" in template["Resources"][logical]["DependsOn"]
    assert template["Parameters"]["LogRetentionDays"]["Default"] == 30


def test_every_scheduled_function_alarms_when_it_stops_running(packaged):
    from herald.local.invoke import schedules

    _stage, _path, template = packaged
    silent = _alarms_on(template, "AWS/Lambda", "Invocations")
    triggers = _alarms_on(template, "AWS/Events", "FailedInvocations")
    expected = schedules(environment.import_app())
    for name in expected:
        watched = silent.get(f"herald-${{Stage}}-{name}")
        if watched is None:  # monthly: longer than an alarm can look back
            assert f"herald-${{Stage}}-{name}" in triggers, name
            continue
        assert watched["TreatMissingData"] == "breaching"
        assert watched["ComparisonOperator"] == "LessThanThreshold" and watched["Threshold"] == 1
        assert watched["Period"] * watched["EvaluationPeriods"] <= 7 * 86400
    checker = silent["herald-${Stage}-check_monitors"]
    assert checker["Period"] * checker["EvaluationPeriods"] <= 600  # minutes, not hours
    assert set(triggers) == {"herald-${Stage}-send_profile_status"}


def test_a_second_rule_watches_the_checkers_own_heartbeat(packaged):
    stage, _path, template = packaged
    props = template["Resources"]["MonitorCheckerHeartbeatAlarm"]["Properties"]
    assert props["MetricName"] == "MonitorCheckerRuns"
    assert props["Namespace"] == f"Herald/{stage}"  # two stages in one account stay apart
    assert props["Dimensions"] == [{"Name": "service", "Value": "herald"}]
    assert props["TreatMissingData"] == "breaching"


def test_silence_windows_fit_each_schedule():
    minute = packaging.silence_rule("rate(1 minute)")
    assert minute["Period"] * minute["EvaluationPeriods"] == 360
    daily = packaging.silence_rule("cron(0 5 * * ? *)")
    assert daily["Period"] == 3600 and daily["EvaluationPeriods"] == 25
    assert packaging.silence_rule("cron(0 6 1 * ? *)") is None


def _transformed(template: dict) -> dict:
    """The template as CloudFormation's SAM transform expands it."""
    import copy

    from samtranslator.translator.transform import transform

    class NoManagedPolicies:
        def load(self):
            return {}

    template = copy.deepcopy(template)
    for function in _of_type(template, "AWS::Serverless::Function").values():
        function["Properties"]["CodeUri"] = "s3://bucket/deployment.zip"  # as `package` writes
    return transform(template, {}, NoManagedPolicies())


def test_the_api_is_published_under_api_only(packaged, monkeypatch):
    _stage, _path, template = packaged
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    stages = _of_type(_transformed(template), "AWS::ApiGateway::Stage")
    assert [s["Properties"]["StageName"] for s in stages.values()] == ["api"]


def test_an_unknown_route_answers_heralds_404_when_deployed(packaged, monkeypatch):
    from chalicelib.core import errors

    _stage, _path, template = packaged
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    (api,) = _of_type(_transformed(template), "AWS::ApiGateway::RestApi").values()
    response = api["Properties"]["Body"]["x-amazon-apigateway-gateway-responses"][
        "MISSING_AUTHENTICATION_TOKEN"
    ]
    assert response["statusCode"] == "404"
    body = json.loads(response["responseTemplates"]["application/json"])
    assert body["Code"] == errors.NotFound.code and body["Message"]


def test_the_api_compresses_replies_over_1_kb_so_the_dashboard_goes_gzipped(packaged, monkeypatch):
    _stage, _path, template = packaged
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    (api,) = _of_type(_transformed(template), "AWS::ApiGateway::RestApi").values()
    assert api["Properties"]["MinimumCompressionSize"] == 1024


# ---- the ping door: a function URL ------------------------------------------------


def test_the_ping_door_is_a_public_function_url_on_its_own_function(packaged):
    _stage, _path, template = packaged
    door = template["Resources"]["PingDoor"]["Properties"]
    assert door["Handler"] == "app.ping_door"
    assert packaging.functions(template)["PingDoor"] == "ping_door"
    api = dict(template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"])
    api.pop("HERALD_PING_URL")  # what the API shows, below
    assert door["Environment"]["Variables"] == api  # the same tables, queues and bus
    (url,) = _of_type(template, "AWS::Lambda::Url").values()
    assert url["Properties"] == {
        "TargetFunctionArn": {"Fn::GetAtt": ["PingDoor", "Arn"]},
        "AuthType": "NONE",
        "InvokeMode": "BUFFERED",
    }  # no Cors: the ping views answer preflights and set CORS headers themselves
    assert template["Outputs"]["PingUrl"]["Value"] == {"Fn::GetAtt": ["PingUrl", "FunctionUrl"]}


def test_the_api_shows_ping_urls_on_the_ping_door_unless_told_to_show_its_own(packaged):
    _stage, _path, template = packaged
    variables = template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert "HERALD_STAGE" in variables  # merged into Chalice's variables, not in their place
    assert variables["HERALD_PING_URL"] == {
        "Fn::If": ["ShowDoorUrls", {"Fn::GetAtt": ["PingUrl", "FunctionUrl"]}, ""]
    }
    assert template["Conditions"]["ShowDoorUrls"] == {
        "Fn::Equals": [{"Ref": "ShownPingUrls"}, "door"]
    }
    shown = template["Parameters"]["ShownPingUrls"]
    assert (shown["Default"], shown["AllowedValues"]) == ("door", ["door", "api"])


def test_the_ping_doors_url_may_be_invoked_by_anyone_but_only_through_the_url(packaged):
    """Since October 2025 a public URL needs InvokeFunctionUrl and InvokeFunction."""
    _stage, _path, template = packaged
    granted = sorted(
        (p["Properties"] for p in _of_type(template, "AWS::Lambda::Permission").values()),
        key=lambda p: p["Action"],
    )
    on_the_door = [p for p in granted if p["FunctionName"] == {"Ref": "PingDoor"}]
    assert on_the_door == [
        {
            "FunctionName": {"Ref": "PingDoor"},
            "Action": "lambda:InvokeFunction",
            "Principal": "*",
            "InvokedViaFunctionUrl": True,
        },
        {
            "FunctionName": {"Ref": "PingDoor"},
            "Action": "lambda:InvokeFunctionUrl",
            "Principal": "*",
            "FunctionUrlAuthType": "NONE",
        },
    ]


def test_the_ping_doors_concurrency_ceiling_is_a_parameter_off_by_default(packaged):
    _stage, _path, template = packaged
    parameter = template["Parameters"]["PingConcurrency"]
    assert (parameter["Type"], parameter["Default"], parameter["MinValue"]) == ("Number", 0, 0)
    assert template["Conditions"]["CapPingConcurrency"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "PingConcurrency"}, 0]}]
    }
    reserved = template["Resources"]["PingDoor"]["Properties"]["ReservedConcurrentExecutions"]
    assert reserved == {
        "Fn::If": ["CapPingConcurrency", {"Ref": "PingConcurrency"}, {"Ref": "AWS::NoValue"}]
    }
    throttled = _alarms_on(template, "AWS/Lambda", "Throttles")
    assert set(throttled) == {"herald-${Stage}-ping_door"}
    assert throttled["herald-${Stage}-ping_door"]["TreatMissingData"] == "notBreaching"


def test_the_ping_door_survives_the_sam_transform(packaged, monkeypatch):
    _stage, _path, template = packaged
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    transformed = _transformed(template)
    (function,) = [
        f
        for f in _of_type(transformed, "AWS::Lambda::Function").values()
        if f["Properties"]["Handler"] == "app.ping_door"
    ]
    assert "ReservedConcurrentExecutions" in function["Properties"]
    assert len(_of_type(transformed, "AWS::Lambda::Url")) == 1
