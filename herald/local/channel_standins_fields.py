"""What every channel stand-in checks alike: a request, its fields, and a refusal.

A check takes an Incoming (the path after the kind's own segment, the query,
the headers, the body) and answers (status, answer, what the console line
says), or raises Refused naming the field as the payload spells it
(`payload.summary missing`, `blocks[0].text.text over 150 characters`), so
the line and the answer point at what a kind module rendered wrong.

Lengths are counted in UTF-16 code units, as Herald's kinds count them:
never fewer than Slack, Discord or Telegram count.
"""

import json
from datetime import datetime


class Refused(Exception):
    """The service would refuse the request: reason names the field."""

    def __init__(self, reason: str, status: int = 400):
        super().__init__(reason)
        self.reason, self.status = reason, status


class Incoming:
    def __init__(self, parts: list[str], query: dict, headers: dict, body: bytes):
        self.parts, self.query, self.headers, self.body = parts, query, headers, body

    def json(self) -> dict:
        try:
            value = json.loads(self.body)
        except ValueError:
            raise Refused("body is not JSON") from None
        return obj(value, "body")


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _name(at: str, key) -> str:
    return f"{at}.{key}" if at else str(key)


def obj(value, name: str) -> dict:
    if not isinstance(value, dict):
        raise Refused(f"{name} must be an object")
    return value


def text(parent: dict, key: str, at: str = "", limit: int = 0, required: bool = False):
    """parent[key]: a string of at most limit characters (None or "" when absent)."""
    value, name = parent.get(key), _name(at, key)
    if value in (None, ""):
        if required:
            raise Refused(f"{name} missing")
        return value
    if not isinstance(value, str):
        raise Refused(f"{name} must be a string")
    if limit and units(value) > limit:
        raise Refused(f"{name} over {limit:,} characters")
    return value


def items(parent: dict, key: str, at: str = "", limit: int = 0, required: bool = False) -> list:
    """parent[key]: a list of at most limit items ([] when absent and not required)."""
    value, name = parent.get(key), _name(at, key)
    if value is None and not required:
        return []
    if not isinstance(value, list) or (required and not value):
        raise Refused(f"{name} missing" if value is None else f"{name} must be a non-empty list")
    if limit and len(value) > limit:
        raise Refused(f"{name} holds {len(value)} items, at most {limit}")
    return value


def choice(parent: dict, key: str, at: str, allowed, required: bool = True):
    value, name = parent.get(key), _name(at, key)
    if value is None and not required:
        return None
    if value is None:
        raise Refused(f"{name} missing")
    if value not in allowed or isinstance(value, bool):
        raise Refused(f"{name} must be one of {', '.join(map(str, allowed))}, not {value!r:.40}")
    return value


def iso_time(value, name: str) -> None:
    try:
        datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise Refused(f"{name} must be an ISO 8601 time") from None


def quoted(value, limit: int = 100) -> str:
    """A text for the console line: quoted, on one line, cut with an ellipsis."""
    value = str(value or "")
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")
