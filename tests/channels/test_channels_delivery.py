"""A monitor's alerts reach the channels it names, once each, retried, and a
channel that keeps refusing is disabled and its operator told."""

import json

import pytest

from tests.helpers import text_of


@pytest.fixture
def slack(endpoint):
    """A Slack channel whose hook URL is the loopback endpoint."""
    from chalicelib.core.channels import store

    return store.create("slack", "alerts", {"url": endpoint.url})


@pytest.fixture
def watched(slack, aws):
    from chalicelib.monitors import admin, store

    settings = {"timeout": 300, "grace": 60, "channels": [slack["id"]]}
    admin.upsert("backup", settings)
    item = store.get("backup")
    return {"name": "backup", "uuid": store.uuid_for("backup", store.generation(item))}


def _headers(endpoint) -> list[str]:
    return [body["blocks"][0]["text"]["text"] for body in endpoint.bodies()]


def test_it_tells_a_slack_channel_when_a_monitor_goes_down_and_comes_back(
    watched, ping, run_checker, drain, endpoint, clock
):
    ping(watched)
    clock.shift(361)
    run_checker()
    drain()
    assert len(endpoint.requests) == 1
    assert "backup disconnection detected" in _headers(endpoint)[0]
    ping(watched)
    drain()
    assert "backup is back up" in _headers(endpoint)[1]


def test_it_sends_one_message_when_the_notice_is_told_twice(
    watched, ping, run_checker, drain, endpoint, clock, slack
):
    from chalicelib.core.channels import delivery
    from chalicelib.monitors import notices, store

    ping(watched)
    clock.shift(361)
    run_checker()
    item = store.get("backup")
    told = notices.build(
        item, {**item["outgoing"]} if item.get("outgoing") else _last(item), item["pk"][4:]
    )
    delivery.enqueue(told, [slack["id"]])  # the same notice, from a second teller
    drain()
    drain()
    assert len(endpoint.requests) == 1


def _last(item):
    seq = int(item["alert_seq"])
    return {"kind": "down", "seq": seq, "at": item["last_alert"], "last_ping": item["last_ping"]}


def test_it_retries_a_failing_service_after_its_retry_after(
    watched, ping, run_checker, drain, endpoint, clock
):
    endpoint.replies = [(503, {"Retry-After": "120"})]
    ping(watched)
    clock.shift(361)
    run_checker()
    drain()
    assert len(endpoint.requests) == 1
    clock.shift(130)  # past Retry-After (and the first backoff)
    drain()
    assert len(endpoint.requests) == 2


def test_it_disables_a_channel_that_keeps_refusing_and_tells_the_operator(
    slack, endpoint, drain, clock, monkeypatch, deliver_outbox, sent_mail, client, api_key
):
    from chalicelib.core.channels import delivery, sending, store

    monkeypatch.setenv("OPERATOR_EMAIL", "operator@example.com")
    endpoint.replies = [(404, {})] * 5
    notice = sending.test_notice(slack)
    delivery.enqueue(notice, [slack["id"]])
    for _ in range(4):
        drain()
        clock.shift(4 * 3600)
    assert len(endpoint.requests) == 3
    shown = json.loads(client.http.get(f"/channels/{slack['id']}", headers=api_key).body)
    assert shown["enabled"] is False and "refused 3 times" in shown["disabled_reason"]
    deliver_outbox()
    assert [m["Subject"] for m in sent_mail()] == ["Herald disabled the slack channel alerts"]
    told = " ".join(text_of(sent_mail()[0]).split())
    assert f"herald channels update {slack['id']} -c KEY=VALUE" in told  # what to do about it
    store.update(slack["id"], {"enabled": True})
    assert store.get(slack["id"]).get("refusals") is None


def test_it_skips_a_disabled_or_deleted_channel(
    watched, slack, ping, run_checker, drain, endpoint, clock
):
    from chalicelib.core.channels import store

    store.update(slack["id"], {"enabled": False})
    ping(watched)
    clock.shift(361)
    run_checker()
    drain()
    assert endpoint.requests == []


def test_it_refuses_a_monitor_naming_a_channel_that_does_not_exist(client, api_key):
    body = {"timeout": 300, "channels": ["0123456789abcdef"]}
    reply = client.http.put("/monitors/x", headers=api_key, body=json.dumps(body))
    assert reply.status_code == 400 and "monitor.channels" in json.loads(reply.body)["Message"]


def test_it_logs_an_email_channels_alerts_in_its_delivery_log(
    aws, ping, run_checker, clock, deliver_outbox, sent_mail, client, api_key
):
    from chalicelib.core.channels import store
    from chalicelib.monitors import admin
    from chalicelib.monitors import store as monitors

    team = store.create("email", "team", {"recipients": ["team@example.com"]})
    admin.upsert("backup", {"timeout": 300, "grace": 60, "channels": [team["id"]]})
    item = monitors.get("backup")
    ping({"name": "backup", "uuid": monitors.uuid_for("backup", monitors.generation(item))})
    clock.shift(361)
    run_checker()
    run_checker()  # a second look at the same outage tells nobody again
    deliver_outbox()
    assert [(m["To"], m["Subject"]) for m in sent_mail()] == [
        ("team@example.com", "backup disconnection detected")
    ]
    reply = client.http.get(f"/channels/{team['id']}/deliveries", headers=api_key)
    log = json.loads(reply.body)["deliveries"]
    assert [entry["status"] for entry in log] == ["queued"]
    assert "1 mails on the outbox" in log[0]["answer"]
