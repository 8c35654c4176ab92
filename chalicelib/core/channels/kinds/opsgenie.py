"""Opsgenie: an alert per outage, created with an alias, closed on recovery.

A down, fail or long notice creates an alert whose `alias` is the monitor's
incident key (pagerduty.incident_key: the monitor's incarnation). While an
alert with that alias is open Opsgenie creates no other, it only counts
again, so a reminder, a retried delivery or a second checker stays one
alert; the recovery closes it by alias. A test notice gets an alias of its
own (priority P5), so it never joins, nor closes, a real alert; it is
closed right after it is sent.

Opsgenie's documentation says the message may carry HTML, so the monitor's
name is escaped there (and cut only between entities); the description and
details are plain text, JSON data, sent as they are.

https://docs.opsgenie.com/docs/alert-api (create, close by alias)
https://github.com/opsgenie/opsgenie-oas (definitions/alert.yaml)
"""

import html
import re
from urllib.parse import quote

from chalicelib.core.channels.kinds import Field, Request, checks
from chalicelib.core.channels.kinds.pagerduty import incident_key, test_key
from chalicelib.core.errors import Invalid

CONFIG = {
    "api_key": Field(secret=True),
    "region": Field(required=False),
    "api_url": Field(required=False),
}
REGIONS = {"us": "https://api.opsgenie.com", "eu": "https://api.eu.opsgenie.com"}
MESSAGE_LIMIT = 130
DESCRIPTION_LIMIT = 15000
ENTITY_LIMIT = 512
NOTE_LIMIT = 25000
DETAILS_LIMIT = 8000  # keys and values together
PRIORITY = {"down": "P2", "fail": "P2", "long": "P3", "flapping": "P3", "test": "P5"}
SOURCE = "Herald"
CLOSES_TEST = True  # `channels test` closes its alert at once (sending.test)
# An integration's key goes into a header: no spaces, no line breaks.
_API_KEY = re.compile(r"[A-Za-z0-9_-]{8,128}")


def check(config: dict) -> dict:
    checks.known(config, CONFIG, "opsgenie")
    key = config.get("api_key")
    if not isinstance(key, str) or not _API_KEY.fullmatch(key):
        raise Invalid.at(
            "config.api_key",
            "the API key of an Opsgenie API integration (8-128 letters, digits, - or _)",
        )
    region = config.get("region", "us")
    if region not in REGIONS:
        raise Invalid.at("config.region", "us or eu (where the Opsgenie account lives)")
    checked = {"api_key": key, "region": region}
    if config.get("api_url") is not None:
        checked["api_url"] = checks.base_url(config["api_url"], "api_url")
    return checked


def render(notice, config: dict) -> Request:
    base = config.get("api_url") or REGIONS[config.get("region", "us")]
    headers = {"Authorization": f"GenieKey {config['api_key']}"}
    if notice.kind in ("up", "test-over"):
        alias = quote(
            test_key(notice) if notice.kind == "test-over" else incident_key(notice), safe=""
        )
        url = f"{base}/v2/alerts/{alias}/close?identifierType=alias"
        note = checks.fit("\n\n".join(notice.paragraphs), NOTE_LIMIT)
        closing = {"user": SOURCE, "source": SOURCE, "note": note}
        return Request("POST", url, json=closing, headers=headers)
    if notice.kind not in PRIORITY:
        raise ValueError(f"no Opsgenie alert for a {notice.kind!r} notice")
    alias = test_key(notice) if notice.kind == "test" else incident_key(notice)
    alert = {
        "message": escaped(notice.subject or notice.monitor, MESSAGE_LIMIT),
        "alias": alias,
        "description": checks.fit(description(notice), DESCRIPTION_LIMIT),
        "entity": checks.fit(notice.monitor, ENTITY_LIMIT),
        "source": SOURCE,
        "priority": PRIORITY[notice.kind],
        "tags": ["herald", notice.kind],
        "details": details(notice),
    }
    return Request("POST", f"{base}/v2/alerts", json=alert, headers=headers)


def description(notice) -> str:
    parts = list(notice.paragraphs)
    for label, value in notice.details:
        value = str(value)
        parts.append(f"{label}:\n{value}" if "\n" in value else f"{label}: {value}")
    if notice.link:
        parts.append(f"{notice.link_label or 'Pings'}: {notice.link}")
    return "\n\n".join(parts)


def details(notice) -> dict:
    """Custom properties, within Opsgenie's 8000 characters (keys and values)."""
    pairs = [("monitor", notice.monitor), ("notice", notice.id), ("kind", notice.kind)]
    pairs += [(str(label), str(value)) for label, value in notice.details]
    kept, room = {}, DETAILS_LIMIT
    for label, value in pairs:
        label = checks.fit(label, 100)
        if label in kept or room <= len(label) + 1:
            continue
        kept[label] = checks.fit(value, room - len(label))
        room -= len(label) + len(kept[label])
    return kept


def escaped(text: str, limit: int) -> str:
    """text HTML-escaped in at most limit characters, never cut inside an entity."""
    out, used = [], 0
    for index, char in enumerate(text):
        piece = html.escape(char, quote=False)
        # Keep one character for the ellipsis unless this is the last one.
        last = index == len(text) - 1
        if used + len(piece) > limit - (0 if last else 1):
            return "".join(out) + "…"
        out.append(piece)
        used += len(piece)
    return "".join(out)
