"""/channels: create, list, change, test and delete alert channels; secrets stay in SSM."""

import json

import pytest


def _ssm_value(channel_id: str) -> dict:
    import boto3

    name = f"/herald/dev/channels/{channel_id}"
    reply = boto3.client("ssm").get_parameter(Name=name, WithDecryption=True)
    return {"type": reply["Parameter"]["Type"], "value": json.loads(reply["Parameter"]["Value"])}


def _table_text() -> str:
    """Everything the core table holds, as text (what a backup would show)."""
    import boto3

    from chalicelib.core import aws

    items = boto3.client("dynamodb").scan(TableName=aws.table("CORE_TABLE").name)["Items"]
    return json.dumps(items)


def test_it_creates_an_email_channel_and_lists_it(send):
    reply = send(
        "POST",
        "/channels",
        {"kind": "email", "name": "ops", "config": {"recipients": ["ops@example.com"]}},
    )
    assert reply.status_code == 201
    channel = reply.json_body
    assert channel["kind"] == "email" and channel["enabled"] is True
    assert channel["config"] == {"recipients": ["ops@example.com"]}
    listed = send("GET", "/channels").json_body["channels"]
    assert [c["id"] for c in listed] == [channel["id"]]


def test_it_never_shows_or_stores_a_secret_in_the_table(send):
    hook = "https://hooks.slack.com/services/T000/B000/SECRETsecretSECRET1234"
    created = send(
        "POST", "/channels", {"kind": "slack", "name": "alerts", "config": {"url": hook}}
    )
    assert created.status_code == 201, created.json_body
    channel = created.json_body
    assert channel["config"] == {"url": "...1234"} and channel["secrets"] == ["url"]
    assert hook not in json.dumps(send("GET", f"/channels/{channel['id']}").json_body)
    assert hook not in json.dumps(send("GET", "/channels").json_body)
    assert "SECRETsecret" not in _table_text()
    assert _ssm_value(channel["id"]) == {"type": "SecureString", "value": {"url": hook}}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "pigeon", "name": "x", "config": {}}, "kind"),
        ({"kind": "email", "name": "", "config": {"recipients": ["a@example.com"]}}, "name"),
        ({"kind": "email", "name": "x\ny", "config": {"recipients": ["a@example.com"]}}, "name"),
        (
            {"kind": "email", "name": "x", "config": {"recipients": ["not an address"]}},
            "config.recipients",
        ),
        ({"kind": "email", "name": "x", "config": {"url": "https://example.com"}}, "config.url"),
        ({"kind": "email", "name": "x", "config": []}, "config"),
        ({"kind": "email", "name": "x", "config": {}, "colour": "red"}, "colour"),
    ],
)
def test_it_refuses_a_bad_channel_naming_the_field_and_stores_nothing(send, body, field):
    reply = send("POST", "/channels", body)
    assert reply.status_code == 400
    assert field in reply.json_body["Message"] or reply.json_body.get("field") == field
    assert send("GET", "/channels").json_body["channels"] == []


def test_it_renames_disables_and_enables_a_channel(send):
    channel = send(
        "POST",
        "/channels",
        {"kind": "email", "name": "ops", "config": {"recipients": ["ops@example.com"]}},
    ).json_body
    path = f"/channels/{channel['id']}"
    assert (
        send("PATCH", path, {"name": "night shift", "enabled": False}).json_body["enabled"] is False
    )
    shown = send("GET", path).json_body
    assert shown["name"] == "night shift" and shown["enabled"] is False
    assert send("PATCH", path, {"enabled": True}).json_body["enabled"] is True
    assert send("PATCH", path, {"kind": "slack"}).status_code == 400


def test_it_replaces_a_secret_and_keeps_the_other_settings(send):
    old, new = (
        "https://hooks.slack.com/services/T/B/old0000000000aaaa",
        "https://hooks.slack.com/services/T/B/new0000000000bbbb",
    )
    channel = send(
        "POST", "/channels", {"kind": "slack", "name": "alerts", "config": {"url": old}}
    ).json_body
    changed = send("PATCH", f"/channels/{channel['id']}", {"config": {"url": new}}).json_body
    assert changed["config"] == {"url": "...bbbb"}
    assert _ssm_value(channel["id"])["value"] == {"url": new}


def test_it_deletes_a_channel_and_its_secret(send):
    import boto3

    channel = send(
        "POST",
        "/channels",
        {
            "kind": "slack",
            "name": "alerts",
            "config": {"url": "https://hooks.slack.com/services/T/B/x000000000000000"},
        },
    ).json_body
    assert send("DELETE", f"/channels/{channel['id']}").status_code == 200
    assert send("GET", f"/channels/{channel['id']}").status_code == 404
    assert send("DELETE", f"/channels/{channel['id']}").status_code == 404
    names = [p["Name"] for p in boto3.client("ssm").describe_parameters()["Parameters"]]
    assert f"/herald/dev/channels/{channel['id']}" not in names


