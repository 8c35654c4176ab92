"""Signed links in mails: one-click unsubscribe (subscriptions) and mute (alerts).

A token is base64url(JSON [action, address, target]) "." base64url(MAC), the
MAC being HMAC-SHA256 under the deployment's secret key (`secret-key`, as
sessions and the logs links use), labelled "mail-link:v1" so no other
signature of that key can pass for one, cut to 128 bits (a forger's odds are
2^-128 a try; the URL stays short enough for a List-Unsubscribe header). The
MAC covers all three fields: a link works for its action, its recipient (the
address lower-cased) and its target (a subscription id, a monitor name), and
for nothing else.

Links never expire: RFC 8058 wants the one-click URL to keep working, a
reader finds a year-old mail and expects its link to work, and every action
is idempotent and bound to one recipient, so replaying a link does nothing
its first use did not. Rotating `secret-key` voids every link at once.
"""

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass
from urllib.parse import quote

from chalicelib.core import secrets as config_secrets
from chalicelib.core import settings

UNSUBSCRIBE, MUTE = "unsubscribe", "mute"
_LABEL = b"mail-link:v1|"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,1500}\.[A-Za-z0-9_-]{22}")
ONE_CLICK = "List-Unsubscribe=One-Click"


@dataclass(frozen=True)
class Link:
    action: str
    address: str
    target: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _mac(payload: bytes) -> bytes:
    key = config_secrets.get("secret-key").encode()
    return hmac.new(key, _LABEL + payload, hashlib.sha256).digest()[:16]


def token(action: str, address: str, target: str) -> str:
    fields = [action, address.lower(), target]
    payload = json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode()
    return f"{_b64(payload)}.{_b64(_mac(payload))}"


def read(given, action: str) -> Link | None:
    """The link a token stands for, if Herald signed it for this action; else None
    (whatever the token holds: any length, any characters)."""
    if not isinstance(given, str) or not _TOKEN.fullmatch(given):
        return None
    body, _, signature = given.partition(".")
    try:
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        mac = base64.urlsafe_b64decode(signature + "==")
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(_mac(payload), mac):
        return None
    fields = json.loads(payload)  # signed by token(): a list of three strings
    return Link(*fields) if fields[0] == action else None


def url(action: str, address: str, target: str) -> str | None:
    """The link's https URL, or None when the deployment has no public URL."""
    base = settings.public_url()
    return f"{base}/mail/{action}/{token(action, address, target)}" if base else None


def list_unsubscribe(action: str, address: str, target: str) -> dict:
    """RFC 2369/8058 headers: the signed URL (one-click POST) and a mailto to a person.

    The mailto goes to the operator (OPERATOR_EMAIL, else the sender), its
    subject naming what to stop, for mail clients that only offer mailto.
    """
    person = os.environ.get("OPERATOR_EMAIL") or os.environ.get("MAIL_SENDER", "")
    subject = quote(f"{action} {target}", safe="")
    parts = [f"<mailto:{person}?subject={subject}>"] if "@" in person else []
    link = url(action, address, target)
    headers = {}
    if link:
        parts.insert(0, f"<{link}>")
        headers["List-Unsubscribe-Post"] = ONE_CLICK
    if parts:
        headers["List-Unsubscribe"] = ", ".join(parts)
    return headers
