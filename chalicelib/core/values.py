"""One validator per kind of value, and one way to turn stored values into JSON.

DynamoDB hands numbers back as Decimal; plain() makes them int or float
wherever a reply, a log line or a message body is built. Text that may reach
a mail header must be printable(); every e-mail address is checked by
email_address(), the only address validator Herald has.
"""

import json
from decimal import Decimal

from chalicelib.core.errors import Invalid

MAX_ADDRESS = 254


def plain(value):
    """value with every Decimal inside it made an int or a float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(item) for item in value]
    return value


def _default(value):
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, set):
        return sorted(value)
    return str(value)


def dumps(value, **options) -> str:
    """JSON text of value; Decimals as numbers, anything else unknown as text."""
    return json.dumps(value, default=_default, **options)


def printable(value: str) -> bool:
    """One line of storable text: no control characters, no line or paragraph
    separators (any could split a mail header), no lone surrogates (not UTF-8)."""
    if value.splitlines() != [value] or any(c < " " or "\x7f" <= c <= "\x9f" for c in value):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def email_address(value, field: str) -> str:
    """An address SES takes and Python's email package can put in a header.

    Syntax only (no DNS): a typo'd domain is the owner's to notice. ASCII
    only, since SES refuses other local parts; an internationalised domain
    is accepted and stored in its xn-- form.
    """
    if not isinstance(value, str) or not 3 <= len(value) <= MAX_ADDRESS or not printable(value):
        raise Invalid.at(field, f"{str(value)[:80]!r} is not an e-mail address")
    # Imported here: ~40 ms, paid only by the requests that store addresses.
    from email.headerregistry import Address

    from email_validator import EmailNotValidError, validate_email

    try:
        checked = validate_email(value, check_deliverability=False, allow_smtputf8=False)
        address = checked.ascii_email
        Address(addr_spec=address)  # what the outbox will do with it, refused here
    except (EmailNotValidError, ValueError, IndexError, AttributeError) as error:
        raise Invalid.at(field, f"{value[:80]!r} is not an e-mail address ({error})") from None
    return address


def email_addresses(value, field: str, *, limit: int) -> list[str]:
    """One address or a non-empty list of them, each checked, duplicates dropped."""
    addresses = [value] if isinstance(value, str) else value
    if not isinstance(addresses, list) or not addresses:
        raise Invalid.at(field, "must be an e-mail address or a non-empty list of them")
    if len(addresses) > limit:
        raise Invalid.at(field, f"at most {limit} addresses, got {len(addresses)}")
    checked = [email_address(a, f"{field}[{i}]") for i, a in enumerate(addresses)]
    return list(dict.fromkeys(checked))


def instant(value: str, field: str) -> float:
    """A point in time given as ISO 8601 (with a zone, or UTC) or epoch seconds."""
    from datetime import UTC, datetime

    text = str(value).strip()
    try:
        if text.replace(".", "", 1).isdigit():
            moment = datetime.fromtimestamp(float(text), UTC)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        raise Invalid(
            f"{field}: must be an ISO 8601 time or epoch seconds, got {text[:40]!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if not 2000 <= moment.year <= 9000:
        raise Invalid.at(field, f"out of range, got {text[:40]!r}")
    return moment.timestamp()
