"""Ping path: DynamoDB requests per ping, and its time beside bare boto3 writes.

Runs on moto in-process. For each ping form it counts the DynamoDB requests
one ping makes (a botocore before-call hook; target <= 2, never a Scan), then
times N pings through the Chalice test client against N bare boto3 writes of
the same two items (the UpdateItem and PutItem a ping makes) on the same moto,
and prints the ratio (target <= 1.5).
"""

import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
N = int(os.environ.get("BENCH_PINGS", "400"))
ROUNDS = 8


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


def main() -> None:
    environment()
    import logging
    import warnings

    from moto import mock_aws

    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")
    with mock_aws():
        from chalice.test import Client

        from app import app
        from chalicelib import aws, monitor_admin, monitors
        from herald.local import stack

        stack.deploy("dev")
        settings = {"max_sleep": 300, "email_frequency": 3600, "device_email": "o@example.com"}
        monitor_admin.upsert("bench", settings)
        calls = Counter()
        client = aws.table(monitors.TABLE).meta.client
        client.meta.events.register(
            "before-call.dynamodb.*", lambda model, **_: calls.update([model.name])
        )
        uuid, key = monitors.uuid_for("bench"), monitors.ping_key("bench")
        forms = {
            "/ping/UUID": f"/ping/{uuid}",
            "/ping/KEY/NAME": f"/ping/{key}/bench",
            "/ping?username&key": f"/ping?username=bench&key={key}",
            "/ping/UUID/fail": f"/ping/{uuid}/fail",
            "/ping/UUID/start": f"/ping/{uuid}/start",
        }
        with Client(app, stage_name="dev", project_dir=str(ROOT)) as test_client:
            print("DynamoDB requests per ping (target <= 2, no Scan):")
            for form, path in forms.items():
                calls.clear()
                assert test_client.http.get(path).status_code == 200
                detail = ", ".join(f"{n} {op}" for op, n in sorted(calls.items()))
                print(f"  {form:22} {sum(calls.values())}  ({detail})")
            ratio = timing(test_client, forms["/ping/UUID"], uuid)
    print(f"ratio (median of {ROUNDS} alternating rounds) {ratio:.2f} (target <= 1.5)")


def timing(test_client, path: str, uuid: str) -> float:
    """Alternate batches of both, so a busy machine slows both alike; median ratio."""
    import statistics

    import boto3

    from chalicelib import monitors

    table = boto3.resource("dynamodb").Table(os.environ["MONITORS_TABLE"])
    monitor_key = monitors.key(monitors.id_for_uuid(uuid))
    for _ in range(20):  # warm both paths
        test_client.http.get(path)
        bare_ping(table, monitor_key)
    api_times, bare_times = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(N // ROUNDS):
            test_client.http.get(path)
        api_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        for _ in range(N // ROUNDS):
            bare_ping(table, monitor_key)
        bare_times.append(time.perf_counter() - started)
    per = 1000 / (N // ROUNDS)
    api_ms, bare_ms = statistics.median(api_times) * per, statistics.median(bare_times) * per
    print(f"{N} pings through the Chalice test client: {api_ms:.2f} ms each (median round)")
    print(f"{N} bare boto3 UpdateItem + PutItem:        {bare_ms:.2f} ms each (median round)")
    return statistics.median(a / b for a, b in zip(api_times, bare_times, strict=True))


def bare_ping(table, monitor_key: dict) -> None:
    """The same two writes a ping makes, straight through boto3."""
    from decimal import Decimal

    from chalicelib import clock, pings

    now = clock.epoch()
    stamp = Decimal(f"{now:.6f}")
    expression, values = pings._update("success", stamp)
    old = table.update_item(
        Key=monitor_key,
        UpdateExpression=expression,
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues=values,
        ExpressionAttributeNames={"#st": "status"},
        ReturnValues="ALL_OLD",
    )["Attributes"]
    meta = {"method": "GET", "source_ip": "127.0.0.1", "user_agent": ""}
    entry = pings._log_entry(monitor_key["pk"][4:], now, stamp, old, "success", None, meta, b"")
    table.put_item(Item=entry)


if __name__ == "__main__":
    main()
