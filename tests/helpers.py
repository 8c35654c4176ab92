"""Builders for the events Lambda hands Herald's handlers."""


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
