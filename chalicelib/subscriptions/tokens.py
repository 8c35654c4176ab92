"""The bearer token Herald sends with every change-feed request.

A JSON Web Token signed with HMAC-SHA256 (HS256), valid for five minutes,
naming the exact resource URL it is for (`aud`) and the subscriber the
request acts for (`sub`; empty for the once-per-cycle "changed?" question,
which names no one). Any JWT library verifies it; so does verify() below,
which the sample feed uses.

Each feed origin (scheme://host[:port], normalised by origin()) has its own
key, so an application holding its key can mint tokens for itself only:
HKDF-SHA256 (RFC 5869) of the root key, with a fixed label as salt and the
origin as info, written as 64 hex digits (the text itself is the HMAC key).
The root is the secret `feed-signing-key` (HERALD_FEED_SIGNING_KEY, or SSM
/herald/<stage>/feed-signing-key) when set, which lets an operator rotate
every feed key without the deployment's secret key; else the deployment's
`secret-key`. Nothing prints the root: `herald subscriptions feed-key
ORIGIN` prints one origin's key, for that application alone.
"""

import base64
import hashlib
import hmac
import json
import uuid
from urllib.parse import urlsplit

LIFETIME = 300
ISSUER = "herald"
_LABEL = b"herald feed token keys v1"
_DEFAULT_PORTS = {"http": 80, "https": 443}


class InvalidToken(ValueError):
    pass


def origin(url: str) -> str:
    """scheme://host[:port] of url: lower case, no default port, no user
    info, no trailing dot, an IDN host in its xn-- form. ValueError when url
    has no http(s) origin."""
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        raise ValueError(f"not an http(s) URL with a host: {url[:100]!r}")
    try:
        port = parts.port
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except (ValueError, UnicodeError):
        raise ValueError(f"not a valid host or port: {url[:100]!r}") from None
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" + (f":{port}" if port not in (None, _DEFAULT_PORTS[scheme]) else "")


def _root() -> bytes:
    from chalicelib.core import secrets

    return (secrets.get("feed-signing-key", required=False) or secrets.get("secret-key")).encode()


def key_for(feed_origin: str) -> bytes:
    """The signing key of one feed origin (pass it through origin() first)."""
    extracted = hmac.new(_LABEL, _root(), hashlib.sha256).digest()
    expanded = hmac.new(extracted, feed_origin.encode() + b"\x01", hashlib.sha256).hexdigest()
    return expanded.encode()


def for_feed(url: str, *, subscriber: str, now: float) -> str:
    """The token for one request to the feed at url, under its origin's key."""
    return issue(key_for(origin(url)), audience=url, subject=subscriber, now=now)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue(key: bytes, *, audience: str, subject: str, now: float) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {
        "iss": ISSUER,
        "aud": audience,
        "sub": subject,
        "iat": int(now),
        "exp": int(now) + LIFETIME,
        "jti": uuid.uuid4().hex,
    }
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def verify(token: str, key: bytes, *, audience: str, now: float) -> dict:
    """The token's claims; raises InvalidToken when it must be refused."""
    try:
        header, payload, signature = token.split(".")
        expected = hmac.new(key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(signature)):
            raise InvalidToken("bad signature")
        if json.loads(_unb64(header)).get("alg") != "HS256":
            raise InvalidToken("unexpected algorithm")
        claims = json.loads(_unb64(payload))
    except InvalidToken:
        raise
    except (ValueError, TypeError) as error:
        raise InvalidToken(f"malformed token: {error}") from None
    if claims.get("iss") != ISSUER or claims.get("aud") != audience:
        raise InvalidToken("token is for another issuer or resource")
    if not isinstance(claims.get("exp"), int) or claims["exp"] < now:
        raise InvalidToken("token expired")
    if claims.get("iat", 0) > now + 60:
        raise InvalidToken("token issued in the future")
    return claims
