"""Dashboard sessions: a signed cookie, checked against its account on each request.

The cookie holds the account's address, an expiry and an HMAC over both and
the account's `session_key` under the deployment's secret key; nothing is
stored per session. Each request reads the account (one GetItem), so a
deleted account, a changed password or a change to read-only ends its
sessions at once, and signing out (a new session_key) ends them everywhere.

Every state-changing request carries a CSRF token derived from the session
(an X-CSRF-Token header or a `csrf` form field). Before sign-in, the forms
carry a token bound to a short-lived pre-session cookie instead, so a site
cannot sign a visitor into an account of its choosing.
"""

import base64
import binascii
import hmac
import re
import secrets as random

from chalicelib.core import accounts, clock, errors, settings
from chalicelib.core import secrets as config_secrets

COOKIE = "herald_session"
FORM_COOKIE = "herald_form"
SESSION_SECONDS = 12 * 3600
FORM_SECONDS = 3600
_EXPIRES = re.compile(r"[0-9]{1,12}")


def _mac(*parts: str) -> str:
    key = config_secrets.get("secret-key").encode()
    return hmac.new(key, "|".join(parts).encode(), "sha256").hexdigest()


def cookie(request, name: str) -> str | None:
    for part in (request.headers.get("cookie") or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _set_cookie(name: str, value: str, seconds: int) -> str:
    secure = "" if settings.local_mode() else "; Secure"
    return f"{name}={value}; Max-Age={seconds}; Path=/; HttpOnly; SameSite=Lax{secure}"


def start(account: dict) -> str:
    """The Set-Cookie header value of a new session for the account."""
    expires = str(int(clock.epoch()) + SESSION_SECONDS)
    email = base64.urlsafe_b64encode(account["email"].encode()).decode().rstrip("=")
    mac = _mac("session", account["email"], expires, account["session_key"])
    return _set_cookie(COOKIE, f"{email}.{expires}.{mac}", SESSION_SECONDS)


def ended() -> str:
    return _set_cookie(COOKIE, "", 0)


def current(request) -> dict | None:
    """The signed-in account (with its `csrf` token), or None."""
    value = cookie(request, COOKIE) or ""
    parts = value.split(".")
    if len(parts) != 3 or not _EXPIRES.fullmatch(parts[1]):
        return None
    try:
        email = base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if int(parts[1]) <= clock.epoch():
        return None
    account = accounts.get(email)
    if account is None:
        return None
    expected = _mac("session", account["email"], parts[1], account["session_key"])
    if not hmac.compare_digest(expected, parts[2]):
        return None
    return {**accounts.public(account), "csrf": _mac("csrf", parts[2])[:40]}


def check_csrf(account: dict, given) -> None:
    if not isinstance(given, str) or not hmac.compare_digest(account["csrf"], given):
        raise errors.Forbidden("missing or wrong CSRF token; reload the page")


def require(request, *, write: bool = False) -> dict:
    """The signed-in account for an API request by the dashboard's scripts."""
    account = current(request)
    if account is None:
        raise errors.Unauthorized("sign in first (the session ended)")
    check_csrf(account, request.headers.get("x-csrf-token"))
    if write and account["read_only"]:
        raise errors.Forbidden("this account is read-only")
    return account


# ---- the sign-in forms, before there is a session ----------------------------------


def form_token(request) -> tuple[str, str | None]:
    """The CSRF token for a sign-in form, and a Set-Cookie when a new one is needed."""
    nonce = cookie(request, FORM_COOKIE)
    if nonce and re.fullmatch(r"[0-9a-f]{32}", nonce):
        return _mac("form", nonce)[:40], None
    nonce = random.token_hex(16)
    return _mac("form", nonce)[:40], _set_cookie(FORM_COOKIE, nonce, FORM_SECONDS)


def check_form(request, given) -> None:
    nonce = cookie(request, FORM_COOKIE) or ""
    expected = _mac("form", nonce)[:40]
    if not nonce or not isinstance(given, str) or not hmac.compare_digest(expected, given):
        raise errors.Forbidden("the form expired; reload the page and try again")
