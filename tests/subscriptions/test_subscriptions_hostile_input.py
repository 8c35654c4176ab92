"""Hostile input on every /subscribers and /subscriptions route: a 4xx naming the problem,
never a 500, and nothing stored."""

import json

import pytest

NESTED = "[" * 100_000 + "]" * 100_000
HUGE_ID = "a" * 5000
BODIES = [
    "null",
    "[]",
    '"text"',
    "42",
    "{nope",
    NESTED,
    json.dumps({"name": ["A"], "contacts": {"a": 1}}),
    json.dumps({"name": "A", "contacts": [{"address": "a@b.org", "priority": 1e400}]}),
    json.dumps({"name": "A", "contacts": [{"address": "a@b.org", "priority": True}]}),
    json.dumps({"name": "A", "contacts": [["a@b.org"]]}),
    json.dumps({"name": "A", "contacts": ["a\\ud800@b.org"]}).replace("\\\\", "\\"),
    json.dumps({"name": "A\\ud800", "contacts": ["a@b.org"]}).replace("\\\\", "\\"),
    json.dumps({"name": "A\u2028Bcc: x@evil.org", "contacts": ["a@b.org"]}),
    json.dumps({"name": "A\x00", "contacts": ["a@b.org"]}),
    json.dumps({"name": "A" * 100_000, "contacts": ["a@b.org"]}),
    json.dumps({"name": "A", "contacts": ["ä@bücher.example"]}),
    json.dumps({"name": "A", "contacts": ["x@[1.2.3.4", "a@b.org"]}),
    json.dumps({"name": "A", "members": [None]}),
    json.dumps({"name": "A", "members": [HUGE_ID]}),
    json.dumps({"id": HUGE_ID, "name": "A", "contacts": ["a@b.org"]}),
    json.dumps({"name": "A", "contacts": ["a@b.org"] * 11}),
]
GOOD_RESOURCE = [{"name": "R", "url": "http://x.org/"}]


def _with(**fields) -> str:
    return json.dumps({"subscriber": "alice", "resources": GOOD_RESOURCE, **fields})


SUBSCRIPTION_BODIES = [
    "null",
    "{nope",
    NESTED,
    _with(subscriber=["alice"]),
    _with(subscriber=HUGE_ID),
    _with(resources="http://x.org/"),
    _with(resources=[["R", "http://x.org/"]]),
    _with(resources=[{"name": 1, "url": "http://x.org/"}]),
    _with(resources=[{"name": "R", "url": 5}]),
    _with(resources=[{"name": "R", "url": "http://[::1"}]),
    _with(resources=[{"name": "R\u0085x", "url": "http://x.org"}]),
    _with(resources=GOOD_RESOURCE * 21),
    _with(resources=[{"name": "R", "url": "http://x.org/\\udfff"}]).replace("\\\\", "\\"),
    _with(filter={"a": 1}).replace("1}", "NaN}"),
    _with(filter=0).replace("0}", '{"a":' * 5000 + "1" + "}" * 5001),
    _with(filter={"a": "x" * 10_000}),
    _with(frequency=["daily"]),
    _with(email_format={"html": 1}),
    _with(notify_on=[["new"]], method="email"),
    _with(notify_on=[]),
]


def _send(client, method, path, body, headers):
    headers = {**headers, "Content-Type": "application/json"}
    return getattr(client.http, method)(path, body=body, headers=headers)


@pytest.fixture
def alice(client, api_key):
    body = json.dumps({"id": "alice", "name": "Alice", "contacts": ["alice@example.org"]})
    assert _send(client, "post", "/subscribers", body, api_key).status_code == 201


def _refused(reply) -> dict:
    assert 400 <= reply.status_code < 500, reply.body[:300]
    answer = json.loads(reply.body)
    assert answer["Message"]
    return answer


@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
def test_it_refuses_hostile_subscribers_without_storing_them(client, api_key, alice, body):
    for method, path in [("post", "/subscribers"), ("put", "/subscribers/alice")]:
        _refused(_send(client, method, path, body, api_key))
    listed = json.loads(client.http.get("/subscribers", headers=api_key).body)["subscribers"]
    assert [(s["id"], s["name"]) for s in listed] == [("alice", "Alice")]


@pytest.mark.parametrize("body", SUBSCRIPTION_BODIES, ids=range(len(SUBSCRIPTION_BODIES)))
def test_it_refuses_hostile_subscriptions_without_storing_them(client, api_key, alice, body):
    good = {"subscriber": "alice", "resources": [{"name": "R", "url": "http://x.org/"}]}
    created = json.loads(_send(client, "post", "/subscriptions", json.dumps(good), api_key).body)
    for method, path in [("post", "/subscriptions"), ("put", f"/subscriptions/{created['id']}")]:
        _refused(_send(client, method, path, body, api_key))
    listed = json.loads(client.http.get("/subscriptions", headers=api_key).body)["subscriptions"]
    assert [s["frequency"] for s in listed] == ["daily"]


@pytest.mark.parametrize("odd_id", [HUGE_ID, "%F0%9F%98%80", "..%2F..%2Fetc", "A B", "x%00y"])
def test_odd_ids_in_the_path_are_not_found(client, api_key, odd_id):
    body = json.dumps({"name": "A", "contacts": ["a@b.org"]})
    for kind in ("subscribers", "subscriptions"):
        path = f"/{kind}/{odd_id}"
        assert client.http.get(path, headers=api_key).status_code == 404
        assert client.http.delete(path, headers=api_key).status_code == 404
        assert _send(client, "put", path, body, api_key).status_code in (400, 404)


def test_an_odd_subscriber_filter_lists_nothing(client, api_key, alice):
    for odd in (HUGE_ID, "%F0%9F%98%80", "al%23"):
        reply = client.http.get(f"/subscriptions?subscriber={odd}", headers=api_key)
        assert reply.status_code == 200
        assert json.loads(reply.body) == {"subscriptions": []}
