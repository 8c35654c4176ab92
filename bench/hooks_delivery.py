"""The hooks queue's cost: AWS requests per event and per delivery, and signing speed.

1. DynamoDB requests to fan one event out, with 10 and then 300 hooks stored
   (target: the same count; one gsi1 Query, nothing is scanned).
2. AWS requests of one successful web-hook delivery to a loopback receiver,
   and its median wall time over 50 deliveries (moto in-process).
3. Signatures per second (HMAC-SHA256 over a 1 kB body, secret derived each time).

Runs on moto in-process with Herald's stack deployed from infra/, local mode
(loopback destinations allowed). Requests are counted with a botocore hook.
"""

import io
import json
import time

import harness


def _counted(run) -> harness.RequestCounter:
    with harness.RequestCounter(("dynamodb", "sqs"), qualified=True) as counter:
        run()
    return counter


def _record(body: dict, n: int) -> dict:
    return {
        "Records": [
            {"messageId": f"m{n}", "receiptHandle": f"r{n}", "body": json.dumps(body)},
        ]
    }


def main() -> None:
    harness.environment(HERALD_LOCAL="1")  # local mode: loopback destinations allowed
    harness.quiet()
    from chalicelib.core import events
    from chalicelib.hooks import delivery, store
    from herald.local.receiver import Receiver

    rows = []
    with harness.moto_stack():
        receiver = Receiver(port=0, out=io.StringIO())
        receiver.start()
        try:
            hook, _secret = store.create("monitor.down", "webhook", receiver.url, persistent=True)
            figures = []
            for total in (10, 300):
                while len(store.all_hooks()) < total:
                    n = len(store.all_hooks())
                    store.create(f"job.kind{n}", "python", "log_event", persistent=True)
                event = events.envelope("monitor.down", "backups", {"monitor": "backups"})
                calls = _counted(lambda e=event: delivery._fan_out(e)).calls
                dynamodb = sum(v for k, v in calls.items() if k.startswith("dynamodb"))
                figures.append(dynamodb)
                rows.append(
                    harness.Row(
                        f"fan-out of one event, {total} hooks stored",
                        f"{dynamodb} DynamoDB request(s); all AWS: {harness.detail(calls)}",
                    )
                )
            same = figures[0] == figures[1]
            rows.append(
                harness.Row(
                    "DynamoDB requests, 300 vs 10 hooks",
                    f"{figures[1]} vs {figures[0]}",
                    "independent of the number of hooks",
                    same,
                )
            )
            rows += _deliveries(hook, receiver)
        finally:
            receiver.stop()
    rows.append(_signing(hook))
    harness.report(rows, "hooks delivery")


def _deliveries(hook: dict, receiver) -> list:
    """50 web-hook deliveries to the loopback receiver: requests of one, median time."""
    from chalicelib.core import events
    from chalicelib.hooks import delivery

    times = []
    for n in range(50):
        event = events.envelope("monitor.down", "backups", {"monitor": "backups"})
        message = {
            "herald": delivery.MESSAGE,
            "hook_id": hook["id"],
            "delivery_id": delivery.delivery_id(event["id"], hook["id"]),
            "attempt": 1,
            "first_at": time.time(),
            "not_before": time.time(),
            "event": event,
        }
        started = time.perf_counter()
        counter = _counted(lambda m=message, i=n: delivery.handle(_record(m, i)))
        times.append(time.perf_counter() - started)
    return [
        harness.Row(
            "one web-hook delivery",
            f"{counter.total} AWS requests ({harness.detail(counter.calls)})",
        ),
        harness.Row(
            "delivery wall time on moto, median of 50", f"{harness.median(times) * 1000:.1f} ms"
        ),
        harness.Row(
            "deliveries the receiver got",
            len(receiver.received),
            "50",
            len(receiver.received) == 50,
        ),
    ]


def _signing(hook: dict) -> harness.Row:
    """HMAC-SHA256 signatures over a 1 kB body for one second, secret derived each time."""
    from chalicelib.hooks import webhooks

    body = b"x" * 1024
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < 1.0:
        webhooks.headers_for(hook, f"msg_{count}", body)
        count += 1
    rate = count / (time.perf_counter() - started)
    return harness.Row("signing (secret derived each time)", f"{rate:,.0f}/s")


if __name__ == "__main__":
    main()
