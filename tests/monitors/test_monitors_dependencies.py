"""Dependencies: a child of a down parent is blocked and tells nobody; the
parent's alert names its children; after the parent recovers a child still
silent alerts after its own grace; cycles are refused."""

import json

import pytest

from tests.monitors.test_monitors_policy import walk

__all__ = ["walk"]


@pytest.fixture
def pair(make_monitor, ping, clock):
    """A router and a device behind it, both pinged now (down 6 min later)."""
    router = make_monitor("router", timeout=300, grace=60)
    device = make_monitor("device", timeout=300, grace=60, depends_on="router")
    for monitor in (router, device):
        assert ping(monitor).status_code == 200
    return router, device


def _item(name):
    from chalicelib.monitors import store

    return store.get(name)


def test_a_child_of_a_down_parent_is_blocked_and_only_the_parent_alerts(pair, walk, sent_mail):
    assert walk(7) == ["router disconnection detected"]
    text = sent_mail()[-1].get_body(("plain",)).get_content()
    assert "Depending on it: device." in text
    assert _item("device")["status"] == "blocked"
    assert walk(20) == []  # blocked, not reminded, not alerted


def test_a_child_still_silent_after_the_parent_recovers_alerts_after_its_grace(pair, walk, ping):
    router, _ = pair
    walk(10)
    ping(router)
    assert walk(1) == ["router is back up"]
    assert walk(1) == []  # the device's grace (60 s) counts from the recovery
    assert walk(1) == ["device disconnection detected"]


def test_a_child_alerted_after_its_parent_recovers_has_that_outage_in_its_history(
    pair, walk, ping, client, api_key
):
    router, _ = pair
    walk(10)
    ping(router)
    assert walk(3)[-1] == "device disconnection detected"  # unblocked 09:11, grace 60 s
    reply = client.http.get("/monitors/device/flips", headers=api_key)
    flips = [(f["status"], f["time"][11:19]) for f in json.loads(reply.body)["flips"]]
    # before: no flip after "blocked", though its alert said it was down
    assert flips[-2:] == [("blocked", "09:07:00"), ("down", "09:12:00")]


def test_a_failure_of_a_child_while_the_parent_is_down_is_not_told(pair, walk, ping):
    _, device = pair
    walk(7)
    assert ping(device, "fail").status_code == 200
    assert walk(3) == []


def test_a_child_whose_parent_is_up_alerts_as_usual(make_monitor, ping, walk, clock):
    make_monitor("router", timeout=86400, grace=60)
    device = make_monitor("device", timeout=300, grace=60, depends_on="router")
    ping(device)
    assert walk(7) == ["device disconnection detected"]


def test_the_parent_lists_its_children_as_they_change(pair, make_monitor, client, api_key):
    from chalicelib.monitors import admin

    make_monitor("switch", timeout=300, grace=60, depends_on="router")
    shown = json.loads(client.http.get("/monitors/router", headers=api_key).body)
    assert shown["dependents"] == ["device", "switch"]
    admin.delete("switch")
    admin.upsert("device", {"depends_on": None}, merge=True)
    assert "dependents" not in _item("router") or not _item("router")["dependents"]


@pytest.mark.parametrize(
    ("name", "parent", "says"),
    [
        ("router", "device", "a cycle"),
        ("device", "device", "a cycle"),
        ("device", "nope", "no monitor"),
    ],
)
def test_it_refuses_a_cycle_or_a_missing_parent(pair, name, parent, says, client, api_key):
    body = {"timeout": 300, "grace": 60, "depends_on": parent}
    reply = client.http.put(f"/monitors/{name}", headers=api_key, body=json.dumps(body))
    assert reply.status_code == 400
    message = json.loads(reply.body)["Message"]
    assert message.startswith("monitor.depends_on") and says in message
