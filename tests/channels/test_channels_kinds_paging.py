"""The paging kinds (PagerDuty, Opsgenie, SNS, signed web-hook): payloads as documented.

Each test renders a Notice and holds the request against the vendor's
documented shape: field names (copied from the documentation's example or
schema), required fields, lengths, and what a hostile monitor name becomes.
"""

import base64
import hashlib
import hmac
import json

import pytest

from chalicelib.core.channels.kinds import kind
from chalicelib.core.channels.notice import Notice
from chalicelib.core.errors import Invalid

INCARNATION = "0123456789abcdef0123456789abcdef.20261101000000"
IDS = {
    "down": f"mon-{INCARNATION}-3",
    "long": f"mon-{INCARNATION}-4",
    "fail": f"mon-{INCARNATION}-fail-1793610000000000",
    "up": f"mon-{INCARNATION}-up-1793606400000000",
    "test": "test-5f1c",
}
HOSTILE = ["<script>alert(1)</script>", "*bold* _it_", "@channel", "<!here> & co", "n" * 5000]
FAILURE = (("Exit status", "3"), ("Body", "Traceback (most recent call last):\n  boom <b>"))
ROUTING_KEY = "e93facc04764012d7bfb002500d5d1a6"
SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()
CONFIGS = {
    "pagerduty": {"routing_key": ROUTING_KEY},
    "opsgenie": {"api_key": "eb243592-faa2-4ba2-a551-1afdf565c889", "region": "us"},
    "sns": {"topic_arn": "arn:aws:sns:us-east-1:123456789012:herald-alerts"},
    "webhook": {"url": "https://hooks.example.com/herald?token=abc", "secret": SECRET},
}


def make(kind_="down", monitor="backup", details=(), **changes) -> Notice:
    fields = {
        "id": IDS[kind_],
        "kind": kind_,
        "monitor": monitor,
        "subject": f"{monitor} disconnection detected",
        "paragraphs": (f"No ping from {monitor} since 2026-11-02 08:00:00 UTC.", "Grace passed."),
        "link": "https://herald.test/logs?username=backup&sig=abc",
        "link_label": "Pings on 2026-11-02",
        "at": "2026-11-02T09:00:00.000000Z",
        "details": details,
    }
    return Notice(**{**fields, **changes})


@pytest.fixture(autouse=True)
def deployed(monkeypatch):
    monkeypatch.delenv("HERALD_LOCAL", raising=False)  # https only, as deployed


def render(name: str, notice: Notice, **config):
    return kind(name).render(notice, {**CONFIGS[name], **config})


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


# ---- SNS ----------------------------------------------------------------------

SNS_PUBLISH = {"TopicArn", "TargetArn", "PhoneNumber", "Message", "Subject", "MessageStructure",
               "MessageAttributes", "MessageDeduplicationId", "MessageGroupId"}  # fmt: skip


@pytest.mark.parametrize("what", ["down", "fail", "up", "test"])
def test_it_publishes_to_sns_with_the_documented_parameters(what):
    publish = render("sns", make(what, details=FAILURE if what == "fail" else ())).publish
    assert set(publish) <= SNS_PUBLISH and {"TopicArn", "Message"} <= set(publish)
    assert publish["TopicArn"] == CONFIGS["sns"]["topic_arn"]
    assert publish["Subject"] == "backup disconnection detected"
    assert publish["Message"].startswith("backup disconnection detected\n\nNo ping from backup")
    assert publish["MessageAttributes"]["herald.kind"] == {"DataType": "String",
                                                           "StringValue": what}  # fmt: skip
    assert "MessageGroupId" not in publish  # a standard topic refuses it


def test_it_shows_a_failures_exit_status_and_body_over_sns():
    message = render("sns", make("fail", details=FAILURE)).publish["Message"]
    assert "Exit status: 3\n\nBody:\nTraceback (most recent call last):\n  boom <b>" in message
    assert message.rstrip().endswith("Pings on 2026-11-02: " + make().link)


@pytest.mark.parametrize("name", HOSTILE + ["Sauvegarde télé\n\u202eevil", "\x00\x07"])
def test_it_makes_sns_subjects_one_line_of_printable_ascii_under_100(name):
    subject = render("sns", make(monitor=name)).publish["Subject"]
    assert 0 < len(subject) < 100 and subject.isascii() and subject.isprintable()
    assert subject == subject.strip()


def test_it_transliterates_a_name_in_the_sns_subject():
    subject = render("sns", make(monitor="Sauvegarde télé")).publish["Subject"]
    assert subject == "Sauvegarde tele disconnection detected"


def test_it_keeps_an_sns_message_under_256_kb_cutting_between_characters():
    body = "é" * 300_000
    publish = render("sns", make("fail", details=(("Body", body),))).publish
    size = len(publish["Message"].encode()) + sum(
        len(k) + len(v["StringValue"].encode()) for k, v in publish["MessageAttributes"].items()
    )
    assert size <= 262_144 and publish["Message"].endswith("[cut]\n")
    publish["Message"].encode().decode("utf-8")  # whole characters only


