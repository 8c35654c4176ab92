"""A signed web-hook: a notice as Standard Webhooks JSON, as Herald's hooks send events.

The body is core.standard_webhooks.body_for's {type, timestamp, data} for an event
`monitor.<kind>` (`channel.test` for a test) whose source is the monitor,
and the signature is its sign()'s, so a receiver written for
Herald's hooks takes channel messages unchanged. The secret is the
channel's own (`whsec_<base64>`, shown once), not one derived from the
deployment key as a hook's is.

`webhook-id` is fixed by the notice, the same on every retry: the receiver's
key for dropping a message it already has. `webhook-timestamp` must be the
attempt's time (receivers refuse old ones, commonly after five minutes), and
rendering reads no clock: the sender passes `at`; without it the notice's
own time is used.

https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
"""

import base64
import binascii
import hashlib
from datetime import UTC, datetime

from chalicelib.core import ssrf
from chalicelib.core import standard_webhooks as webhooks
from chalicelib.core.channels.kinds import Field, Request, checks
from chalicelib.core.errors import Invalid

CONFIG = {
    "url": Field(secret=True),  # it may carry a token
    "secret": Field(required=False, secret=True),  # the store makes one when none is given
}


def check(config: dict) -> dict:
    checks.known(config, CONFIG, "webhook")
    url = config.get("url")
    if not isinstance(url, str) or not url.strip():
        raise Invalid.at("config.url", "the https URL to POST notices to")
    try:
        ssrf.check_syntax(url.strip())
    except ssrf.Refused as refused:
        raise Invalid.at("config.url", str(refused)) from None
    checked = {"url": url.strip()}
    if config.get("secret") is not None:
        secret_bytes(config["secret"], "config.secret")
        checked["secret"] = config["secret"]
    return checked


def secret_bytes(secret, field: str = "config.secret") -> bytes:
    """The signing key a `whsec_<base64>` secret stands for (24 to 64 bytes)."""
    if not isinstance(secret, str) or not secret.startswith(webhooks.PREFIX):
        raise Invalid.at(field, f"a Standard Webhooks secret, {webhooks.PREFIX}<base64>")
    try:
        key = base64.b64decode(secret.removeprefix(webhooks.PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise Invalid.at(field, "the part after whsec_ is not base64") from None
    if not 24 <= len(key) <= 64:
        raise Invalid.at(field, "the secret must hold 24 to 64 bytes")
    return key


TYPES = {"test": "channel.test", "news": "subscription.notified"}


def event_for(notice) -> dict:
    """The notice as one of Herald's events (what body_for takes)."""
    kind = TYPES.get(notice.kind, f"monitor.{notice.kind}")
    return {
        "id": notice.id,
        "type": kind,
        "time": notice.at,
        "source": notice.monitor,
        "data": {
            "monitor": notice.monitor,
            "notice_id": notice.id,
            "kind": notice.kind,
            "subject": notice.subject,
            "text": "\n\n".join(notice.paragraphs),
            "link": notice.link,
            "details": {str(label): str(value) for label, value in notice.details},
        },
    }


def message_id(notice) -> str:
    # Like a hook delivery's id: no dots (notice ids have some), fixed length.
    return "msg_" + hashlib.sha256(f"notice:{notice.id}".encode()).hexdigest()[:32]


def render(notice, config: dict, *, at: float | None = None) -> Request:
    if "secret" not in config:
        raise ValueError("a webhook channel has no signing secret (the store makes one)")
    body = webhooks.body_for(event_for(notice))
    msg_id = message_id(notice)
    timestamp = int(at if at is not None else _epoch(notice.at))
    signature = webhooks.sign(secret_bytes(config["secret"]), msg_id, timestamp, body)
    headers = {
        "content-type": "application/json",
        "user-agent": webhooks.USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }
    return Request("POST", config["url"], data=body, headers=headers)


def _epoch(iso: str) -> float:
    if not iso:
        raise ValueError("the notice has no time; pass at= (the attempt's time)")
    moment = datetime.fromisoformat(iso)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
