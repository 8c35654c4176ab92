"""Checker scaling: DynamoDB requests and items read by one checker run.

With 1,000 and then 20,000 healthy monitors, and the same 10 due ones each
time, one run of the checker should make the same requests (one Query per
index shard plus the claims of the due ones) and read only the due items:
its cost must not grow with the healthy monitors, and it never Scans.
Runs on moto in-process; monitors are written straight to the table with
BatchWriteItem (moto's GSI queries walk the whole table, so wall time on moto
is not a figure: requests and items are).
"""

import os
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SIZES = [int(n) for n in os.environ.get("BENCH_HEALTHY", "1000,20000").split(",")]
DUE = 10


def environment() -> None:
    from herald import environment as env

    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.pop("HERALD_LOCAL", None)
    os.environ.update(
        {
            **env.stage_env("dev"),
            **env.fake_credentials(),
            "HERALD_SECRET_KEY": "bench-secret",
            "HERALD_PUBLIC_URL": "http://herald.bench",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        }
    )


def monitor(name: str, last_ping: float) -> dict:
    from chalicelib import monitor_admin, monitors

    settings = {"max_sleep": 300, "email_frequency": 3600, "device_email": "o@example.com"}
    item = monitor_admin._new_item(name, monitors.validate(name, settings))
    item.update(
        status="up",
        last_ping=Decimal(f"{last_ping:.6f}"),
        due_pk=item["shard_pk"],
        due_at=Decimal(f"{last_ping + 300:.6f}"),
    )
    return item


def fill(table, names: range, prefix: str, last_ping: float) -> None:
    with table.batch_writer() as batch:
        for n in names:
            batch.put_item(Item=monitor(f"{prefix}{n:05d}", last_ping))


def run_once(app, calls: Counter, items: Counter) -> dict:
    from herald.local.invoke import fire

    calls.clear()
    items.clear()
    result = fire(app, "check_monitors")
    return {"result": result, "calls": dict(calls), "items": items["read"]}


def main() -> None:
    environment()
    import logging
    import warnings

    from moto import mock_aws

    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")
    with mock_aws():
        from app import app
        from chalicelib import aws, clock, monitors
        from herald.local import stack

        stack.deploy("dev")
        table = aws.table(monitors.TABLE)
        calls, items = Counter(), Counter()
        events = table.meta.client.meta.events
        events.register("before-call.dynamodb.*", lambda model, **_: calls.update([model.name]))

        def count_items(http_response, parsed, model, **_):
            items.update(read=parsed.get("Count", 0) + (1 if "Item" in parsed else 0))

        events.register("after-call.dynamodb.*", count_items)
        now, healthy, rows = clock.epoch(), 0, []
        for round_, size in enumerate(SIZES):
            started = time.perf_counter()
            fill(table, range(healthy, size), "healthy-", now - 10)
            fill(table, range(DUE), f"due{round_}-", now - 1000)
            healthy = size
            filled = time.perf_counter() - started
            run = run_once(app, calls, items)
            rows.append((size, run))
            print(
                f"{size:6} healthy + {DUE} due (written in {filled:.0f} s): "
                f"{sum(run['calls'].values())} DynamoDB requests "
                f"{dict(sorted(run['calls'].items()))}, {run['items']} items read, "
                f"checker: {run['result']}"
            )
    same = len({tuple(sorted(run["calls"].items())) for _, run in rows}) == 1
    scans = sum(run["calls"].get("Scan", 0) for _, run in rows)
    print(f"identical requests across sizes: {same}; Scans: {scans} (target: True, 0)")


if __name__ == "__main__":
    main()
