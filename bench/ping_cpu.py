"""CPU per ping: a ping through Lambda's entry point beside the bare botocore calls it makes.

One ping of a monitor on moto is recorded (bench/canned_aws.py): the two
DynamoDB calls it makes and moto's replies. moto is then stopped and every
DynamoDB call is answered from that recording by a botocore `before-send`
stub, so the AWS SDK does all its work (validation, serialisation, signing,
parsing) and only the network is left out. Timed with time.process_time in
interleaved batches: the ping through `app(event, context)` with an API
Gateway event, and the same two calls made straight on a low-level botocore
client with the recorded parameters. The ratio of the two is what Herald
adds to the unavoidable SDK work. Target: at most 1.3.
"""

import os
import time

import canned_aws
import harness

PINGS = int(os.environ.get("BENCH_PINGS", "2000"))
BATCH = 100
TARGET = 1.3


def main() -> None:
    harness.environment(HERALD_PUBLIC_URL="http://herald.bench", POWERTOOLS_METRICS_DISABLED="true")
    harness.quiet()
    with harness.moto_stack():
        event, recording = canned_aws.steady_ping()
    canned_aws.install(recording)
    rows = measure(event, recording)
    harness.report(rows, "ping CPU")


def measure(event: dict, recording: list[dict]) -> list:
    import boto3

    from app import app
    from chalicelib.core import aws

    aws.reset()  # clients made after the stub is installed carry it
    bare = boto3.session.Session().client("dynamodb", region_name=aws.region())
    context = canned_aws.lambda_context()

    def ping():
        reply = app(event, context)
        assert reply["statusCode"] == 200, reply

    def calls():
        for call in recording:
            getattr(bare, _snake(call["operation"]))(**call["params"])

    for _ in range(50):  # warm both: the first ping builds the clients
        ping()
        calls()
    herald, sdk = [], []
    for _ in range(max(1, PINGS // BATCH)):
        herald.append(_cpu(ping) / BATCH)
        sdk.append(_cpu(calls) / BATCH)
    ratios = [h / s for h, s in zip(herald, sdk, strict=True)]
    ratio = harness.median(ratios)
    return [
        harness.Row(
            f"ping via app(event, context), {len(herald) * BATCH} pings",
            f"{harness.median(herald) * 1000:.3f} ms CPU ({_range(herald)})",
        ),
        harness.Row(
            f"bare botocore {' + '.join(c['operation'] for c in recording)}",
            f"{harness.median(sdk) * 1000:.3f} ms CPU ({_range(sdk)})",
        ),
        harness.Row(
            f"ping / bare SDK (median of {len(ratios)} interleaved batches)",
            ratio,
            f"<= {TARGET}",
            ratio <= TARGET,
        ),
    ]


def _cpu(work) -> float:
    start = time.process_time()
    for _ in range(BATCH):
        work()
    return time.process_time() - start


def _range(values: list[float]) -> str:
    return f"min {min(values) * 1000:.3f}, max {max(values) * 1000:.3f}"


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


if __name__ == "__main__":
    main()
