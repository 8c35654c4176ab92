"""Subscriptions whose `method` names a channel: a team's chat gets the
changes, once per window, and only channels that can take news are allowed."""

import json

import pytest

from tests.hooks.conftest import drain, endpoint, local_mode
from tests.subscriptions.test_failures import crash_before_finishing_once

__all__ = ["drain", "endpoint", "local_mode"]


@pytest.fixture
def slack(endpoint):
    from chalicelib.core.channels import store

    return store.create("slack", "team chat", {"url": endpoint.url})


def _posted(endpoint) -> list[str]:
    return ["\n".join(b["text"]["text"] for b in body["blocks"][1:2]) for body in endpoint.bodies()]


def test_it_posts_the_changes_to_the_channel_instead_of_mailing(herald, slack, endpoint, drain):
    herald.subscribe(method=[slack["id"]])
    herald.clock.shift(60)
    herald.sample.put({"title": "Landslide on the <b>A9</b>"})
    herald.cycle()
    drain()
    assert herald.mails() == []
    [message] = endpoint.bodies()
    assert message["text"] == "Herald Update Notification: Incidents"
    assert "1 new record in Incidents since" in _posted(endpoint)[0]
    assert "[new] Landslide on the &lt;b&gt;A9&lt;/b&gt;" in _posted(endpoint)[0]


def test_it_mails_and_posts_when_the_method_names_both(herald, slack, endpoint, drain):
    herald.subscribe(method=["email", slack["id"]])
    herald.clock.shift(60)
    herald.sample.put({"title": "Storm"})
    herald.cycle()
    drain()
    assert [m["To"] for m in herald.mails()] == ["alice@example.org"]
    assert len(endpoint.requests) == 1


def test_a_window_told_again_after_a_crash_posts_once(herald, slack, endpoint, drain, monkeypatch):
    from chalicelib.subscriptions import cycle

    herald.subscribe(method=[slack["id"]])
    herald.clock.shift(60)
    herald.sample.put({"title": "Landslide"})
    crash_before_finishing_once(monkeypatch)
    herald.cycle()
    herald.clock.shift(cycle.LEASE_SECONDS + 300)
    herald.cycle()  # the same window again: the same notice id
    drain()
    drain()
    assert len(endpoint.requests) == 1


def test_an_email_channel_as_method_mails_its_recipients(herald):
    from chalicelib.core.channels import store

    team = store.create("email", "team", {"recipients": ["team@example.org"]})
    herald.subscribe(method=[team["id"]])
    herald.clock.shift(60)
    herald.sample.put({"title": "Storm"})
    herald.cycle()
    [mail] = herald.mails()
    assert mail["To"] == "team@example.org" and "Storm" in mail.get_body().get_content()


@pytest.mark.parametrize(
    ("method", "named"),
    [
        (["sms"], "method[0]"),
        (["email", "0123456789abcdef"], "method[1]"),
        ([], "method"),
        ("email," * 11, "method"),
    ],
)
def test_it_refuses_a_method_that_is_no_channel(method, named, herald, client, api_key):
    body = {"subscriber": "alice", "method": method}
    body["resources"] = [{"name": "Incidents", "url": herald.sample.changes_url}]
    reply = client.http.post("/subscriptions", headers=api_key, body=json.dumps(body))
    assert reply.status_code == 400
    assert json.loads(reply.body)["Message"].startswith(named)
    assert json.loads(client.http.get("/subscriptions", headers=api_key).body) == {
        "subscriptions": []
    }


def test_it_refuses_a_pager_as_a_subscription_method(herald, client, api_key):
    from chalicelib.core.channels import store

    pager = store.create("pagerduty", "on call", {"routing_key": "a" * 32})
    body = {"subscriber": "alice", "method": [pager["id"]]}
    body["resources"] = [{"name": "Incidents", "url": herald.sample.changes_url}]
    reply = client.http.post("/subscriptions", headers=api_key, body=json.dumps(body))
    assert reply.status_code == 400 and "opens incidents" in json.loads(reply.body)["Message"]
