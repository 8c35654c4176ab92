"""Cold start: the import time of app.py beside that of `import boto3` alone.

A cold Lambda pays for everything app.py imports before the first event.
Each figure is the median over fresh interpreters, measured in the same run,
and reported as a ratio (target: app.py at most 1.3 x boto3).
"""

import subprocess
import sys

import harness

RUNS = 9
TARGET = 1.3

PROBE = """
import time, sys
sys.path.insert(0, {root!r})
start = time.perf_counter()
{statement}
print(time.perf_counter() - start)
"""


def measure(statement: str) -> float:
    """Median import seconds over fresh interpreters (each one times itself)."""
    code = PROBE.format(root=str(harness.ROOT), statement=statement)

    def once() -> float:
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=harness.ROOT,
        )
        return float(out.stdout.strip().splitlines()[-1])

    return harness.median(once() for _ in range(RUNS))


def main() -> None:
    # Same machine, same run, back to back: the ratio cancels most machine noise.
    boto3 = measure("import boto3")
    app = measure("import app")
    ratio = app / boto3
    harness.report(
        [
            harness.Row(f"import boto3 (median of {RUNS})", f"{boto3 * 1000:.1f} ms"),
            harness.Row(f"import app.py (median of {RUNS})", f"{app * 1000:.1f} ms"),
            harness.Row("app.py / boto3 import time", ratio, f"<= {TARGET}", ratio <= TARGET),
        ],
        "cold start",
    )


if __name__ == "__main__":
    main()
