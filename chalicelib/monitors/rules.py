"""A monitor's settings: what may be stored, checked before anything is written.

Every refusal names the field (`users.NAME.max_sleep`, `monitor.device_email`),
so the API, the CLI and a config import can say exactly what is wrong.
"""

import re
from decimal import Decimal

from chalicelib.core import values
from chalicelib.core.errors import Invalid

# "." and ".." are not names: clients drop such path segments from ping URLs.
NAME = re.compile(r"(?!\.+$)[A-Za-z0-9_.@-](?:[A-Za-z0-9_.@ -]{0,62}[A-Za-z0-9_.@-])?")
MAX_RECIPIENTS = 50
SETTINGS = (
    "monitor",
    "max_sleep",
    "email_frequency",
    "recipients",
    "refresh_on_ping_restored",
    "require_key",
)
DEFAULTS = {"monitor": True, "refresh_on_ping_restored": True, "require_key": True}


def _number(field: str, value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise Invalid(f"{field}: must be a number of seconds, got {value!r}")
    if value < 0 or value != value or value > 10 * 365 * 86400:
        raise Invalid(f"{field}: must be between 0 and ten years, got {value!r}")
    # Milliseconds are plenty, and DynamoDB refuses numbers like 1e-300.
    return Decimal(str(value)).quantize(Decimal("0.001"))


def recipients(field: str, value) -> list[str]:
    return values.email_addresses(value, field, limit=MAX_RECIPIENTS)


def _flag(field: str, value) -> bool:
    # The original accepted "bool-like" values for refresh_on_ping_restored.
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0"):
        return value.lower() in ("true", "yes", "1")
    raise Invalid(f"{field}: must be true or false, got {value!r}")


def validate(name, settings: dict, *, where: str = "") -> dict:
    """Checked settings of monitor `name`; raises Invalid naming the field."""
    at = where or (f"users.{name}" if isinstance(name, str) else "name")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise Invalid(
            f"{at}: the name must be 1-64 letters, digits, spaces or . _ @ - "
            f"(not only dots), got {str(name)[:80]!r}"
        )
    if not isinstance(settings, dict):
        raise Invalid(f"{at}: must be an object")
    unknown = set(settings) - set(SETTINGS) - {"device_email", "recipient", "name"}
    if unknown:
        raise Invalid(f"{at}.{sorted(unknown)[0]}: unknown setting")
    result = {}
    for field in ("max_sleep", "email_frequency"):
        if field not in settings:
            raise Invalid(f"{at}.{field}: missing")
        result[field] = _number(f"{at}.{field}", settings[field])
    for field in ("monitor", "refresh_on_ping_restored", "require_key"):
        result[field] = _flag(f"{at}.{field}", settings.get(field, DEFAULTS[field]))
    for field in ("recipients", "device_email", "recipient"):
        if settings.get(field) is not None:
            result["recipients"] = recipients(f"{at}.{field}", settings[field])
            break
    else:
        raise Invalid(f"{at}.device_email: missing (and no global recipient)")
    return result
