"""Channels fan-out: what one down notice costs for a monitor with 10 channels.

A monitor names 10 Slack channels (and has a recipient); it goes silent, and
one checker run tells it. Counted (botocore before-call hooks, moto
in-process): the SQS requests that put the 10 deliveries on the queue
(target: one batch send, and one for the mail) and the DynamoDB requests of
the run (target: the same with 10 other monitors around as with 1,000: it
never grows with the monitors, and the channels are read in one request).
"""

import os
from decimal import Decimal

import harness

CHANNELS = 10
SIZES = [int(n) for n in os.environ.get("BENCH_MONITORS", "10,1000").split(",")]


def setup(table, healthy: int, now: float) -> None:
    from chalicelib.core.channels import store as channels
    from chalicelib.monitors import admin, rules

    ids = [
        channels.create("slack", f"team {n}", {"url": f"https://hooks.slack.com/services/T/B/{n:024d}"})["id"]
        for n in range(CHANNELS)
    ]  # fmt: skip
    settings = {"timeout": 300, "grace": 60, "device_email": "o@example.com", "channels": ids}
    admin.upsert("watched", settings)
    quiet = {"max_sleep": 300, "email_frequency": 3600, "device_email": "o@example.com"}
    with table.batch_writer() as batch:
        for n in range(healthy):
            name = f"healthy-{n:05d}"
            item = admin._new_item(name, rules.validate(name, quiet), None)
            # Pinged just before the checker's run (at now + 400): not due.
            pinged = now + 390
            item.update(status="up", last_ping=Decimal(f"{pinged:.6f}"), due_pk=item["shard_pk"])
            item["due_at"] = Decimal(f"{pinged + 300:.6f}")
            batch.put_item(Item=item)


def run(size: int) -> tuple[dict, dict]:
    from chalice.test import Client

    from app import app
    from chalicelib.core import aws, clock
    from chalicelib.monitors import store
    from herald.local.invoke import fire

    table = aws.table(store.TABLE)
    now = clock.epoch()
    setup(table, size, now)
    with Client(app, stage_name="dev", project_dir=str(harness.ROOT)) as client:
        uuid = store.uuid_for("watched")
        assert client.http.get(f"/ping/{uuid}").status_code == 200
    import time_machine

    with time_machine.travel(now + 400, tick=False):
        with harness.RequestCounter(("dynamodb", "sqs")) as counter:
            fire(app, "check_monitors")
    calls = dict(counter.calls)
    sqs = {k: v for k, v in calls.items() if k.startswith(("Send", "GetQueue"))}
    dynamodb = {k: v for k, v in calls.items() if k not in sqs}
    return sqs, dynamodb


def main() -> None:
    harness.environment(HERALD_PUBLIC_URL="http://herald.bench", POWERTOOLS_METRICS_DISABLED="true")
    harness.quiet()
    results = []
    for size in SIZES:
        with harness.moto_stack():
            results.append((size, *run(size)))
    rows = []
    for size, sqs, dynamodb in results:
        rows.append(
            harness.Row(
                f"down notice, {CHANNELS} channels, {size} other monitors",
                f"SQS {harness.detail(sqs)}; DynamoDB {sum(dynamodb.values())} "
                f"({harness.detail(dynamodb)})",
            )
        )
    batches = results[0][1].get("SendMessageBatch", 0)
    rows.append(harness.Row("SQS batch sends for the notice", batches, "<= 2", batches <= 2))
    same = len({tuple(sorted(d.items())) for _, _, d in results}) == 1
    rows.append(harness.Row("DynamoDB requests independent of monitors", same, "True", same))
    harness.report(rows, "channels fan-out")


if __name__ == "__main__":
    main()
