import json

import pytest


def _post(client, path, body, headers):
    return client.http.post(
        path, body=json.dumps(body), headers={**headers, "Content-Type": "application/json"}
    )


@pytest.fixture
def alice(client, api_key):
    body = {"id": "alice", "name": "Alice", "contacts": ["alice@example.org"]}
    assert _post(client, "/subscribers", body, api_key).status_code == 201
    return "alice"


def _subscription(**extra):
    return {
        "subscriber": "alice",
        "resources": [
            {"name": "Incidents", "url": "http://127.0.0.1:8003/incidents/changes"},
            {"name": "Shelters", "url": "https://example.org/shelters/changes"},
        ],
        **extra,
    }


def test_it_creates_a_subscription_with_defaults(client, api_key, alice, clock):
    reply = _post(client, "/subscriptions", _subscription(), api_key)
    assert reply.status_code == 201
    created = json.loads(reply.body)
    assert created["notify_on"] == ["new"]
    assert created["frequency"] == "daily"
    assert created["method"] == ["email"]
    assert created["email_format"] == "text"
    assert created["filter"] == {}
    first = created["resources"][0]
    assert first["last_check_time"] == "2026-11-02T09:00:00.000000Z"
    assert first["next_check_time"] == "2026-11-03T09:00:00.000000Z"
    got = json.loads(client.http.get(f"/subscriptions/{created['id']}", headers=api_key).body)
    assert got == created


def test_it_refuses_bad_values_naming_the_field(client, api_key, alice):
    cases = [
        (_subscription(frequency="sometimes"), "frequency"),
        (_subscription(notify_on=["new", "deleted"]), "notify_on"),
        (_subscription(method=["sms"]), "method[0]"),
        (_subscription(email_format="pdf"), "email_format"),
        (_subscription(filter=[1]), "filter"),
        ({**_subscription(), "subscriber": "bob"}, "subscriber"),
        ({**_subscription(), "resources": []}, "resources"),
        ({**_subscription(), "resources": [{"name": "R", "url": "ftp://x/y"}]}, "resources[0].url"),
        (
            {**_subscription(), "resources": [{"name": "R\nBcc: x", "url": "http://x.org/"}]},
            "resources[0].name",
        ),
    ]
    for body, field in cases:
        reply = _post(client, "/subscriptions", body, api_key)
        assert reply.status_code == 400, body
        assert json.loads(reply.body)["field"] == field
    listed = json.loads(client.http.get("/subscriptions", headers=api_key).body)
    assert listed["subscriptions"] == []


def test_it_lists_by_subscriber(client, api_key, alice):
    _post(client, "/subscribers", {"id": "bob", "name": "Bob", "contacts": ["b@b.org"]}, api_key)
    _post(client, "/subscriptions", _subscription(), api_key)
    _post(client, "/subscriptions", {**_subscription(), "subscriber": "bob"}, api_key)
    everyone = json.loads(client.http.get("/subscriptions", headers=api_key).body)
    assert len(everyone["subscriptions"]) == 2
    bobs = json.loads(client.http.get("/subscriptions?subscriber=bob", headers=api_key).body)
    assert [s["subscriber"] for s in bobs["subscriptions"]] == ["bob"]


def test_it_replaces_keeping_check_times_and_deletes(client, api_key, alice, clock):
    created = json.loads(_post(client, "/subscriptions", _subscription(), api_key).body)
    clock.shift(3600)
    changed = _subscription(frequency="hourly", notify_on=["new", "upd"])
    changed["resources"] = changed["resources"][:1]
    reply = client.http.put(
        f"/subscriptions/{created['id']}",
        body=json.dumps(changed),
        headers={**api_key, "Content-Type": "application/json"},
    )
    assert reply.status_code == 200
    updated = json.loads(reply.body)
    assert [r["name"] for r in updated["resources"]] == ["Incidents"]
    assert updated["resources"][0]["last_check_time"] == "2026-11-02T09:00:00.000000Z"
    # An hour since the last check: due at once under the new frequency.
    assert updated["resources"][0]["next_check_time"] == "2026-11-02T10:00:00.000000Z"
    path = f"/subscriptions/{created['id']}"
    assert client.http.delete(path, headers=api_key).status_code == 204
    assert client.http.get(path, headers=api_key).status_code == 404
