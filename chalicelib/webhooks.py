"""Signing and sending web-hooks the Standard Webhooks way.

Each hook has a secret `whsec_<base64>` shown once, when it is created (or
rotated). Herald does not store it: it is derived again whenever it is
needed, as HMAC(deployment secret key, hook id + salt + version), so a copy
of the table holds nothing that signs. Rotating bumps the version; for a
while afterwards both the new and the previous signature are sent, so the
receiver can switch secrets without losing a delivery.

A request carries `webhook-id` (the same on every retry: the receiver's
de-duplication key), `webhook-timestamp` (Unix seconds of this attempt) and
`webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, space
separated when there are two).
"""

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from chalicelib import clock, secrets, ssrf

PREFIX = "whsec_"
TIMEOUT = 10.0
MAX_REDIRECTS = 3
USER_AGENT = "Herald-Webhooks/1"


def secret_bytes(hook_id: str, salt: str, version: int) -> bytes:
    key = secrets.get("secret-key").encode()
    return hmac.new(key, f"webhook:{hook_id}:{salt}:{version}".encode(), hashlib.sha256).digest()


def secret_text(hook_id: str, salt: str, version: int) -> str:
    return PREFIX + base64.b64encode(secret_bytes(hook_id, salt, version)).decode()


def signing_versions(hook: dict, now: float) -> list[int]:
    """Secret versions to sign with: the current one, and the previous during rotation."""
    version = int(hook.get("secret_version", 1))
    versions = [version]
    if hook.get("rotation_until") and float(hook["rotation_until"]) > now and version > 1:
        versions.append(version - 1)
    return versions


def sign(secret: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(secret, signed, hashlib.sha256).digest()).decode()


def body_for(event: dict) -> bytes:
    """The request body: {type, timestamp, data}, data naming the event's source."""
    data = dict(event.get("data") or {})
    data.setdefault("source", event.get("source"))
    payload = {"type": event["type"], "timestamp": event["time"], "data": data}
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, default=str).encode()


def headers_for(hook: dict, msg_id: str, body: bytes) -> dict:
    now = clock.epoch()
    timestamp = int(now)
    signatures = [
        sign(secret_bytes(hook["id"], hook["salt"], v), msg_id, timestamp, body)
        for v in signing_versions(hook, now)
    ]
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signatures),
    }


@dataclass
class Outcome:
    """What one attempt came to."""

    status: str  # success, failed, gone, refused
    code: int | None = None
    error: str = ""
    retry_after: float | None = None
    duration_ms: int = 0


def post(url: str, body: bytes, headers: dict, timeout: float | None = None) -> Outcome:
    """POST body to url, following only 307/308 redirects that pass the guard."""
    import requests

    timeout = TIMEOUT if timeout is None else timeout
    started = time.monotonic()
    outcome = Outcome("failed")
    session = ssrf.guarded_session()
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            ssrf.check_url(url)
            remaining = max(0.1, timeout - (time.monotonic() - started))
            # stream: the answer's body is never read. requests' timeout bounds each
            # read, not the whole, so a receiver trickling a body could hold us for ever.
            reply = session.post(
                url,
                data=body,
                headers=headers,
                timeout=remaining,
                allow_redirects=False,
                stream=True,
            )
            reply.close()
            if reply.status_code in (307, 308) and reply.headers.get("location"):
                url = urljoin(url, reply.headers["location"])
                continue
            outcome = _judge(reply)
            break
        else:
            outcome = Outcome("failed", error=f"more than {MAX_REDIRECTS} redirects")
    except ssrf.Refused as error:
        outcome = Outcome("refused", error=str(error))
    except requests.Timeout:
        outcome = Outcome("failed", error=f"no answer within {timeout:.0f} s")
    except requests.RequestException as error:
        outcome = Outcome("failed", error=f"{type(error).__name__}: {error}"[:300])
    finally:
        session.close()
    outcome.duration_ms = int((time.monotonic() - started) * 1000)
    return outcome


def _judge(reply) -> Outcome:
    code = reply.status_code
    if 200 <= code < 300:
        return Outcome("success", code)
    if code == 410:
        return Outcome("gone", code, error="the endpoint answered 410 Gone")
    return Outcome(
        "failed",
        code,
        error=f"HTTP {code}" + (" (redirect not followed)" if 300 <= code < 400 else ""),
        retry_after=retry_after(reply.headers.get("retry-after")),
    )


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, (moment - clock.now()).total_seconds())
