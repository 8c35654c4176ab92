"""Paging kinds (PagerDuty and Opsgenie here): payloads as documented.

Each test renders a Notice and holds the request against the vendor's
documented shape: field names (copied from the documentation's example or
schema), required fields, lengths, and what a hostile monitor name becomes.
"""

import json

import pytest

from chalicelib.core.channels.kinds import kind
from chalicelib.core.errors import Invalid
from tests.channels.paging_kinds_support import CONFIGS, FAILURE, HOSTILE, ROUTING_KEY, make, render


@pytest.fixture(autouse=True)
def deployed(monkeypatch):
    monkeypatch.delenv("HERALD_LOCAL", raising=False)  # https only, as deployed


# ---- PagerDuty ------------------------------------------------------------------

PD_EVENT = {"payload", "routing_key", "dedup_key", "event_action", "client", "client_url",
            "links", "images"}  # fmt: skip
PD_PAYLOAD = {"summary", "timestamp", "severity", "source", "component", "group", "class",
              "custom_details"}  # fmt: skip


@pytest.mark.parametrize("what", ["down", "fail", "long", "test"])
def test_it_triggers_pagerduty_events_of_the_documented_shape(what):
    request = render("pagerduty", make(what, details=FAILURE if what == "fail" else ()))
    event = request.json
    assert (request.method, request.url) == ("POST", "https://events.pagerduty.com/v2/enqueue")
    assert set(event) <= PD_EVENT and {"routing_key", "event_action"} <= set(event)
    assert set(event["payload"]) <= PD_PAYLOAD
    assert {"summary", "severity", "source"} <= set(event["payload"])
    assert event["event_action"] == "trigger" and event["routing_key"] == ROUTING_KEY
    assert event["payload"]["severity"] == {"down": "critical", "test": "info"}.get(what, "error")
    assert event["links"] == [{"href": make().link, "text": "Pings on 2026-11-02"}]
    assert len(event["dedup_key"]) <= 255


def test_it_shows_a_failures_exit_status_and_body_in_pagerduty():
    details = render("pagerduty", make("fail", details=FAILURE)).json["payload"]["custom_details"]
    assert details["Exit status"] == "3"
    assert details["Body"].startswith("Traceback") and "boom <b>" in details["Body"]
    assert "No ping from backup" in details["What happened"]


def test_it_resolves_the_incident_the_down_notice_opened():
    opened = render("pagerduty", make("down")).json
    failed = render("pagerduty", make("fail")).json
    resolved = render("pagerduty", make("up", subject="backup is back up")).json
    assert resolved == {"routing_key": ROUTING_KEY, "event_action": "resolve",
                        "dedup_key": opened["dedup_key"]}  # fmt: skip
    assert failed["dedup_key"] == opened["dedup_key"]
    assert render("pagerduty", make("test")).json["dedup_key"] != opened["dedup_key"]


def test_it_keys_incidents_by_monitor_from_the_notices_herald_builds(aws_env):
    """Trigger and resolve pair up for notices as the checker and the pings build them."""
    from chalicelib.monitors import notices

    item = {"name": "nightly", "max_sleep": 3600, "grace": 60, "created_at": "2026-11-01T00:00Z"}
    down = {"kind": "down", "at": 1793610000, "last_ping": 1793600000, "seq": 7}
    up = {"kind": "up", "at": 1793620000, "last_ping": 1793620000, "outage_start": 1793600000}
    fail = {"kind": "fail", "at": 1793630000, "fail_at": 1793630000, "last_ping": 1793630000}
    keys = {
        state["kind"]: render("pagerduty", notices.build(item, state, "ab" * 16)).json["dedup_key"]
        for state in (down, up, fail)
    }
    assert len(set(keys.values())) == 1
    again = notices.build({**item, "created_at": "2026-11-05T00:00Z"}, down, "ab" * 16)
    other = notices.build({**item, "name": "other"}, down, "cd" * 16)
    assert render("pagerduty", again).json["dedup_key"] != keys["down"]
    assert render("pagerduty", other).json["dedup_key"] != keys["down"]


@pytest.mark.parametrize("name", HOSTILE)
def test_it_sends_hostile_names_to_pagerduty_as_plain_bounded_text(name):
    event = render("pagerduty", make(monitor=name)).json
    assert len(event["payload"]["summary"]) <= 1024 and len(event["payload"]["source"]) <= 255
    assert event["payload"]["summary"].startswith(name[:1000])
    assert json.loads(json.dumps(event)) == event


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({}, "config.routing_key"),
        ({"routing_key": "short"}, "config.routing_key"),
        ({"routing_key": ROUTING_KEY + "\n"}, "config.routing_key"),
        ({"routing_key": ROUTING_KEY, "routingkey": "x"}, "config.routingkey"),
        ({"routing_key": ROUTING_KEY, "api_url": "http://pd.example.com"}, "config.api_url"),
        ({"routing_key": ROUTING_KEY, "api_url": "https://u:p@pd.example.com"}, "config.api_url"),
        ({"routing_key": ROUTING_KEY, "api_url": "https://169.254.169.254"}, "config.api_url"),
        ({"routing_key": ROUTING_KEY, "api_url": "https://pd.example.com?x=1"}, "config.api_url"),
    ],
)
def test_it_refuses_pagerduty_settings_naming_the_key(config, field):
    with pytest.raises(Invalid) as refused:
        kind("pagerduty").check(config)
    assert str(refused.value).startswith(f"{field}: ")


