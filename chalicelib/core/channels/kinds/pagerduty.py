"""PagerDuty: an Events API v2 event per notice, one incident per outage.

A down, fail or long notice is a `trigger`, a recovery a `resolve`, both
with the same `dedup_key`: PagerDuty appends a trigger to the open alert
with that key (a reminder, a retried delivery, a second checker: one
incident, never two) and opens a new one only once it is resolved. So a
key per monitor is a key per outage.

The key is the monitor's incarnation (its id and creation time, which every
notice id carries), not its name: it never exceeds PagerDuty's 255
characters, two deployments with a monitor of the same name do not share
incidents, and a monitor deleted and created again does not resolve its
predecessor's. A test notice gets a key of its own (severity info), so it
never joins a real incident, and is resolved right after it is sent.

https://developer.pagerduty.com/docs/events-api-v2/trigger-events/
https://github.com/PagerDuty/api-schema (reference/events-v2/openapiv3.json)
"""

import hashlib
import re

from chalicelib.core.channels.kinds import Field, Request, checks
from chalicelib.core.errors import Invalid

CONFIG = {
    "routing_key": Field(secret=True),
    "api_url": Field(required=False),
}
API_URL = "https://events.pagerduty.com"
SUMMARY_LIMIT = 1024  # PagerDuty: summary, at most 1024 characters
SOURCE_LIMIT = 255
DEDUP_LIMIT = 255
DETAIL_LIMIT = 4096  # a field of custom_details; the whole event must stay under 512 KB
DETAILS_KEPT = 20
ACTIONS = {"down": "trigger", "fail": "trigger", "long": "trigger", "up": "resolve"}
ACTIONS["flapping"] = "trigger"  # one incident for the episode; "steady" says up or down
ACTIONS["test-over"] = "resolve"
# `channels test` resolves its incident at once (sending.test): none is left open.
CLOSES_TEST = True
SEVERITY = {"down": "critical", "fail": "error", "long": "error", "test": "info"}
SEVERITY["flapping"] = "warning"
_ROUTING_KEY = re.compile(r"[A-Za-z0-9]{32}")
# mon-<incarnation>-<tag>: tag is a notice number, fail-<micros> or up-<micros>.
_NOTICE_ID = re.compile(r"mon-(?P<incarnation>[^-]+)-(?:(?:fail|up)-)?\d+")


def check(config: dict) -> dict:
    checks.known(config, CONFIG, "pagerduty")
    key = config.get("routing_key")
    if not isinstance(key, str) or not _ROUTING_KEY.fullmatch(key):
        raise Invalid.at(
            "config.routing_key",
            "the integration key of an Events API v2 integration: 32 letters and digits",
        )
    checked = {"routing_key": key}
    if config.get("api_url") is not None:
        checked["api_url"] = checks.base_url(config["api_url"], "api_url")
    return checked


def render(notice, config: dict) -> Request:
    url = f"{config.get('api_url') or API_URL}/v2/enqueue"
    if notice.kind == "test":
        return Request("POST", url, json=_trigger(notice, config, test_key(notice)))
    action = ACTIONS.get(notice.kind)
    if action is None:
        raise ValueError(f"no PagerDuty event for a {notice.kind!r} notice")
    key = test_key(notice) if notice.kind == "test-over" else incident_key(notice)
    if action == "resolve":
        # Only the key matters to a resolve; PagerDuty ignores a payload there.
        event = {"routing_key": config["routing_key"], "event_action": "resolve"}
        return Request("POST", url, json={**event, "dedup_key": key})
    return Request("POST", url, json=_trigger(notice, config, key))


def _trigger(notice, config: dict, key: str) -> dict:
    payload = {
        "summary": checks.fit(notice.subject or f"{notice.monitor}: {notice.kind}", SUMMARY_LIMIT),
        "source": checks.fit(notice.monitor, SOURCE_LIMIT),
        "severity": SEVERITY[notice.kind],
        "class": notice.kind,
        "component": "herald",
        "custom_details": custom_details(notice),
    }
    if notice.at:
        payload["timestamp"] = notice.at
    event = {
        "routing_key": config["routing_key"],
        "event_action": "trigger",
        "dedup_key": key,
        "payload": payload,
        "client": "Herald",
    }
    if notice.link:
        event["links"] = [{"href": notice.link, "text": notice.link_label or notice.link}]
    return event


def custom_details(notice) -> dict:
    """The notice's words and facts, as PagerDuty shows them: one row each."""
    details = {"What happened": "\n\n".join(notice.paragraphs), "Monitor": notice.monitor}
    for label, value in notice.details[:DETAILS_KEPT]:
        details.setdefault(checks.fit(str(label), 100), checks.fit(str(value), DETAIL_LIMIT))
    details["Notice"] = notice.id
    return details


def test_key(notice) -> str:
    """A test's own incident key, so it never joins, nor resolves, a real one."""
    return "herald-test-" + hashlib.sha256(notice.id.encode()).hexdigest()[:32]


def incident_key(notice) -> str:
    """One key per monitor (per incarnation of it), whatever the notice's kind."""
    match = _NOTICE_ID.fullmatch(notice.id)
    if match:
        return f"herald-{match['incarnation']}"[:DEDUP_LIMIT]
    # An id of another shape: the name, hashed to a bounded, plain key.
    return "herald-" + hashlib.sha256(notice.monitor.encode()).hexdigest()[:32]
