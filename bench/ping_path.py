"""Ping path: DynamoDB requests per ping, and its time beside bare boto3 writes.

Runs on moto in-process. For each ping form it counts the DynamoDB requests
one ping makes (a botocore before-call hook; target <= 2, never a Scan; a
ping that is news, here the failure that opens an outage, settles the
monitor as the checker would, stores its flip and reads the deployment's
default channels (the monitor names none) and who muted its mail: <= 8; a monitor's very
first ping stores its first flip, one write more, once), then
times N pings through the Chalice test client against N bare boto3 writes of
the same two items (the UpdateItem and PutItem a ping makes) on the same moto,
and prints the ratio (target <= 1.5).
"""

import os

import harness

N = int(os.environ.get("BENCH_PINGS", "400"))
ROUNDS = 8
TARGET_REQUESTS, TARGET_RATIO = 2, 1.5
NEWS_REQUESTS = 8  # read, claim, flip, default channels, mutes, finish: the checker's, news only


def main() -> None:
    # One monitor pinged hundreds of times a second: its rate limit off here
    # (what a refused ping costs is capacity.py's figure).
    harness.environment(HERALD_PUBLIC_URL="http://herald.bench", HERALD_PING_RATE="0")
    harness.quiet()
    rows = []
    with harness.moto_stack():
        from chalice.test import Client

        from app import app
        from chalicelib.monitors import admin, store

        settings = {"max_sleep": 300, "email_frequency": 3600, "device_email": "o@example.com"}
        admin.upsert("bench", settings)
        uuid, key = store.uuid_for("bench"), store.ping_key("bench")
        forms = {
            "/ping/UUID": f"/ping/{uuid}",
            "/ping/KEY/NAME": f"/ping/{key}/bench",
            "/ping?username&key": f"/ping?username=bench&key={key}",
            "/ping/UUID/fail": f"/ping/{uuid}/fail",
            "/ping/UUID/start": f"/ping/{uuid}/start",
        }
        with Client(app, stage_name="dev", project_dir=str(harness.ROOT)) as test_client:
            # A monitor's first ping of its life also writes its first flip
            # (new -> up), once: counted from the second ping on.
            assert test_client.http.get(forms["/ping/UUID"]).status_code == 200
            with harness.RequestCounter() as dynamodb:
                for form, path in forms.items():
                    dynamodb.clear()
                    assert test_client.http.get(path).status_code == 200
                    target = NEWS_REQUESTS if form.endswith("/fail") else TARGET_REQUESTS
                    met = dynamodb.total <= target and "Scan" not in dynamodb.calls
                    rows.append(
                        harness.Row(
                            f"DynamoDB requests, {form}",
                            f"{dynamodb.total} ({dynamodb.detail()})",
                            f"<= {target}, no Scan",
                            met,
                        )
                    )
            rows += timing(test_client, forms["/ping/UUID"], uuid)
    harness.report(rows, "ping path")


def timing(test_client, path: str, uuid: str) -> list:
    """Alternate batches of both, so a busy machine slows both alike; median ratio."""
    import boto3

    from chalicelib.monitors import store

    table = boto3.resource("dynamodb").Table(os.environ["MONITORS_TABLE"])
    monitor_key = store.key(store.id_for_uuid(uuid))
    for _ in range(20):  # warm both paths
        test_client.http.get(path)
        bare_ping(table, monitor_key)
    batch = N // ROUNDS
    api_times, bare_times = [], []
    for _ in range(ROUNDS):
        api_times.append(harness.timed(lambda: [test_client.http.get(path) for _ in range(batch)]))
        bare_times.append(
            harness.timed(lambda: [bare_ping(table, monitor_key) for _ in range(batch)])
        )
    per = 1000 / batch
    ratio = harness.median(a / b for a, b in zip(api_times, bare_times, strict=True))
    return [
        harness.Row(
            f"ping via Chalice test client ({N} pings, median round)",
            f"{harness.median(api_times) * per:.2f} ms",
        ),
        harness.Row(
            f"bare boto3 UpdateItem + PutItem ({N}, median round)",
            f"{harness.median(bare_times) * per:.2f} ms",
        ),
        harness.Row(
            f"ping / bare ratio (median of {ROUNDS} alternating rounds)",
            ratio,
            f"<= {TARGET_RATIO}",
            ratio <= TARGET_RATIO,
        ),
    ]


def bare_ping(table, monitor_key: dict) -> None:
    """The same two writes a ping makes, straight through boto3."""
    from decimal import Decimal

    from chalicelib.core import clock
    from chalicelib.monitors import pings

    now = clock.epoch()
    stamp = Decimal(f"{now:.6f}")
    expression, values, limit = pings._update({"kind": "success"}, stamp)
    old = table.update_item(
        Key=monitor_key,
        UpdateExpression=expression,
        ConditionExpression="attribute_exists(pk)" + limit,
        ExpressionAttributeValues=values,
        ExpressionAttributeNames={"#st": "status"},
        ReturnValues="ALL_OLD",
    )["Attributes"]
    meta = {"method": "GET", "source_ip": "127.0.0.1", "user_agent": ""}
    ping = {"kind": "success", "exit_status": None}
    entry = pings._log_entry(monitor_key["pk"][4:], now, stamp, old, ping, meta, b"")
    table.put_item(Item=entry)


if __name__ == "__main__":
    main()
