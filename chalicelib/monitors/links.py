"""Signed, expiring links to a monitor's logs for one day, for alert mails.

The link carries `expires` and `sig` = HMAC(deployment secret, name|date|expires),
so whoever holds the mail can read that day's ping times until it expires,
and nothing else. The original's link never worked (unpadded month and day,
a double slash); this one is built and checked by the same code.
"""

import hashlib
import hmac
import re
from datetime import date
from urllib.parse import urlencode

from chalicelib.core import clock, settings
from chalicelib.core import secrets as config_secrets

VALID_DAYS = 30


def _signature(name: str, day: date, expires: int) -> str:
    key = config_secrets.get("secret-key").encode()
    message = f"logs-link:{name}|{day.isoformat()}|{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def link(name: str, day: date, *, valid_days: int = VALID_DAYS) -> str:
    expires = int(clock.epoch()) + valid_days * 86400
    query = urlencode(
        {
            "username": name,
            "year": f"{day.year:04d}",
            "month": f"{day.month:02d}",
            "day": f"{day.day:02d}",
            "expires": expires,
            "sig": _signature(name, day, expires),
        }
    )
    return f"{settings.public_url()}/logs?{query}"


def verify(name: str, day: date, expires: str | None, sig: str | None) -> bool:
    # ASCII only: int() takes other scripts' digits, compare_digest no non-ASCII str.
    if not (expires and sig and re.fullmatch(r"[0-9]{1,12}", expires) and sig.isascii()):
        return False
    if int(expires) < clock.epoch():
        return False
    return hmac.compare_digest(_signature(name, day, int(expires)), sig)
