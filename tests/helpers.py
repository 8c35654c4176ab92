"""Builders for the events Lambda hands Herald's handlers."""

import contextlib


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