def test_it_sends_pagerduty_events_to_a_local_stand_in(monkeypatch):
    monkeypatch.setenv("HERALD_LOCAL", "1")
    config = kind("pagerduty").check(
        {"routing_key": ROUTING_KEY, "api_url": "http://127.0.0.1:8025/"}
    )
    assert kind("pagerduty").render(make(), config).url == "http://127.0.0.1:8025/v2/enqueue"


# ---- Opsgenie -------------------------------------------------------------------

OG_CREATE = {"message", "alias", "description", "responders", "visibleTo", "actions", "tags",
             "details", "entity", "priority", "user", "note", "source"}  # fmt: skip


@pytest.mark.parametrize("what", ["down", "fail", "long", "test"])
def test_it_creates_opsgenie_alerts_of_the_documented_shape(what):
    request = render("opsgenie", make(what, details=FAILURE if what == "fail" else ()))
    alert = request.json
    assert (request.method, request.url) == ("POST", "https://api.opsgenie.com/v2/alerts")
    assert request.headers == {"Authorization": f"GenieKey {CONFIGS['opsgenie']['api_key']}"}
    assert set(alert) <= OG_CREATE and alert["message"]
    assert len(alert["message"]) <= 130 and len(alert["alias"]) <= 512
    assert len(alert["description"]) <= 15000 and len(alert["source"]) <= 100
    assert alert["priority"] in {"P1", "P2", "P3", "P4", "P5"}
    assert all(isinstance(v, str) for v in alert["details"].values())
    assert sum(len(k) + len(v) for k, v in alert["details"].items()) <= 8000
    assert len(alert["tags"]) <= 20 and all(len(t) <= 50 for t in alert["tags"])


def test_it_shows_a_failures_exit_status_and_body_in_opsgenie():
    alert = render("opsgenie", make("fail", details=FAILURE)).json
    assert "Exit status: 3" in alert["description"]
    assert "Body:\nTraceback (most recent call last):\n  boom <b>" in alert["description"]
    assert alert["details"]["Exit status"] == "3"


def test_it_closes_the_opsgenie_alert_the_down_notice_created():
    alias = render("opsgenie", make("down")).json["alias"]
    closing = render("opsgenie", make("up"))
    assert closing.url == f"https://api.opsgenie.com/v2/alerts/{alias}/close?identifierType=alias"
    assert set(closing.json) <= {"user", "source", "note"}
    assert render("opsgenie", make("fail")).json["alias"] == alias
    assert render("opsgenie", make("test")).json["alias"] != alias


def test_it_uses_the_eu_endpoint_for_an_eu_account():
    config = kind("opsgenie").check({"api_key": CONFIGS["opsgenie"]["api_key"], "region": "eu"})
    assert kind("opsgenie").render(make(), config).url == "https://api.eu.opsgenie.com/v2/alerts"
    assert kind("opsgenie").check({"api_key": "abcdefgh-1234"})["region"] == "us"


@pytest.mark.parametrize("name", HOSTILE + ["&" * 200])
def test_it_escapes_hostile_names_in_the_opsgenie_message_and_never_cuts_an_entity(name):
    alert = render("opsgenie", make(monitor=name)).json
    message = alert["message"]
    assert len(message) <= 130 and "<" not in message and ">" not in message
    assert message.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "").count("&") == 0
    assert alert["entity"].startswith(name[:500])  # plain text data


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({}, "config.api_key"),
        ({"api_key": "key with spaces"}, "config.api_key"),
        ({"api_key": "abcdefgh\r\nX-Evil: 1"}, "config.api_key"),
        ({"api_key": "abcdefgh", "region": "asia"}, "config.region"),
        ({"api_key": "abcdefgh", "api_url": "ftp://og.example.com"}, "config.api_url"),
        ({"api_key": "abcdefgh", "url": "https://og.example.com"}, "config.url"),
    ],
)
def test_it_refuses_opsgenie_settings_naming_the_key(config, field):
    with pytest.raises(Invalid) as refused:
        kind("opsgenie").check(config)
    assert str(refused.value).startswith(f"{field}: ")
