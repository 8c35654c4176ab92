"""Paging kinds (SNS, signed web-hook): payloads as documented (as in ..._paging.py)."""

import base64
import hashlib
import hmac
import json

import pytest

from chalicelib.core.channels.kinds import kind
from chalicelib.core.errors import Invalid
from tests.channels.paging_kinds_support import CONFIGS, FAILURE, HOSTILE, IDS, SECRET, make, render


@pytest.fixture(autouse=True)
def deployed(monkeypatch):
    monkeypatch.delenv("HERALD_LOCAL", raising=False)  # https only, as deployed


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
