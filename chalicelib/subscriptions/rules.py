"""What a valid subscriber and subscription look like.

Every check names the field it refuses (e.g. "resources[1].url"), so the
HTTP API and the command line can say exactly what is wrong. Validation
returns clean values; it never touches storage.
"""

import os
import re
from urllib.parse import urlsplit

from chalicelib.core.errors import Invalid
from chalicelib.core.values import email_address, printable

# Seconds between checks for each frequency; `never` is never due.
FREQUENCIES = {
    "immediately": 300,
    "hourly": 3600,
    "daily": 86400,
    "weekly": 7 * 86400,
    "never": None,
}
KINDS = ("new", "upd")
METHODS = ("email",)
FORMATS = ("text", "html")
MAX_RESOURCES = 20
MAX_FILTER_CHARS = 4000
# \Z, not $: "$" also matches before a final newline, and "duty\n" is no id.
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}\Z")
CHANNEL_ID = re.compile(r"[0-9a-f]{16}\Z")  # chalicelib/core/channels/store.py makes them
MAX_METHODS = 10


def default_format() -> str:
    value = os.environ.get("SUBSCRIPTIONS_EMAIL_FORMAT", "text")
    return value if value in FORMATS else "text"


def identifier(value, field: str) -> str:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise Invalid.at(
            field, "must be 1-64 characters: lower-case letters, digits, '_', '.', '-'"
        )
    return value


