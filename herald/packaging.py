"""`make package`: the deployable SAM template for a stage, linted.

build/<stage>/merge.json = infra/resources.yaml + infra/chalice-merge.yaml;
`chalice package` merges it into its own template (build/<stage>/sam.json,
deployment.zip). Chalice's merge can add to a value but not replace one, so
the SQS event sources are then fixed up here, from app.py's registrations:
each points at its queue resource (so CloudFormation creates the queue
first) and reports partial batch failures. Every function then gets a fixed
name, its own log group (with retention) and alarms (see watch_functions),
ping_door (the pings' function URL, set up in infra/chalice-merge.yaml)
included: it is found in the template like any other. cfn-lint checks the
result.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from herald import environment
from herald.environment import ROOT, stage_env


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("-", "_").split("_"))


def deep_merge(base: dict, extra: dict) -> dict:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def fix_event_sources(template: dict, app) -> None:
    """Point each SQS event source at its queue resource; report partial failures."""
    from chalicelib.core import aws
    from herald.local.invoke import queue_handlers

    for config in queue_handlers(app):
        function = _camel(config.name)
        queue = _camel(aws.QUEUES[config.queue].lower())  # OUTBOX_QUEUE -> OutboxQueue
        source = template["Resources"][function]["Properties"]["Events"][
            f"{function}SqsEventSource"
        ]
        source["Properties"]["Queue"] = {"Fn::GetAtt": [queue, "Arn"]}
        source["Properties"]["FunctionResponseTypes"] = ["ReportBatchItemFailures"]


def functions(template: dict) -> dict[str, str]:
    """Logical id -> Chalice's function name (api_handler for the HTTP API)."""
    found = {}
    for logical, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            handler = resource["Properties"]["Handler"].split(".", 1)[1]
            found[logical] = "api_handler" if handler == "app" else handler
    return found


def function_name(name: str) -> str:
    """The deployed name, fixed so that policies and log groups can name it."""
    return f"herald-${{Stage}}-{name}"


def _alarm(description: str, metric: dict, **rule) -> dict:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": {"Fn::Sub": description},
            **metric,
            **rule,
            "AlarmActions": [
                {"Fn::If": ["CreateAlarmTopic", {"Ref": "AlarmTopic"}, {"Ref": "AlarmTopicArn"}]}
            ],
        },
    }


def _lambda_metric(name: str, metric: str) -> dict:
    dimension = {"Name": "FunctionName", "Value": {"Fn::Sub": function_name(name)}}
    return {"Namespace": "AWS/Lambda", "MetricName": metric, "Dimensions": [dimension]}


def silence_rule(expression: str) -> dict | None:
    """How long a schedule may stay silent before "it stopped running" is the
    likelier reading: its longest gap between runs plus a margin for late
    metrics, as whole periods. None when that exceeds the 7 days a CloudWatch
    alarm can look back (a monthly job)."""
    from datetime import UTC, datetime, timedelta

    from herald.local.scheduler import next_time

    start = when = datetime(2027, 1, 1, tzinfo=UTC)
    gap = timedelta(0)
    while when - start < timedelta(days=400) and gap <= timedelta(days=7):
        following = next_time(expression, when, start)
        gap, when = max(gap, following - when), following
    window = gap.total_seconds() + max(300, gap.total_seconds() / 24)
    period = 60 if window <= 3600 else 3600
    periods = -(-int(window) // period)
    if period * periods > 7 * 86400:
        return None
    return {
        "Statistic": "Sum",
        "Period": period,
        "EvaluationPeriods": periods,
        "DatapointsToAlarm": periods,
        "Threshold": 1,
        "ComparisonOperator": "LessThanThreshold",
        # No data is the failure watched for: nothing ran, nothing was counted.
        "TreatMissingData": "breaching",
    }


ERRORS = {
    "Statistic": "Sum",
    "Period": 300,
    "EvaluationPeriods": 1,
    "Threshold": 0,
    "ComparisonOperator": "GreaterThanThreshold",
    "TreatMissingData": "notBreaching",
}


def watch_functions(template: dict, app, stage: str) -> None:
    """Name every function; give it a log group with retention, an alarm on its
    errors, one on its throttles when it has a concurrency ceiling and, when
    scheduled, one on its silence; watch the checker's heartbeat."""
    from herald.local.invoke import schedules

    resources = template["Resources"]
    expressions = schedules(app)
    for logical, name in functions(template).items():
        function = resources[logical]
        function["Properties"]["FunctionName"] = {"Fn::Sub": function_name(name)}
        # The group exists before the function can write to it, so Lambda never
        # creates one without retention (and the roles need no CreateLogGroup).
        resources[f"{logical}LogGroup"] = {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": {"Fn::Sub": f"/aws/lambda/{function_name(name)}"},
                "RetentionInDays": {"Ref": "LogRetentionDays"},
            },
        }
        assert "DependsOn" not in function  # Chalice sets none today; merge if it ever does
        function["DependsOn"] = [f"{logical}LogGroup"]
        resources[f"{logical}ErrorsAlarm"] = _alarm(
            f"{function_name(name)} failed", _lambda_metric(name, "Errors"), **ERRORS
        )
        if "ReservedConcurrentExecutions" in function["Properties"]:
            # At its ceiling Lambda turns requests away (a ping door's: lost pings).
            resources[f"{logical}ThrottlesAlarm"] = _alarm(
                f"{function_name(name)} turned requests away at its concurrency ceiling",
                _lambda_metric(name, "Throttles"),
                **ERRORS,
            )
        if name in expressions:
            _watch_schedule(resources, logical, name, expressions[name])
    checker = silence_rule(expressions["check_monitors"])
    variables = environment.stage_env(stage)
    resources["MonitorCheckerHeartbeatAlarm"] = _alarm(
        "check_monitors of herald-${Stage} has not completed a run",
        {
            # The checker counts MonitorCheckerRuns once per complete run (EMF,
            # powertools: namespace and the service dimension from the stage).
            "Namespace": variables["POWERTOOLS_METRICS_NAMESPACE"],
            "MetricName": "MonitorCheckerRuns",
            "Dimensions": [{"Name": "service", "Value": variables["POWERTOOLS_SERVICE_NAME"]}],
        },
        **checker,
    )


