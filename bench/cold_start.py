"""Cold start: the import time of app.py beside that of `import boto3` alone.

A cold Lambda pays for everything app.py imports before the first event.
Each figure is the median over fresh interpreters, measured in the same run,
and reported as a ratio (target: app.py at most 1.3 x boto3).
"""

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
    code = PROBE.format(root=str(ROOT), statement=statement)
    times = []
    for _ in range(RUNS):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def main() -> None:
    # Same machine, same run, back to back: the ratio cancels most machine noise.
    boto3 = measure("import boto3")
    app = measure("import app")
    ratio = app / boto3
    print(f"cold start (median of {RUNS} fresh interpreters)")
    print(f"  import boto3   {boto3 * 1000:7.1f} ms")
    print(f"  import app.py  {app * 1000:7.1f} ms")
    verdict = "OK" if ratio <= TARGET else "OVER"
    print(f"  ratio          {ratio:7.2f}   (target <= {TARGET})  {verdict}")


if __name__ == "__main__":
    main()
