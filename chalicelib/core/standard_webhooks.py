"""The Standard Webhooks wire format, which hooks and web-hook channels both speak.

A request carries `webhook-id` (the same on every retry: the receiver's
de-duplication key), `webhook-timestamp` (Unix seconds of this attempt) and
`webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, space
separated when there are two); the body is {type, timestamp, data}.
https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
"""

import base64
import hashlib
import hmac
import json

PREFIX = "whsec_"
USER_AGENT = "Herald-Webhooks/1"


def sign(secret: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(secret, signed, hashlib.sha256).digest()).decode()


def body_for(event: dict) -> bytes:
    """The request body: {type, timestamp, data}, data naming the event's source."""
    data = dict(event.get("data") or {})
    data.setdefault("source", event.get("source"))
    payload = {"type": event["type"], "timestamp": event["time"], "data": data}
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, default=str).encode()
