"""GET /suppressions and DELETE /suppressions/{address}: see and lift the list."""

import json

import boto3

from tests.mail.conftest import bounce, envelope


def test_it_lists_suppressions_for_any_key(client, deliver, read_only_key, clock):
    deliver(envelope(bounce("gone@example.org", "mon-1", subtype="NoEmail")))
    reply = client.http.get("/suppressions", headers=read_only_key)
    assert reply.status_code == 200
    [entry] = json.loads(reply.body)["suppressions"]
    assert entry["address"] == "gone@example.org"
    assert entry["mail_id"] == "mon-1"
    assert entry["reason"].startswith("mailbox does not exist")
    assert entry["since"] == "2026-11-02T09:00:00Z" or entry["since"].startswith("2026-11-02")


def test_it_refuses_without_a_key(client, aws):
    assert client.http.get("/suppressions").status_code in (401, 403)
    assert client.http.delete("/suppressions/a%40example.org").status_code in (401, 403)


def test_a_read_only_key_cannot_lift(client, deliver, read_only_key):
    deliver(envelope(bounce("gone@example.org")))
    reply = client.http.delete("/suppressions/gone%40example.org", headers=read_only_key)
    assert reply.status_code == 403


def test_it_lifts_a_suppression_in_any_case_and_404s_the_second_time(client, deliver, api_key):
    deliver(envelope(bounce("gone@example.org")))
    reply = client.http.delete("/suppressions/Gone%40Example.org", headers=api_key)
    assert reply.status_code == 200
    assert json.loads(reply.body)["lifted"]["address"] == "gone@example.org"
    assert json.loads(client.http.get("/suppressions", headers=api_key).body) == {
        "suppressions": []
    }
    again = client.http.delete("/suppressions/gone%40example.org", headers=api_key)
    assert again.status_code == 404


def test_a_bad_address_is_a_400_naming_it(client, api_key):
    reply = client.http.delete("/suppressions/not-an-address", headers=api_key)
    assert reply.status_code == 400
    assert json.loads(reply.body)["field"] == "address"


def test_a_suppressed_mail_is_announced_as_mail_suppressed(deliver, aws):
    from dataclasses import asdict

    from chalicelib.core import aws as clients
    from chalicelib.core import outbox
    from tests.helpers import sqs_event

    deliver(envelope(bounce("gone@example.org")))
    mail = outbox.Mail(to="gone@example.org", subject="s", text="t", kind="monitor.down", id="m1")
    outbox.handle(sqs_event([json.dumps(asdict(mail))]))
    got = boto3.client("sqs").receive_message(
        QueueUrl=clients.queue_url("hooks"), MaxNumberOfMessages=10, WaitTimeSeconds=0
    )
    events = [json.loads(m["Body"])["detail"] for m in got.get("Messages", [])]
    [event] = [e for e in events if e["type"] == "mail.suppressed"]
    assert event["source"] == "gone@example.org"
    assert event["data"]["mail_id"] == "m1"
    assert event["data"]["kind"] == "monitor.down"
