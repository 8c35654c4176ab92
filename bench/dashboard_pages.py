"""The dashboard's monitors page with 1,000 monitors: DynamoDB requests and weight.

1,000 monitors (a tenth with two outages in the last 90 days) are written
straight to the table; a signed-in session asks for the monitors page and
its 15-second status feed through the Chalice test client. Figures: the
DynamoDB requests of each (paged Queries and BatchGetItems, never a Scan),
and the bytes of a first visit (the page, its CSS and
its script) raw and gzipped, as API Gateway sends them with compression on
(infra/chalice-merge.yaml: MinimumCompressionSize). Runs on moto in-process,
so wall time is not a figure.

Monitors are listed through their directory entries (chalicelib/monitors/
directory.py: one Query of gsi1 for the names, then the monitors by
BatchGetItem, 100 a request), so that pings write no index: the listing's
cost grows by one request per 100 monitors. The targets are the fixed part
(6 for the page, 4 for the feed, as before) plus those ceil(n/100) batches.
"""

import gzip
import math
import os
import re
from decimal import Decimal

import harness

SIZES = [int(n) for n in os.environ.get("BENCH_MONITORS", "100,1000").split(",")]
FIRST_VISIT_KB = 150


def fill(table, names: range, now: float) -> None:
    from chalicelib.monitors import admin, directory, flips, rules

    flipped = []
    with table.batch_writer() as batch:
        for n in names:
            name = f"monitor-{n:05d}"
            settings = {"max_sleep": 300, "email_frequency": 3600, "device_email": "o@example.com"}
            item = admin._new_item(
                name, rules.validate(name, {**settings, "tags": ["fleet"]}), None
            )
            item.update(status="up", last_ping=Decimal(f"{now - 30:.6f}"))
            item["created_at"] = "2026-01-01T00:00:00.000000Z"
            batch.put_item(Item=item)
            batch.put_item(Item=directory.entry(item))
            if n % 10 == 0:
                flipped.append(item)
    for item in flipped:
        for days_ago, length in ((40, 0.2), (5, 0.01)):
            flips.record(item, "down", now - days_ago * 86400, "missed deadline")
            flips.record(item, "up", now - (days_ago - length) * 86400, "recovered")


def visit(client, cookie: str) -> dict:
    with harness.RequestCounter() as page_requests:
        page = client.http.get("/dashboard", headers={"cookie": cookie})
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.body.decode()).group(1)
    with harness.RequestCounter() as feed_requests:  # as the page's script asks
        headers = {"cookie": cookie, "x-csrf-token": token}
        feed = client.http.get("/dashboard/status.json", headers=headers)
    assert page.status_code == 200 and feed.status_code == 200
    assets = [
        client.http.get(path).body
        for path in re.findall(r'"(/dashboard/static/[^"]+)"', page.body.decode())
    ]
    first = [page.body, *assets]
    return {
        "page": dict(page_requests.calls),
        "feed": dict(feed_requests.calls),
        "raw": sum(len(body) for body in first),
        "gzip": sum(len(gzip.compress(body, 6)) for body in first),
        "feed_gzip": len(gzip.compress(feed.body, 6)),
    }


def main() -> None:
    harness.environment(HERALD_PUBLIC_URL="http://herald.bench", POWERTOOLS_METRICS_DISABLED="true")
    harness.quiet()
    from chalice.test import Client

    from herald import environment

    results = []
    with harness.moto_stack():
        from app import app
        from chalicelib.core import accounts, aws, clock, sessions
        from chalicelib.monitors import store

        accounts.create("bench@example.com")
        cookie = sessions.start(accounts.get("bench@example.com")).split(";")[0]
        table, written, now = aws.table(store.TABLE), 0, clock.epoch()
        with Client(app, stage_name="dev", project_dir=str(environment.ROOT)) as client:
            for size in SIZES:
                fill(table, range(written, size), now)
                written = size
                results.append((size, visit(client, cookie)))
    rows = []
    for size, seen in results:
        page, feed = sum(seen["page"].values()), sum(seen["feed"].values())
        batches = math.ceil(size / 100)  # BatchGetItem reads 100 monitors a request
        rows += [
            harness.Row(
                f"monitors page, {size} monitors",
                f"{page} DynamoDB requests ({harness.detail(seen['page'])})",
                f"<= {6 + batches}",
                page <= 6 + batches,
            ),
            harness.Row(
                f"status feed, {size} monitors",
                f"{feed} DynamoDB requests ({harness.detail(seen['feed'])})",
                f"<= {4 + batches}",
                feed <= 4 + batches,
            ),
            harness.Row(
                f"first visit, {size} monitors",
                f"{seen['gzip'] / 1024:.0f} KB gzipped ({seen['raw'] / 1024:.0f} KB raw)",
                f"<= {FIRST_VISIT_KB} KB",
                seen["gzip"] <= FIRST_VISIT_KB * 1024,
            ),
            harness.Row(
                f"status feed every 15 s, {size} monitors",
                f"{seen['feed_gzip'] / 1024:.1f} KB gzipped",
            ),
        ]
    scans = sum(seen["page"].get("Scan", 0) + seen["feed"].get("Scan", 0) for _, seen in results)
    rows.append(harness.Row("Scans", scans, "0", scans == 0))
    harness.report(rows, "dashboard pages")


if __name__ == "__main__":
    main()