def test_it_tests_an_email_channel_through_the_outbox(send, deliver_outbox, sent_mail):
    channel = send(
        "POST",
        "/channels",
        {"kind": "email", "name": "ops", "config": {"recipients": ["ops@example.com"]}},
    ).json_body
    reply = send("POST", f"/channels/{channel['id']}/test")
    assert reply.status_code == 200 and reply.json_body["status"] == "queued"
    deliver_outbox()
    assert [m["Subject"] for m in sent_mail()] == ["Test message for channel ops"]
    log = send("GET", f"/channels/{channel['id']}/deliveries").json_body["deliveries"]
    assert [entry["status"] for entry in log] == ["queued"]


def test_it_needs_a_read_write_key_to_change_channels(send, read_only_key):
    body = {"kind": "email", "name": "ops", "config": {"recipients": ["ops@example.com"]}}
    assert send("POST", "/channels", body, key=read_only_key).status_code == 403
    assert send("GET", "/channels", key=read_only_key).status_code == 200
    channel = send("POST", "/channels", body).json_body
    for method, path in (("PATCH", ""), ("DELETE", ""), ("POST", "/test")):
        reply = send(
            method,
            f"/channels/{channel['id']}{path}",
            {} if method == "PATCH" else None,
            key=read_only_key,
        )
        assert reply.status_code == 403, (method, path)
    assert (
        send("GET", f"/channels/{channel['id']}/deliveries", key=read_only_key).status_code == 200
    )


def test_it_answers_404_for_an_unknown_or_odd_channel_id(send):
    for channel_id in ("0123456789abcdef", "..", "a%2Fb", "x" * 200):
        assert send("GET", f"/channels/{channel_id}").status_code == 404


def test_healthchecks_clients_see_the_channels_and_which_a_check_names(send, client, api_key):
    url = "https://hooks.slack.com/services/T/B/hc00000000000000"
    slack = send("POST", "/channels", {"kind": "slack", "name": "alerts", "config": {"url": url}})
    teams_url = "https://prod.westus.logic.azure.com/workflows/x/triggers/manual"
    body = {"kind": "teams", "name": "ops", "config": {"url": teams_url}}
    teams = send("POST", "/channels", body)
    settings = {"timeout": 600, "channels": [slack.json_body["id"]]}
    assert send("PUT", "/monitors/nightly", settings).status_code == 201
    listed = json.loads(client.http.get("/api/v3/channels/", headers=api_key).body)["channels"]
    kinds = {channel["name"]: channel["kind"] for channel in listed}
    assert kinds == {"alerts": "slack", "ops": "msteamsw"} and teams.status_code == 201
    (check,) = json.loads(client.http.get("/api/v3/checks/", headers=api_key).body)["checks"]
    named = {channel["id"] for channel in listed if channel["name"] == "alerts"}
    assert set(check["channels"].split(",")) == named


def test_it_takes_another_vendor_endpoint_only_where_the_operator_allows_it(send, monkeypatch):
    body = {
        "kind": "pagerduty",
        "name": "pager",
        "config": {
            "routing_key": "e93facc04764012d7bfb002500d5d1a6",
            "api_url": "https://pd.example",
        },
    }
    refused = send("POST", "/channels", body)
    assert refused.status_code == 400 and "config.api_url" in refused.json_body["Message"]
    monkeypatch.setenv("CHANNELS_ALLOW_API_URL", "1")
    assert send("POST", "/channels", body).status_code == 201


def test_it_returns_a_generated_webhook_secret_once_then_only_its_hint(send):
    body = {"kind": "webhook", "name": "receiver", "config": {"url": "https://hooks.example/in"}}
    created = send("POST", "/channels", body)
    assert created.status_code == 201, created.json_body
    secret = created.json_body["shown_once"]["secret"]
    assert secret.startswith("whsec_") and len(secret) > 40
    path = f"/channels/{created.json_body['id']}"
    for shown in (send("GET", path).json_body, send("GET", "/channels").json_body["channels"][0]):
        assert "shown_once" not in shown and secret not in json.dumps(shown)
        assert shown["config"]["secret"] == "..." + secret[-4:]
    assert secret not in _table_text()


def test_it_keeps_time_code_and_duration_of_each_attempt_for_30_days(send, endpoint, clock):
    import boto3

    from chalicelib.core import aws
    from chalicelib.core import clock as herald_clock

    body = {"kind": "slack", "name": "alerts", "config": {"url": endpoint.url}}
    channel_id = send("POST", "/channels", body).json_body["id"]
    assert send("POST", f"/channels/{channel_id}/test").json_body["status"] == "sent"
    path = f"/channels/{channel_id}/deliveries"
    [entry] = send("GET", path).json_body["deliveries"]
    assert entry["time"] == herald_clock.iso(herald_clock.now())
    assert entry["code"] == 200 and isinstance(entry["duration_ms"], int)
    [item] = boto3.client("dynamodb").query(
        TableName=aws.table("CORE_TABLE").name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"CHANLOG#{channel_id}"}},
    )["Items"]
    assert int(item["expires_at"]["N"]) == int(herald_clock.epoch()) + 30 * 86400
    clock.shift(29 * 86400)
    assert len(send("GET", path).json_body["deliveries"]) == 1
    clock.shift(2 * 86400)  # past 30 days: DynamoDB's TTL may not have run yet
    assert send("GET", path).json_body["deliveries"] == []
