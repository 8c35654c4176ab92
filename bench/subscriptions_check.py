"""The subscription check's cost: DynamoDB requests and feed requests per run.

1. DynamoDB requests of one check run with 20 due pairs among 1,000 and then
   among 10,000 stored (target: the same count; the due index is queried,
   nothing is scanned).
2. HTTP requests to a resource that did not change, with 1,000 due
   subscriptions on it (target: 1).

Runs on moto in-process with Herald's stack deployed from infra/ and the
sample feed on loopback. Requests are counted with a botocore event hook.
"""

import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DUE = 20


def _environment() -> None:
    from herald import environment

    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.pop("HERALD_LOCAL", None)
    os.environ.update(
        {
            **environment.stage_env("dev"),
            **environment.fake_credentials(),
            "HERALD_SECRET_KEY": "bench-secret",
            "HERALD_FEED_SIGNING_KEY": "bench-feed-key",
            "SUBSCRIPTIONS_ALLOW_PRIVATE_FEEDS": "1",  # the sample feed is on loopback
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        }
    )


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
    from chalicelib import aws

    with aws.table("SUBSCRIPTIONS_TABLE").batch_writer() as batch:
        for item in items:
            batch.put_item(Item=item)


def _counted_check() -> tuple[dict, Counter]:
    from chalicelib import aws, notify

    calls: Counter = Counter()

    def count(event_name, **_kwargs):
        calls[event_name.rsplit(".", 1)[-1]] += 1

    client = aws.table("SUBSCRIPTIONS_TABLE").meta.client
    client.meta.events.register("before-call.dynamodb.*", count)
    try:
        summary = notify.check_cycle()
    finally:
        client.meta.events.unregister("before-call.dynamodb.*", count)
    return summary, calls


def main() -> None:
    import logging
    import warnings

    # moto cannot build AWS::SQS::QueuePolicy (it enforces no queue policy anyway).
    logging.getLogger("moto").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="Tried to parse AWS::SQS::QueuePolicy")
    _environment()
    from moto import mock_aws

    from chalicelib import aws, clock
    from herald.local import stack
    from herald.local.sample_feed import SampleFeed

    with mock_aws():
        aws.reset()
        stack.deploy("dev")
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
                summary, calls = _counted_check()
                figures.append(sum(calls.values()))
                print(
                    f"check with {DUE} due of {total:>6,} subscriptions: "
                    f"{sum(calls.values())} DynamoDB requests {dict(calls)}; "
                    f"queued {summary['queued']}"
                )
            same = figures[0] == figures[1]
            print(f"  target: independent of the total -> {'met' if same else 'NOT met'}")

            _store(_pairs(quiet.changes_url, 0, 1_000, now - 60, "quiet"))
            summary, calls = _counted_check()
            print(
                f"check with 1,000 due subscriptions on an unchanged resource: "
                f"{quiet.requests} HTTP request(s) to it; {summary['unchanged']} moved on "
                f"unfetched; {sum(calls.values())} DynamoDB requests"
            )
            print(f"  target: 1 HTTP request -> {'met' if quiet.requests == 1 else 'NOT met'}")
            print(f"(whole benchmark {time.monotonic() - started:.0f} s on moto)")
            if not same or quiet.requests != 1:
                sys.exit(1)
        finally:
            busy.stop()
            quiet.stop()


if __name__ == "__main__":
    main()
