"""Cold start: the import time of app.py beside that of `import boto3` alone.

A cold Lambda pays for everything app.py imports before the first event.
Lambda's code directory is read-only, so Python can write no bytecode there:
`make package` ships it (herald/packaging.py add_bytecode). This measures
app.py both ways, as packaged (bytecode beside the source, as in the zip) and
from source (what a bundle without bytecode would pay), each the median over
fresh interpreters in the same run, interleaved, as a ratio to boto3 (which
the venv holds compiled, as the bundle now does). Target: packaged app.py at
most 1.3 x boto3.
"""

import py_compile
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import harness

RUNS = 15
TARGET = 1.3

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


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        packaged = packaged_copy(Path(scratch))
        times = {"boto3": [], "packaged": [], "source": []}
        # Same machine, same run, interleaved: the ratios cancel most machine noise.
        for _ in range(RUNS):
            times["boto3"].append(once("import boto3", harness.ROOT))
            times["packaged"].append(once("import app", packaged))
            times["source"].append(once("import app", harness.ROOT))
    boto3, app, source = (harness.median(times[k]) for k in ("boto3", "packaged", "source"))
    ratio = app / boto3
    harness.report(
        [
            harness.Row(f"import boto3 (median of {RUNS})", f"{boto3 * 1000:.1f} ms"),
            harness.Row(f"import app.py as packaged (median of {RUNS})", f"{app * 1000:.1f} ms"),
            harness.Row(f"import app.py from source (median of {RUNS})", f"{source * 1000:.1f} ms"),
            harness.Row("app.py as packaged / boto3", ratio, f"<= {TARGET}", ratio <= TARGET),
        ],
        "cold start",
    )


if __name__ == "__main__":
    main()
