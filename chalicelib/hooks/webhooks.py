"""Signing and sending web-hooks the Standard Webhooks way.

Each hook has a secret `whsec_<base64>` shown once, when it is created (or
rotated). Herald does not store it: it is derived again whenever it is
needed, as HMAC(deployment secret key, hook id + salt + version), so a copy
of the table holds nothing that signs. Rotating bumps the version; for a
while afterwards both the new and the previous signature are sent, so the
receiver can switch secrets without losing a delivery.

The wire format (headers, signature, body) is chalicelib.core.standard_webhooks,
which web-hook channels speak too.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass

from chalicelib.core import clock, outgoing, secrets
from chalicelib.core.standard_webhooks import PREFIX, USER_AGENT, body_for, sign

__all__ = ["PREFIX", "USER_AGENT", "body_for", "sign"]  # the format lives in core

TIMEOUT = 10.0
MAX_REDIRECTS = 3


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
    """POST body to url through the guarded client, following only 307/308 redirects.

    The answer's body is never read: a receiver has nothing to tell Herald
    but its status.
    """
    timeout = TIMEOUT if timeout is None else timeout
    try:
        reply = outgoing.request(
            "POST", url, data=body, headers=headers, timeout=timeout, max_bytes=0,
            redirects=MAX_REDIRECTS,
        )  # fmt: skip
    except outgoing.Failure as failure:
        status = "refused" if failure.kind == "refused" else "failed"
        if failure.kind in ("no-reply", "unreachable") and "in time" in str(failure):
            return Outcome(status, error=f"no answer within {timeout:.0f} s")
        return Outcome(status, error=str(failure)[:300])
    outcome = _judge(reply)
    outcome.duration_ms = reply.duration_ms
    return outcome


def _judge(reply: outgoing.Reply) -> Outcome:
    code = reply.status
    if 200 <= code < 300:
        return Outcome("success", code)
    if code == 410:
        return Outcome("gone", code, error="the endpoint answered 410 Gone")
    return Outcome(
        "failed",
        code,
        error=f"HTTP {code}" + (" (redirect not followed)" if 300 <= code < 400 else ""),
        retry_after=outgoing.retry_after(reply.headers.get("retry-after")),
    )
