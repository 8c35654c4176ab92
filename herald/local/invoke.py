"""Calling the app's scheduled and queue handlers as Lambda would.

The handlers are found in the app's own registrations (app.event_sources),
never in a second list, and invoked through app.handler_map, so the same
middleware runs as in Lambda.
"""

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from chalice.app import ScheduledEventConfig, SQSEventConfig


@dataclass
class LambdaContext:
    function_name: str
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:herald-local"
    log_group_name: str = "/aws/lambda/herald-local"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def schedules(app) -> dict[str, str]:
    """Scheduled handler name -> its EventBridge schedule expression."""
    result = {}
    for source in app.event_sources:
        if isinstance(source, ScheduledEventConfig):
            expression = source.schedule_expression
            result[source.name] = (
                expression if isinstance(expression, str) else expression.to_string()
            )
    return result


def queue_handlers(app) -> list[SQSEventConfig]:
    return [s for s in app.event_sources if isinstance(s, SQSEventConfig)]


def scheduled_event(name: str, when: datetime | None = None) -> dict:
    when = when or datetime.now(UTC)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": [f"arn:aws:events:us-east-1:123456789012:rule/herald-local-{name}"],
        "detail": {},
    }


def sqs_record(message: dict, queue_arn: str) -> dict:
    """A Lambda SQS event record for a message from ReceiveMessage."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": "us-east-1",
    }


def invoke(app, name: str, event: dict):
    if name not in app.handler_map:
        raise KeyError(name)
    result = app.handler_map[name](event, LambdaContext(function_name=name))
    json.dumps(result, default=str)  # what Lambda would serialise
    return result


def fire(app, name: str, when: datetime | None = None):
    """Run a scheduled handler now, as its EventBridge rule would."""
    known = schedules(app)
    if name not in known:
        raise KeyError(
            f"no scheduled handler {name!r}; known: {', '.join(sorted(known)) or 'none'}"
        )
    return invoke(app, name, scheduled_event(name, when))
