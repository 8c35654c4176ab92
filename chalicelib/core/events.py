"""Herald's events, published on its EventBridge bus.

Every event has a type (monitor.down, mail.sent, ...), a source (the monitor,
site/group or subscription it concerns), a time, an id and a small JSON
payload. A rule on the bus routes them to the hooks queue, and any other AWS
consumer can add a rule of its own. Emitting never breaks the action that
caused it: a failure is logged and counted, and the action stands.
"""

import json
import os
import uuid

from chalicelib.core import aws, clock
from chalicelib.core.observability import count, logger

SOURCE = "herald"


def envelope(type_: str, source: str, data: dict, event_id: str | None = None) -> dict:
    return {
        "id": event_id or uuid.uuid4().hex,
        "type": type_,
        "source": source,
        "time": clock.iso(clock.now()),
        "data": data,
    }


def emit(
    type_: str, source: str, data: dict | None = None, *, event_id: str | None = None
) -> dict | None:
    """Publish one event; returns it, or None when publishing failed.

    An action that may run twice (a checker finishing a crashed run's notice)
    passes a fixed event_id, so hooks see the same id and deliver it once.
    """
    event = envelope(type_, source, data or {}, event_id)
    try:
        result = aws.client("events").put_events(
            Entries=[
                {
                    "Source": SOURCE,
                    "DetailType": type_,
                    "Detail": json.dumps(event, default=str),
                    "EventBusName": os.environ["EVENT_BUS"],
                }
            ]
        )
        if result.get("FailedEntryCount"):
            raise RuntimeError(result["Entries"][0].get("ErrorMessage", "rejected"))
    except Exception as error:  # noqa: BLE001 - see the module docstring
        logger.warning("event not emitted", extra={"type": type_, "error": str(error)})
        count("EventEmitFailures")
        return None
    return event
