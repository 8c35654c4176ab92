"""`make package`: the deployable SAM template for a stage, linted.

build/<stage>/merge.json = infra/resources.yaml + infra/chalice-merge.yaml;
`chalice package` merges it into its own template (build/<stage>/sam.json,
deployment.zip). Chalice's merge can add to a value but not replace one, so
the SQS event sources are then fixed up here, from app.py's registrations:
each points at its queue resource (so CloudFormation creates the queue
first) and reports partial batch failures. cfn-lint checks the result.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

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


def merge_template(stage: str) -> dict:
    template = yaml.safe_load((ROOT / "infra" / "resources.yaml").read_text())
    template = deep_merge(
        template, yaml.safe_load((ROOT / "infra" / "chalice-merge.yaml").read_text())
    )
    template["Parameters"]["Stage"]["Default"] = stage
    template.pop("AWSTemplateFormatVersion", None)
    template.pop("Description", None)
    return template


def package(stage: str) -> Path:
    out = ROOT / "build" / stage
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
