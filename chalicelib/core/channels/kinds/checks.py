"""What every kind does alike: checking a config, and cutting text to a limit.

Limits are the services': Slack, Discord and Telegram count UTF-16 code
units, Teams and ntfy the bytes of the JSON sent, SNS UTF-8 bytes. fit()
cuts before escaping and measures after it, so a cut never splits an
entity, and marks a cut with an ellipsis.
"""

import json

from chalicelib.core import ssrf
from chalicelib.core.errors import Invalid


def known(config, spec: dict, kind: str) -> None:
    """config is an object of spec's keys, with the required ones given."""
    if not isinstance(config, dict):
        raise Invalid.at("config", "must be an object")
    for key in config:
        if key not in spec:
            takes = ", ".join(spec)
            raise Invalid.at(f"config.{str(key)[:40]}", f"unknown setting; {kind} takes {takes}")
    for key, field in spec.items():
        if field.required and config.get(key) in (None, ""):
            raise Invalid.at(f"config.{key}", "is required")


def url(value, key: str) -> str:
    """A URL the SSRF guard allows (https; plain http and loopback only locally)."""
    if not isinstance(value, str):
        raise Invalid.at(f"config.{key}", "must be a URL")
    try:
        ssrf.check_syntax(value)
    except ssrf.Refused as error:
        raise Invalid.at(f"config.{key}", str(error)) from None
    return value.strip()


def base_url(value, key: str) -> str:
    """A service's (or a local stand-in's) base URL: no query, no fragment."""
    checked = url(value, key).rstrip("/")
    parts = ssrf.parse(checked)
    if parts.query or parts.fragment or "?" in checked or "#" in checked:
        raise Invalid.at(f"config.{key}", "must be a base URL, without ?query or #fragment")
    return checked


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def json_bytes(text: str) -> int:
    """Bytes text takes inside a JSON body as the HTTP client writes it."""
    return len(json.dumps(text)) - 2


def utf8(text: str) -> int:
    return len(text.encode("utf-8"))


def fit(text: str, limit: int, measure=len, escape=None) -> str:
    """escape(text), cut (before escaping) with an ellipsis to measure at most limit."""
    escape = escape or (lambda part: part)
    whole = escape(text)
    if measure(whole) <= limit:
        return whole
    room = limit - measure("…")
    if room <= 0:
        return ""
    low, high = 0, min(len(text), limit)
    while low < high:
        middle = (low + high + 1) // 2
        if measure(escape(text[:middle])) <= room:
            low = middle
        else:
            high = middle - 1
    return escape(text[:low]) + "…"
