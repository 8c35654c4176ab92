"""The testing page at GET /: see the monitors, ping one now, or let the page ping.

It is on only when a testing password is configured (HERALD_TESTING_PASSWORD
locally, else the SecureString /herald/<stage>/testing-password); otherwise
the page says so and every action answers 404. The password is compared in
constant time; failed logins from one address are counted in the core table
and, past a few, answered 429 for a growing time. A login gives a signed,
expiring, HttpOnly SameSite=Strict cookie, and every action also needs the
header X-Herald-Testing (a cross-site form cannot send it). The page shows
name, status, last ping, deadline and max_sleep, nothing else; it pings
through the server, so no ping key reaches the browser. It never runs code.
"""

import hashlib
import hmac
import re
from pathlib import Path
from urllib.parse import unquote

from chalice import Response

from chalicelib.core import aws, clock, errors, http
from chalicelib.core import secrets as config_secrets
from chalicelib.monitors import store

COOKIE = "herald_testing"
SESSION_SECONDS = 12 * 3600
FREE_FAILURES = 5
_TEMPLATE = Path(__file__).parent / "templates" / "testing.html"
_OFF = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Herald testing</title></head>"
    "<body><h1>Herald</h1><p id='off'>Testing mode is off: no testing password is set.</p>"
    "</body></html>"
)


def password() -> str | None:
    return config_secrets.get("testing-password", required=False)


NO_STORE = {"Cache-Control": "no-store"}


def _json(body, headers: dict | None = None) -> Response:
    return http.reply(200, body, {**NO_STORE, **(headers or {})})


def page(request) -> Response:
    html = _TEMPLATE.read_text() if password() else _OFF
    return Response(
        body=html,
        status_code=200,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-store",
            "Content-Security-Policy": "default-src 'self'; script-src 'unsafe-inline' 'self'; "
            "style-src 'unsafe-inline'; frame-ancestors 'none'",
            "X-Frame-Options": "DENY",
        },
    )


# ---- sessions and logins ----------------------------------------------------------


def _session_mac(expires: int, secret: str) -> str:
    key = config_secrets.get("secret-key").encode()
    # The password is part of the message: changing it ends every session.
    pepper = hashlib.sha256(secret.encode()).hexdigest()
    return hmac.new(key, f"testing-session:{expires}:{pepper}".encode(), "sha256").hexdigest()


def _cookie(request) -> str | None:
    for part in (request.headers.get("cookie") or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE:
            return value
    return None


def _enabled(request) -> str:
    """The password; 404 when testing is off, 401 without the page's own header."""
    secret = password()
    if not secret:
        raise errors.NotFound("testing mode is off")
    if request.headers.get("x-herald-testing") != "1":
        raise errors.Unauthorized("missing X-Herald-Testing header")
    return secret


def _enabled_and_authorized(request) -> None:
    secret = _enabled(request)
    expires, _, mac = (_cookie(request) or "").partition(".")
    # ASCII only: int() takes other scripts' digits, compare_digest no non-ASCII str.
    number = int(expires) if re.fullmatch(r"[0-9]{1,12}", expires) else 0
    expected = _session_mac(number, secret).encode()
    if not (hmac.compare_digest(expected, mac.encode()) and number > clock.epoch()):
        raise errors.Unauthorized("log in first")


def _source(request) -> str:
    identity = (request.context or {}).get("identity", {}) or {}
    return identity.get("sourceIp") or "unknown"


def _failures_key(request) -> dict:
    return {"pk": f"TESTLOGIN#{_source(request)}", "sk": "TESTLOGIN"}


def _wait_left(record: dict | None) -> int:
    """Seconds this address must wait before trying again (0 = may try)."""
    if not record or int(record["failures"]) < FREE_FAILURES:
        return 0
    delay = min(900, 2 ** (int(record["failures"]) - FREE_FAILURES + 1))
    return max(0, int(float(record["last_failure"]) + delay - clock.epoch()) + 1)


def login(request) -> Response:
    secret = _enabled(request)
    table = aws.table("CORE_TABLE")
    record = table.get_item(Key=_failures_key(request), ConsistentRead=True).get("Item")
    wait = _wait_left(record)
    if wait:
        raise errors.TooManyRequests(f"too many failed logins; retry in {wait} s", retry_after=wait)
    body = http.json_body(request, default={})
    body = body if isinstance(body, dict) else {}
    given = body.get("password") if isinstance(body.get("password"), str) else ""
    # Hash both sides so the comparison takes as long whatever the lengths.
    good = hmac.compare_digest(
        hashlib.sha256(given.encode("utf-8", "surrogatepass")).digest(),
        hashlib.sha256(secret.encode()).digest(),
    )
    if not good:
        _count_failure(table, request)
        raise errors.Unauthorized("wrong password")
    table.delete_item(Key=_failures_key(request))
    expires = int(clock.epoch()) + SESSION_SECONDS
    secure = "; Secure" if request.headers.get("x-forwarded-proto") == "https" else ""
    cookie = (
        f"{COOKIE}={expires}.{_session_mac(expires, secret)}; Max-Age={SESSION_SECONDS}; "
        f"Path=/; HttpOnly; SameSite=Strict{secure}"
    )
    return _json({"ok": True}, {"Set-Cookie": cookie})


def _count_failure(table, request) -> None:
    now = int(clock.epoch())
    table.update_item(
        Key=_failures_key(request),
        UpdateExpression="ADD failures :one SET last_failure = :now, expires_at = :expires",
        ExpressionAttributeValues={":one": 1, ":now": now, ":expires": now + 3600},
    )


# ---- actions ----------------------------------------------------------------------


def monitor_list(request) -> Response:
    _enabled_and_authorized(request)
    rows = []
    for item in sorted(store.list_all(), key=lambda item: item["name"]):
        view = store.view(item, None)
        rows.append(
            {
                key: view[key]
                for key in ("name", "status", "last_ping", "next_deadline", "max_sleep")
            }
        )
    return _json({"monitors": rows})


def ping_now(request, name: str) -> Response:
    from chalicelib.monitors import pings

    _enabled_and_authorized(request)
    name = unquote(name)
    meta = {
        "method": "POST",
        "source_ip": _source(request),
        "user_agent": "Herald testing page",
    }
    try:
        when = pings.record(
            monitor_uuid=store.uuid_for(name),
            kind="success",
            exit_status=None,
            meta=meta,
            body=b"",
        )
    except errors.HeraldError as error:
        raise errors.NotFound(str(error)) from None
    return _json({"ok": True, "time": clock.iso(clock.from_epoch(when))})
