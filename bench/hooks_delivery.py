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
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _environment() -> None:
    from herald import environment

    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.update(
        {
            **environment.stage_env("dev"),
            **environment.fake_credentials(),
            "HERALD_SECRET_KEY": "bench-secret",
            "HERALD_LOCAL": "1",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        }
    )


def _counted(run) -> Counter:
    from chalicelib import aws

    calls: Counter = Counter()

    def count(event_name, **_kwargs):
        service, operation = event_name.split(".")[1:3]
        calls[f"{service}.{operation}"] += 1

    clients = [aws.table("HOOKS_TABLE").meta.client, aws.client("sqs"), aws.client("dynamodb")]
    for client in clients:
        client.meta.events.register("before-call.*.*", count)
    try:
        run()
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.*.*", count)
    return calls


def _record(body: dict, n: int) -> dict:
    return {
        "Records": [
            {"messageId": f"m{n}", "receiptHandle": f"r{n}", "body": json.dumps(body)},
        ]
    }


def main() -> None:
    import logging
    import warnings

    logging.getLogger("moto").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="Tried to parse AWS::")
    _environment()
    from moto import mock_aws

    from chalicelib import aws, events, hook_delivery, hooks, webhooks
    from herald.local import stack
    from herald.local.receiver import Receiver

    with mock_aws():
        aws.reset()
        stack.deploy("dev")
        receiver = Receiver(port=0, out=io.StringIO())
        receiver.start()
        try:
            hook, _secret = hooks.create("monitor.down", "webhook", receiver.url, persistent=True)
            figures = []
            for total in (10, 300):
                while len(hooks.all_hooks()) < total:
                    n = len(hooks.all_hooks())
                    hooks.create(f"job.kind{n}", "python", "log_event", persistent=True)
                event = events.envelope("monitor.down", "backups", {"monitor": "backups"})
                calls = _counted(lambda e=event: hook_delivery._fan_out(e))
                dynamodb = sum(v for k, v in calls.items() if k.startswith("dynamodb"))
                figures.append(dynamodb)
                print(
                    f"fan-out with {total:>3} hooks stored: {dynamodb} DynamoDB requests", end=" "
                )
                print(dict(calls))
            same = figures[0] == figures[1]
            print(f"  target: independent of the number of hooks -> {'met' if same else 'NOT met'}")

            times = []
            for n in range(50):
                event = events.envelope("monitor.down", "backups", {"monitor": "backups"})
                message = {
                    "herald": hook_delivery.MESSAGE,
                    "hook_id": hook["id"],
                    "delivery_id": hook_delivery.delivery_id(event["id"], hook["id"]),
                    "attempt": 1,
                    "first_at": time.time(),
                    "not_before": time.time(),
                    "event": event,
                }
                started = time.perf_counter()
                calls = _counted(lambda m=message, i=n: hook_delivery.handle(_record(m, i)))
                times.append(time.perf_counter() - started)
            print(f"one web-hook delivery: {sum(calls.values())} AWS requests {dict(calls)}")
            print(
                f"  wall time on moto, median of 50: {statistics.median(times) * 1000:.1f} ms; "
                f"receiver got {len(receiver.received)}"
            )

            body = b"x" * 1024
            count, started = 0, time.perf_counter()
            while time.perf_counter() - started < 1.0:
                webhooks.headers_for(hook, f"msg_{count}", body)
                count += 1
            rate = count / (time.perf_counter() - started)
            print(f"signing (secret derived each time): {rate:,.0f}/s")
            if not same or len(receiver.received) != 50:
                sys.exit(1)
        finally:
            receiver.stop()


if __name__ == "__main__":
    main()
