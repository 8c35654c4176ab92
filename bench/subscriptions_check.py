"""The subscription check's cost: DynamoDB requests and feed requests per run.

1. DynamoDB requests of one check run with 20 due pairs among 1,000 and then
   among 10,000 stored (target: the same count; the due index is queried,
   nothing is scanned).
2. HTTP requests to a resource that did not change, with 1,000 due
   subscriptions on it (target: 1).

Runs on moto in-process with Herald's stack deployed from infra/ and the
sample feed on loopback. Requests are counted with a botocore event hook.
"""

import time

import harness

DUE = 20


def _pairs(url: str, start: int, count: int, due_at: int, tag: str):
    for n in range(start, start + count):
        yield {
            "pk": f"SUBSCRIPTION#{tag}{n}",
            "sk": "RESOURCE#Incidents",
            "subscription": f"{tag}{n}",
            "subscriber": "bench",
            "resource": "Incidents",
            "url": url,
            "frequency": "daily",
            "last_check_time": "2026-01-01T00:00:00.000000Z",
            "next_check_time": due_at,
            "due_pk": "DUE",
            "due_at": due_at,
        }


def _store(items) -> None:
    from chalicelib.core import aws

    with aws.table("SUBSCRIPTIONS_TABLE").batch_writer() as batch:
        for item in items:
            batch.put_item(Item=item)


def _counted_check() -> tuple[dict, harness.RequestCounter]:
    from chalicelib.subscriptions import cycle

    with harness.RequestCounter() as dynamodb:
        summary = cycle.check_cycle()
    return summary, dynamodb


def main() -> None:
    harness.environment(
        HERALD_FEED_SIGNING_KEY="bench-feed-key",
        SUBSCRIPTIONS_ALLOW_PRIVATE_FEEDS="1",  # the sample feed is on loopback,
        HERALD_LOCAL="1",  # which the SSRF guard allows in local mode only
    )
    harness.quiet()
    from chalicelib.core import clock
    from herald.local.sample_feed import SampleFeed

    rows = []
    with harness.moto_stack():
        busy, quiet = SampleFeed(0).start(), SampleFeed(0).start()
        try:
            busy.put({"title": "Something happened"})
            now = int(clock.epoch())
            figures = []
            started = time.monotonic()
            stored = 0
            for total in (1_000, 10_000):
                _store(_pairs(busy.changes_url, stored, total - stored - DUE, now + 86400, "n"))
                _store(_pairs(busy.changes_url, total, DUE, now - 60, f"due{total}-"))
                stored = total
                summary, dynamodb = _counted_check()
                figures.append(dynamodb.total)
                rows.append(
                    harness.Row(
                        f"check, {DUE} due of {total:,} subscriptions",
                        f"{dynamodb.total} DynamoDB requests ({dynamodb.detail()}); "
                        f"queued {summary['queued']}",
                    )
                )
            same = figures[0] == figures[1]
            rows.append(
                harness.Row(
                    "DynamoDB requests, 10,000 vs 1,000 stored",
                    f"{figures[1]} vs {figures[0]}",
                    "independent of the total",
                    same,
                )
            )
            _store(_pairs(quiet.changes_url, 0, 1_000, now - 60, "quiet"))
            summary, dynamodb = _counted_check()
            rows.append(
                harness.Row(
                    "HTTP requests to an unchanged resource, 1,000 due",
                    f"{quiet.requests} ({summary['unchanged']} moved on unfetched; "
                    f"{dynamodb.total} DynamoDB requests)",
                    "1",
                    quiet.requests == 1,
                )
            )
            print(f"(whole benchmark {time.monotonic() - started:.0f} s on moto)")
        finally:
            busy.stop()
            quiet.stop()
    harness.report(rows, "subscriptions check")


if __name__ == "__main__":
    main()
