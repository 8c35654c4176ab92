"""Cold start: the import time of app.py beside that of `import boto3` alone.

A cold Lambda pays for everything app.py imports before the first event.
Lambda's code directory is read-only, so Python can write no bytecode there:
`make package` ships it (herald/packaging.py add_bytecode). This measures
app.py both ways, as packaged (bytecode beside the source, as in the zip) and
from source (what a bundle without bytecode would pay), each the median over
fresh interpreters in the same run, interleaved, as a ratio to boto3 (which
the venv holds compiled, as the bundle now does). Target: packaged app.py at
most 1.3 x boto3.

The Lambda-style figure: a fresh interpreter until the first ping event is
answered through `app(event, context)` (packaged app.py, AWS answered by the
canned botocore stub of bench/canned_aws.py, recorded on moto first), beside
a fresh interpreter's `import boto3`, one client and one call answered by
the same stub. Target: at most 1.15. Beside it, for what a deployed stage
pays: the same first ping with the secret read from SSM (stubbed too), as a
deployed function reads it (bench's other figures take it from the
environment, as local mode does).
"""

import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import harness

RUNS = 15
TARGET, LAMBDA_TARGET = 1.3, 1.15

PROBE = """
import time, sys
sys.path.insert(0, {root!r})
start = time.perf_counter()
{statement}
print(time.perf_counter() - start)
"""


def once(statement: str, root: Path) -> float:
    code = PROBE.format(root=str(root), statement=statement)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    return float(out.stdout.strip().splitlines()[-1])


def packaged_copy(into: Path) -> Path:
    """app.py and chalicelib/ as the bundle holds them: with unchecked-hash bytecode."""
    shutil.copy(harness.ROOT / "app.py", into / "app.py")
    shutil.copytree(harness.ROOT / "chalicelib", into / "chalicelib")
    for source in [into / "app.py", *(into / "chalicelib").rglob("*.py")]:
        py_compile.compile(
            str(source), invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
        )
    return into


FIRST_PING = """
import json, sys
sys.path.insert(0, {bench!r})
import canned_aws
recorded = json.load(open({recording!r}))
canned_aws.install(recorded["calls"], recorded["parameters"])
{body}
"""
APP_PING = """
from app import app
assert app(recorded["event"], canned_aws.lambda_context())["statusCode"] == 200
"""
SSM_PING = (
    """
import os
os.environ.pop("HERALD_SECRET_KEY")  # a deployed function's: read from SSM
"""
    + APP_PING
)
BARE_CALL = """
import boto3
call = recorded["calls"][-1]
client = boto3.session.Session().client("dynamodb", region_name="us-east-1")
getattr(client, "put_item")(**call["params"])
"""


def main() -> None:
    harness.environment(HERALD_PUBLIC_URL="http://herald.bench", POWERTOOLS_METRICS_DISABLED="true")
    harness.quiet()
    with tempfile.TemporaryDirectory() as scratch:
        recording = record(Path(scratch) / "recording.json")
        packaged = packaged_copy(Path(scratch))
        probes = {
            "boto3": ("import boto3", harness.ROOT),
            "packaged": ("import app", packaged),
            "source": ("import app", harness.ROOT),
            "first ping": (_first_ping(recording, APP_PING), packaged),
            "first ping, SSM": (_first_ping(recording, SSM_PING), packaged),
            "boto3 call": (_first_ping(recording, BARE_CALL), harness.ROOT),
        }
        times = {name: [] for name in probes}
        # Same machine, same run, interleaved: the ratios cancel most machine noise.
        for _ in range(RUNS):
            for name, (statement, root) in probes.items():
                times[name].append(once(statement, root))
    median = {name: harness.median(values) for name, values in times.items()}
    harness.report(_rows(median), "cold start")


def record(path: Path) -> Path:
    """One ping's DynamoDB calls and replies, recorded on moto (bench/canned_aws.py)."""
    import json

    import canned_aws

    with harness.moto_stack():
        event, calls = canned_aws.steady_ping()
    parameters = {"/herald/dev/secret-key": os.environ["HERALD_SECRET_KEY"]}
    path.write_text(json.dumps({"event": event, "calls": calls, "parameters": parameters}))
    return path


def _first_ping(recording: Path, body: str) -> str:
    bench = str(harness.ROOT / "bench")
    return FIRST_PING.format(bench=bench, recording=str(recording), body=body)


def _rows(median: dict) -> list:
    ratio = median["packaged"] / median["boto3"]
    lambda_ratio = median["first ping"] / median["boto3 call"]
    return [
        harness.Row(f"import boto3 (median of {RUNS})", f"{median['boto3'] * 1000:.1f} ms"),
        harness.Row(
            f"import app.py as packaged (median of {RUNS})", f"{median['packaged'] * 1000:.1f} ms"
        ),
        harness.Row(
            f"import app.py from source (median of {RUNS})", f"{median['source'] * 1000:.1f} ms"
        ),
        harness.Row("app.py as packaged / boto3", ratio, f"<= {TARGET}", ratio <= TARGET),
        harness.Row(
            "fresh interpreter to first ping answered (app(event, context), stubbed)",
            f"{median['first ping'] * 1000:.1f} ms",
        ),
        harness.Row(
            "fresh interpreter to import boto3 + client + one stubbed call",
            f"{median['boto3 call'] * 1000:.1f} ms",
        ),
        harness.Row(
            "first ping / boto3 call (Lambda-style)",
            lambda_ratio,
            f"<= {LAMBDA_TARGET}",
            lambda_ratio <= LAMBDA_TARGET,
        ),
        harness.Row(
            "the same first ping, its secret read from SSM as deployed (stubbed)",
            f"{median['first ping, SSM'] * 1000:.1f} ms",
        ),
        harness.Row(
            "first ping with SSM / boto3 call (what a deployed cold start pays)",
            median["first ping, SSM"] / median["boto3 call"],
        ),
    ]


if __name__ == "__main__":
    main()