def test_it_deduplicates_a_notice_on_a_fifo_topic():
    config = {"topic_arn": "arn:aws:sns:eu-west-1:123456789012:herald.fifo"}
    first, again = (render("sns", make(), **config).publish for _ in range(2))
    assert first["MessageDeduplicationId"] == again["MessageDeduplicationId"]
    assert len(first["MessageDeduplicationId"]) <= 128 and len(first["MessageGroupId"]) <= 128
    assert (
        render("sns", make("up"), **config).publish["MessageDeduplicationId"]
        != (first["MessageDeduplicationId"])
    )


def test_it_publishes_what_sns_accepts(aws_env):
    """botocore checks every parameter's name and type; moto takes the message."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        sns = boto3.client("sns", region_name="us-east-1")
        arn = sns.create_topic(Name="herald-alerts")["TopicArn"]
        request = kind("sns").render(make("fail", details=FAILURE), {"topic_arn": arn})
        assert kind("sns").region(request.url) == "us-east-1"
        assert sns.publish(**request.publish)["MessageId"]


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:sqs:us-east-1:123456789012:queue",
        "arn:aws:sns:us-east-1:12345678901:topic",
        "arn:aws:sns:us-east-1:123456789012:",
        "arn:aws:sns:us-east-1:123456789012:has space",
        "arn:aws:sns:us-east-1:123456789012:topic:subscription-id",
        "https://sns.us-east-1.amazonaws.com/topic",
        None,
    ],
)
def test_it_refuses_what_is_not_an_sns_topic_arn(arn):
    with pytest.raises(Invalid) as refused:
        kind("sns").check({"topic_arn": arn})
    assert str(refused.value).startswith("config.topic_arn: ")


def test_it_takes_topics_in_every_partition():
    for arn in ("arn:aws-us-gov:sns:us-gov-west-1:123456789012:a_b-c",
                "arn:aws-cn:sns:cn-north-1:123456789012:alerts.fifo"):  # fmt: skip
        assert kind("sns").check({"topic_arn": arn}) == {"topic_arn": arn}


# ---- signed web-hook ------------------------------------------------------------


def verify(request, secret: str) -> dict:
    """What a Standard Webhooks receiver does, written from the spec."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{request.headers['webhook-id']}.{request.headers['webhook-timestamp']}.".encode()
    expected = base64.b64encode(hmac.new(key, signed + request.data, hashlib.sha256).digest())
    assert request.headers["webhook-signature"] == "v1," + expected.decode()
    return json.loads(request.data)


@pytest.mark.parametrize("what", ["down", "fail", "up", "test"])
def test_it_signs_webhook_notices_the_standard_webhooks_way(what):
    request = render("webhook", make(what, details=FAILURE if what == "fail" else ()))
    assert (request.method, request.url) == ("POST", CONFIGS["webhook"]["url"])
    body = verify(request, SECRET)
    assert set(body) == {"type", "timestamp", "data"}
    assert body["type"] == ("channel.test" if what == "test" else f"monitor.{what}")
    assert body["timestamp"] == "2026-11-02T09:00:00.000000Z"
    assert body["data"]["source"] == body["data"]["monitor"] == "backup"
    assert body["data"]["notice_id"] == IDS[what]
    assert request.headers["content-type"] == "application/json"


def test_it_gives_webhook_details_and_keeps_the_id_across_retries():
    first = render("webhook", make("fail", details=FAILURE))
    retry = kind("webhook").render(make("fail", details=FAILURE), CONFIGS["webhook"], at=1793700000)
    assert verify(first, SECRET)["data"]["details"] == dict(FAILURE)
    assert retry.headers["webhook-id"] == first.headers["webhook-id"]
    assert "." not in first.headers["webhook-id"]  # the spec forbids dots in the signed id
    assert retry.headers["webhook-timestamp"] == "1793700000"
    assert first.headers["webhook-timestamp"] == "1793610000"
    verify(retry, SECRET)


@pytest.mark.parametrize("name", HOSTILE)
def test_it_carries_hostile_names_as_json_data_in_webhooks(name):
    assert verify(render("webhook", make(monitor=name)), SECRET)["data"]["monitor"] == name


def test_it_needs_a_signing_secret_to_send_a_webhook():
    with pytest.raises(ValueError, match="secret"):
        kind("webhook").render(make(), {"url": CONFIGS["webhook"]["url"]})
    assert kind("webhook").check({"url": "https://hooks.example.com/x"}) == {
        "url": "https://hooks.example.com/x"
    }


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({}, "config.url"),
        ({"url": "http://hooks.example.com/x"}, "config.url"),
        ({"url": "https://user:pw@hooks.example.com/x"}, "config.url"),
        ({"url": "https://[fd00::1]/x"}, "config.url"),
        ({"url": "https://hooks.example.com/x", "secret": "plain"}, "config.secret"),
        ({"url": "https://hooks.example.com/x", "secret": "whsec_!!"}, "config.secret"),
        ({"url": "https://hooks.example.com/x", "secret": "whsec_" + "a" * 8}, "config.secret"),
        ({"url": "https://hooks.example.com/x", "headers": {}}, "config.headers"),
    ],
)
def test_it_refuses_webhook_settings_naming_the_key(config, field):
    with pytest.raises(Invalid) as refused:
        kind("webhook").check(config)
    assert str(refused.value).startswith(f"{field}: ")
