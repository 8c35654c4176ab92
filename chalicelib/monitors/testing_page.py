"""The testing page at GET /: see the monitors, ping one now, or let the page ping.

It is on only when a testing password is configured (HERALD_TESTING_PASSWORD
locally, else the SecureString /herald/<stage>/testing-password); otherwise
the page says so and every action answers 404. The password is compared in
constant time. Attempts are counted per address before a password is
compared (core/attempts.py: 5 free, then one at a time with a growing wait,
429 with Retry-After meanwhile); a correct password resets the count. A login gives a signed,
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

from chalicelib.core import attempts, clock, errors, http
from chalicelib.core import secrets as config_secrets
from chalicelib.monitors import store

COOKIE = "herald_testing"
SESSION_SECONDS = 12 * 3600
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
    return http.source_ip(request)


def _attempts_key(request) -> dict:
    return {"pk": f"TESTLOGIN#{_source(request)}", "sk": "TESTLOGIN"}


def _matches(given: str, secret: str) -> bool:
    # Hash both sides so the comparison takes as long whatever the lengths.
    return hmac.compare_digest(
        hashlib.sha256(given.encode("utf-8", "surrogatepass")).digest(),
        hashlib.sha256(secret.encode()).digest(),
    )


def login(request) -> Response:
    secret = _enabled(request)
    body = http.json_body(request, default={})
    body = body if isinstance(body, dict) else {}
    given = body.get("password") if isinstance(body.get("password"), str) else ""
    key = _attempts_key(request)
    number = attempts.reserve(key)
    if not _matches(given, secret):
        attempts.failed(key, number)
        raise errors.Unauthorized("wrong password")
    # A success forgets the address's failures (decided: a typo or two must
    # not leave the owner one slip from a wait).
    attempts.forget(key)
    expires = int(clock.epoch()) + SESSION_SECONDS
    secure = "; Secure" if request.headers.get("x-forwarded-proto") == "https" else ""
    cookie = (
        f"{COOKIE}={expires}.{_session_mac(expires, secret)}; Max-Age={SESSION_SECONDS}; "
        f"Path=/; HttpOnly; SameSite=Strict{secure}"
    )
    return _json({"ok": True}, {"Set-Cookie": cookie})


# ---- actions ----------------------------------------------------------------------


def monitor_list(request) -> Response:
    _enabled_and_authorized(request)
    rows = []
    for item in sorted(store.list_all(), key=lambda item: item["name"]):
        view = store.view(item, None)
        row = {key: view[key] for key in ("name", "status", "last_ping", "next_deadline")}
        row.update(max_sleep=view["max_sleep"], schedule=view["schedule_text"])
        row["ping_every"] = _auto_ping_period(view)
        rows.append(row)
    return _json({"monitors": rows})


def _auto_ping_period(view: dict) -> float:
    """How often auto-ping pings: twice per expected period, so it never alerts."""
    period = view["max_sleep"] or view["timeout"]
    return max(1.0, float(period) / 2) if period else 30.0


def ping_now(request, name: str) -> Response:
    from chalicelib.monitors import pings

    _enabled_and_authorized(request)
    name = unquote(name)
    meta = {
        "method": "POST",
        "source_ip": _source(request),
        "user_agent": "Herald testing page",
    }
    item = store.get(name)
    if item is None:
        raise errors.NotFound(f"no monitor named {name!r}")
    try:
        when = pings.record(
            monitor_uuid=store.uuid_for(name, store.generation(item)),
            kind="success",
            exit_status=None,
            meta=meta,
            body=b"",
        )
    except errors.HeraldError as error:
        raise errors.NotFound(str(error)) from None
    return _json({"ok": True, "time": clock.iso(clock.from_epoch(when))})
