"""The bearer token Herald sends with every change-feed request.

A JSON Web Token signed with HMAC-SHA256 (HS256) under the feed signing
key, valid for five minutes, naming the resource URL it is for (`aud`) and
the subscriber the request acts for (`sub`; empty for the once-per-cycle
"changed?" question, which names no one). Any JWT library verifies it; so
does verify() below, which the sample feed uses.

The key is the secret `feed-signing-key` (HERALD_FEED_SIGNING_KEY, or SSM
/herald/<stage>/feed-signing-key); without one it is derived from the
deployment's secret key, and `herald subscriptions feed-key` prints it for
the applications that must verify.
"""

import base64
import hashlib
import hmac
import json
import uuid

LIFETIME = 300
ISSUER = "herald"


class InvalidToken(ValueError):
    pass


def signing_key() -> bytes:
    from chalicelib.core import auth, secrets

    configured = secrets.get("feed-signing-key", required=False)
    return (configured or auth.digest("herald feed tokens v1")).encode()


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