def text(value, field: str, *, limit: int = 200) -> str:
    """A one-line text: a line break here could inject mail headers."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid.at(field, "must be a non-empty string")
    if len(value) > limit:
        raise Invalid.at(field, f"must be at most {limit} characters")
    if not printable(value):
        raise Invalid.at(field, "must be one line without control characters")
    return value.strip()


def _object(body, field: str = "body") -> dict:
    if not isinstance(body, dict):
        raise Invalid.at(field, "must be a JSON object")
    return body


def _unknown(body: dict, allowed: set, field: str = "") -> None:
    extra = sorted(set(body) - allowed)
    if extra:
        raise Invalid.at(f"{field}{extra[0]}", "is not a known field")


def subscriber(body, path_id: str | None = None) -> dict:
    """A subscriber; path_id is the one a replacement names in its URL."""
    body = _object(body)
    _unknown(body, {"id", "name", "contacts", "members"})
    if path_id is not None:
        if body.get("id", path_id) != path_id:
            raise Invalid.at("id", "must be the id in the path (or left out)")
        body = {**body, "id": path_id}
    contacts = _contacts(body.get("contacts", []))
    members = _members(body.get("members", []), body.get("id"))
    if not contacts and not members:
        raise Invalid.at("contacts", "a subscriber needs at least one contact or member")
    return {
        "id": identifier(body["id"], "id") if "id" in body else None,
        "name": text(body.get("name"), "name"),
        "contacts": contacts,
        "members": members,
    }


def _contacts(value) -> list[dict]:
    if not isinstance(value, list) or len(value) > 10:
        raise Invalid.at("contacts", "must be a list of at most 10 contacts")
    result = []
    for i, contact in enumerate(value):
        field = f"contacts[{i}]"
        if isinstance(contact, str):
            contact = {"address": contact, "priority": i + 1}
        contact = _object(contact, field)
        _unknown(contact, {"address", "priority", "method"}, f"{field}.")
        address = email_address(contact.get("address"), f"{field}.address")
        priority = contact.get("priority", 1)
        if not isinstance(priority, int) or isinstance(priority, bool) or not 0 <= priority < 1000:
            raise Invalid.at(f"{field}.priority", "must be a whole number from 0 to 999")
        if contact.get("method", "email") not in METHODS:
            raise Invalid.at(f"{field}.method", f"must be one of {', '.join(METHODS)}")
        result.append({"address": address, "priority": priority, "method": "email"})
    return result


def _members(value, own_id) -> list[str]:
    if not isinstance(value, list) or len(value) > 500:
        raise Invalid.at("members", "must be a list of at most 500 subscriber ids")
    members = [identifier(m, f"members[{i}]") for i, m in enumerate(value)]
    if own_id is not None and own_id in members:
        raise Invalid.at("members", "a group cannot be its own member")
    return list(dict.fromkeys(members))


def subscription(body) -> dict:
    body = _object(body)
    allowed = {"subscriber", "resources", "filter", "notify_on", "frequency", "method"}
    _unknown(body, allowed | {"email_format"})
    return {
        "subscriber": identifier(body.get("subscriber"), "subscriber"),
        "resources": _resources(body.get("resources")),
        "filter": _filter(body.get("filter", {})),
        "notify_on": _choices(body.get("notify_on", ["new"]), KINDS, "notify_on"),
        "frequency": _frequency(body.get("frequency", "daily")),
        "method": _methods(body.get("method", ["email"])),
        "email_format": _format(body.get("email_format", default_format())),
    }


def _resources(value) -> list[dict]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_RESOURCES:
        raise Invalid.at("resources", f"must be a list of 1 to {MAX_RESOURCES} resources")
    result, names = [], set()
    for i, resource in enumerate(value):
        field = f"resources[{i}]"
        resource = _object(resource, field)
        _unknown(resource, {"name", "url"}, f"{field}.")
        name = text(resource.get("name"), f"{field}.name", limit=100)
        if name in names:
            raise Invalid.at(f"{field}.name", "is given twice")
        names.add(name)
        result.append({"name": name, "url": url(resource.get("url"), f"{field}.url")})
    return result


def url(value, field: str) -> str:
    if not isinstance(value, str) or len(value) > 2000 or not printable(value) or " " in value:
        raise Invalid.at(
            field, "must be an http or https URL of at most 2000 characters, no spaces"
        )
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        host = None
    if host is None or parts.scheme not in ("http", "https"):
        raise Invalid.at(field, "must be an http or https URL")
    return value


def _filter(value) -> dict:
    import json

    if not isinstance(value, dict):
        raise Invalid.at("filter", "must be a JSON object")
    try:
        # Strict JSON: a NaN here would be refused later by the feed's request.
        encoded = json.dumps(value, allow_nan=False)
    except (ValueError, RecursionError):
        raise Invalid.at(
            "filter", "must be plain JSON, nested at most a few hundred deep"
        ) from None
    if len(encoded) > MAX_FILTER_CHARS:
        raise Invalid.at("filter", f"must be at most {MAX_FILTER_CHARS} characters of JSON")
    return value


def _choices(value, allowed: tuple, field: str) -> list[str]:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",")]
    if not isinstance(value, list) or not value or any(v not in allowed for v in value):
        raise Invalid.at(field, f"must be a non-empty list of: {', '.join(allowed)}")
    return [v for v in allowed if v in value]


def _methods(value) -> list[str]:
    """How the subscriber is told: "email" (its contacts), and channel ids
    (a team's chat: the store checks that each exists and may take it)."""
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",")]
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_METHODS:
        raise Invalid.at("method", f'must be a list of 1 to {MAX_METHODS}: "email" or channel ids')
    for i, method in enumerate(value):
        if method not in METHODS and not (isinstance(method, str) and CHANNEL_ID.match(method)):
            raise Invalid.at(
                f"method[{i}]", f'must be "email" or a channel\'s id, got {str(method)[:40]!r}'
            )
    return list(dict.fromkeys(value))


def _frequency(value) -> str:
    if not isinstance(value, str) or value not in FREQUENCIES:
        raise Invalid.at("frequency", f"must be one of {', '.join(FREQUENCIES)}")
    return value


def _format(value) -> str:
    if value not in FORMATS:
        raise Invalid.at("email_format", f"must be one of {', '.join(FORMATS)}")
    return value
