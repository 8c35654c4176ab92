"""Checker scaling: DynamoDB requests and items read by one checker run.

With 1,000 and then 20,000 healthy monitors (a third each of the max_sleep,
simple and cron schedule kinds), and the same 10 due ones each
time, one run of the checker should make the same requests (one Query per
index shard plus the claims of the due ones) and read only the due items:
its cost must not grow with the healthy monitors, and it never Scans.
The items read include those due within the next minute, which the run hands
to wake-ups (SQS, not counted here): the cron third is written as just
pinged, with its first look due 50 s later, so it is read and handed off.
Runs on moto in-process; monitors are written straight to the table with
BatchWriteItem (moto's GSI queries walk the whole table, so wall time on moto
is not a figure: requests and items are).
"""

import os
from decimal import Decimal

import harness

SIZES = [int(n) for n in os.environ.get("BENCH_HEALTHY", "1000,20000").split(",")]
DUE = 10


# A mix of the three schedule kinds (the due index holds each at its own time).
KINDS = [
    {"max_sleep": 300, "email_frequency": 3600},
    {"timeout": 300, "grace": 60},
    {"schedule": "*/5 * * * *", "tz": "Europe/Berlin", "grace": 60},
]


def monitor(name: str, n: int, last_ping: float) -> dict:
    from chalicelib.monitors import admin, rules

    settings = {**KINDS[n % len(KINDS)], "device_email": "o@example.com"}
    item = admin._new_item(name, rules.validate(name, settings), None)
    item.update(
        status="up",
        last_ping=Decimal(f"{last_ping:.6f}"),
        due_pk=item["shard_pk"],
        due_at=Decimal(f"{last_ping + float(item['max_sleep']):.6f}"),
    )
    return item


def fill(table, names: range, prefix: str, last_ping: float) -> None:
    with table.batch_writer() as batch:
        for n in names:
            batch.put_item(Item=monitor(f"{prefix}{n:05d}", n, last_ping))


def main() -> None:
    # Requests and items are the figures here, not time: keep EMF metric lines off the output.
    harness.environment(HERALD_PUBLIC_URL="http://herald.bench", POWERTOOLS_METRICS_DISABLED="true")
    harness.quiet()
    runs = []
    with harness.moto_stack():
        from app import app
        from chalicelib.core import aws, clock
        from chalicelib.monitors import store
        from herald.local.invoke import fire

        table = aws.table(store.TABLE)
        now, healthy = clock.epoch(), 0
        for round_, size in enumerate(SIZES):
            filled = harness.timed(
                lambda r=round_, s=size, h=healthy: _fill_round(table, r, s, h, now)
            )
            healthy = size
            with harness.RequestCounter() as dynamodb:
                result = fire(app, "check_monitors")
            runs.append((size, dict(dynamodb.calls), dynamodb.items_read))
            print(f"{size} healthy + {DUE} due written in {filled:.0f} s; checker: {result}")
    rows = [
        harness.Row(
            f"checker run, {size} healthy + {DUE} due",
            f"{sum(calls.values())} DynamoDB requests ({harness.detail(calls)}), "
            f"{items} items read",
        )
        for size, calls, items in runs
    ]
    same = len({tuple(sorted(calls.items())) for _, calls, _ in runs}) == 1
    scans = sum(calls.get("Scan", 0) for _, calls, _ in runs)
    rows.append(harness.Row("identical requests across sizes", str(same), "True", same))
    rows.append(harness.Row("Scans", scans, "0", scans == 0))
    harness.report(rows, "checker scaling")


def _fill_round(table, round_: int, size: int, healthy: int, now: float) -> None:
    fill(table, range(healthy, size), "healthy-", now - 10)
    fill(table, range(DUE), f"due{round_}-", now - 1000)


if __name__ == "__main__":
    main()
