"""Builders for the events Lambda hands Herald's handlers; free ports for test servers."""

import contextlib
import itertools
import os
import socket


def sqs_event(bodies, *, receive_count: int = 1, queue: str = "outbox") -> dict:
    """An SQS Lambda event with a distinct messageId per record."""
    return {
        "Records": [
            {
                "messageId": f"m-{i}",
                "receiptHandle": f"r-{i}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": str(receive_count)},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:us-east-1:123456789012:herald-dev-{queue}",
                "awsRegion": "us-east-1",
            }
            for i, body in enumerate(bodies)
        ]
    }


# ---- mail -------------------------------------------------------------------


def text_of(mail) -> str:
    return mail.get_body(preferencelist=("plain",)).get_content()


def assert_each_once_in_its_own_mail(herald, first: str, second: str) -> None:
    """Two more cycles: first (retried) and second (changed later) arrive in
    two mails, each exactly once: nothing lost, nothing doubled."""
    herald.cycle()
    herald.cycle()
    bodies = [text_of(m) for m in herald.mails()]
    assert len(bodies) == 2
    assert first in bodies[0] and second not in bodies[0]
    assert second in bodies[1] and first not in bodies[1]


def html_of(mail) -> str | None:
    part = mail.get_body(preferencelist=("html",))
    return part.get_content() if part is not None else None


@contextlib.contextmanager
def dynamodb_requests():
    """The DynamoDB operations made inside the block (a botocore before-call hook)."""
    from chalicelib.core import aws

    calls = []
    # The resource layer's client, and the plain one the ping's writes use.
    clients = [aws.dynamodb().meta.client, aws.client("dynamodb")]

    def seen(model, **kwargs):
        calls.append(model.name)

    for client in clients:
        client.meta.events.register("before-call.dynamodb", seen)
    try:
        yield calls
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.dynamodb", seen)


def _port_walk():
    # Each xdist worker walks a block of its own, below Linux's ephemeral range (32768-).
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    low = 20000 + (worker % 60) * 200
    return itertools.cycle(range(low, low + 200))


_PORTS = _port_walk()


def free_port() -> int:
    """A loopback port nobody listens on, for a server a test starts.

    Not bind(0)'s: that port is in the kernel's ephemeral range, where every
    outgoing connection of every test also takes its local port, so a server
    that binds it seconds later (a `make run`, after deploying its stack) can
    find it taken (EADDRINUSE, as CI once did).
    """
    for port in _PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("unreachable: the walk cycles")


def lambda_failed(at, requests: int = 40, function: str = "ping_door", name: str = "Throttles"):
    """CloudWatch's figure of Lambda turning away (or failing) `requests` of
    one of Herald's functions in the minute of `at` (a UTC datetime)."""
    from chalicelib.core import aws, settings

    dimension = {"Name": "FunctionName", "Value": f"herald-{settings.stage()}-{function}"}
    aws.client("cloudwatch").put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            {"MetricName": name, "Dimensions": [dimension], "Timestamp": at, "Value": requests}
        ],
    )