def _watch_schedule(resources: dict, logical: str, name: str, expression: str) -> None:
    event = next(iter(resources[logical]["Properties"]["Events"].values()))
    event["Properties"]["Name"] = {"Fn::Sub": function_name(name)}  # the rule's name
    rule = silence_rule(expression)
    if rule is not None:
        resources[f"{logical}SilenceAlarm"] = _alarm(
            f"{function_name(name)} has not run on its schedule {expression}",
            _lambda_metric(name, "Invocations"),
            **rule,
        )
        return
    # Too rare for a CloudWatch look-back: alarm when EventBridge fails to invoke
    # it (its errors are watched above; its runs are listed by GET /runs).
    resources[f"{logical}TriggerAlarm"] = _alarm(
        f"EventBridge could not start {function_name(name)} ({expression})",
        {
            "Namespace": "AWS/Events",
            "MetricName": "FailedInvocations",
            "Dimensions": [{"Name": "RuleName", "Value": {"Fn::Sub": function_name(name)}}],
        },
        **ERRORS,
    )


def merge_template(stage: str) -> dict:
    template = yaml.safe_load((ROOT / "infra" / "resources.yaml").read_text())
    template = deep_merge(
        template, yaml.safe_load((ROOT / "infra" / "chalice-merge.yaml").read_text())
    )
    template["Parameters"]["Stage"]["Default"] = stage
    template.pop("AWSTemplateFormatVersion", None)
    template.pop("Description", None)
    return template


def output_dir(stage: str) -> Path:
    """Where `make package STAGE=stage` writes sam.json and deployment.zip."""
    return ROOT / "build" / stage


def package(stage: str) -> Path:
    out = output_dir(stage)
    out.mkdir(parents=True, exist_ok=True)
    merge = out / "merge.json"
    merge.write_text(json.dumps(merge_template(stage), indent=2))
    bin_dir = Path(sys.executable).parent
    # The stage's variables let app.py read per-stage schedules (stage_schedule).
    os.environ.update(stage_env(stage))
    subprocess.run(
        [
            str(bin_dir / "chalice"),
            "package",
            "--stage",
            stage,
            "--merge-template",
            str(merge),
            str(out),
        ],
        cwd=ROOT,
        check=True,
    )
    from herald.environment import import_app

    app = import_app()
    sam = out / "sam.json"
    template = json.loads(sam.read_text())
    fix_event_sources(template, app)
    watch_functions(template, app, stage)
    sam.write_text(json.dumps(template, indent=2))
    add_bytecode(out / "deployment.zip")
    return sam


def add_bytecode(bundle: Path) -> int:
    """Put compiled bytecode beside every module in the deployment zip.

    Lambda's code directory is read-only, so without it every cold start
    compiles app.py, chalicelib and each dependency from source again.
    unchecked-hash: the interpreter trusts the .pyc without looking at the
    source's time stamp (the zip's files are never edited in place).
    Returns how many modules were compiled.
    """
    import py_compile
    import tempfile
    import zipfile

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        with zipfile.ZipFile(bundle) as archive:
            archive.extractall(root)
        sources = [path for path in root.rglob("*.py") if "__pycache__" not in path.parts]
        compiled = 0
        for source in sources:
            try:
                py_compile.compile(
                    str(source),
                    dfile=str(source.relative_to(root)),
                    doraise=True,
                    invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
                )
                compiled += 1
            except py_compile.PyCompileError:
                continue  # a file Python 3 cannot compile is never imported either
        with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(root).as_posix())
    return compiled


def lint(template: Path) -> int:
    """cfn-lint's exit status with warnings and notes masked: errors only."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), str(template)], check=False
    )
    return result.returncode & 2


def main() -> None:
    stage = sys.argv[1] if len(sys.argv) > 1 else "dev"
    template = package(stage)
    if lint(template):
        sys.exit(f"cfn-lint found errors in {template}")
    print(f"{template}: linted clean (errors); deploy with the README's `aws cloudformation` steps")


if __name__ == "__main__":
    main()
