"""Hostile input on every /hooks route: a 4xx with a JSON message, never a 500,
and nothing stored or changed."""

import json

import pytest

ODD = [
    "",
    " ",
    "\x00",
    "é" * 3,
    "\u202e\ufeff",
    "\ud800",
    "x" * 100_000,
    "../../etc/passwd",
    "%2e%2e%2f",
    "monitor.*",
    "0" * 40,
]
VALUES = [None, True, 0, -1, 10**30, 1.5, float("nan"), [], {}, ["webhook"], {"a": 1}, *ODD]
HOOK_FIELDS = ["node", "service", "type", "arg", "persistent", "ttl"]


def body_cases():
    base = {"node": "monitor.down", "type": "python", "arg": "log_event"}
    for field in HOOK_FIELDS:
        for value in VALUES:
            yield {**base, field: value}
    yield from ([], "text", 7, None, {"node": "monitor.down"}, {"extra": 1, **base})


def encode(body) -> bytes:
    try:
        return json.dumps(body).encode()
    except ValueError:
        return repr(body).encode()


def assert_refused_properly(reply) -> None:
    assert 400 <= reply.status_code < 500, reply.body[:300]
    message = json.loads(reply.body)["Message"]
    assert isinstance(message, str) and message


@pytest.fixture
def stored(aws):
    """Every item in the hooks table (a Scan is fine in a test)."""
    import boto3

    from chalicelib.hooks import store as hooks

    def items():
        table = boto3.resource("dynamodb").Table(__import__("os").environ[hooks.TABLE])
        return table.scan()["Items"]

    return items


def test_create_refuses_hostile_bodies(client, api_key, resolver, stored):
    headers = {**api_key, "Content-Type": "application/json"}
    for body in body_cases():
        reply = client.http.post("/hooks", body=encode(body), headers=headers)
        if reply.status_code == 201:  # some odd values are fine (a service of "é")
            client.http.delete(f"/hooks/{json.loads(reply.body)['id']}", headers=api_key)
            continue
        assert_refused_properly(reply)
    for raw in (b"\xff\xfe", b"{", b'{"node": "a"' + b" " * 100_000, b"[]" * 10):
        assert_refused_properly(client.http.post("/hooks", body=raw, headers=headers))
    assert stored() == []


@pytest.mark.parametrize("hook_id", ["x", "A" * 5000, "é", "%00", "..", "0" * 16, "ffff"])
def test_routes_on_an_odd_id_answer_404(client, api_key, hook_id):
    headers = {**api_key, "Content-Type": "application/json"}
    for method, path, body in [
        ("GET", f"/hooks/{hook_id}", b""),
        ("DELETE", f"/hooks/{hook_id}", b""),
        ("PATCH", f"/hooks/{hook_id}", b'{"enabled": true}'),
        ("POST", f"/hooks/{hook_id}/rotate-secret", b""),
        ("GET", f"/hooks/{hook_id}/deliveries", b""),
    ]:
        reply = client.http.request(method, path, body=body, headers=headers)
        assert reply.status_code == 404, (method, path)
        assert_refused_properly(reply)


def test_patch_refuses_hostile_bodies(client, api_key, make_hook, stored):
    hook, _ = make_hook()
    before = stored()
    headers = {**api_key, "Content-Type": "application/json"}
    for value in VALUES:
        for body in ({"enabled": value}, {"enabled": False, "node": value}, value):
            if body in ({"enabled": True},):
                continue
            reply = client.http.patch(f"/hooks/{hook['id']}", body=encode(body), headers=headers)
            assert_refused_properly(reply)
    assert stored() == before


@pytest.mark.parametrize(
    "query",
    [
        "status=gone",
        "status=",
        "limit=0",
        "limit=1001",
        "limit=-5",
        "limit=1e3",
        "limit=00001000000",  # the first five digits say 1
        "limit=" + "9" * 5000,
        "limit=%00",
        "limit=%E2%80%AE",
    ],
)
def test_deliveries_refuse_hostile_parameters(client, api_key, make_hook, query):
    hook, _ = make_hook()
    reply = client.http.get(f"/hooks/{hook['id']}/deliveries?{query}", headers=api_key)
    assert reply.status_code == 400
    assert_refused_properly(reply)


@pytest.mark.parametrize(
    "query", ["nodes=x", "node=%00&type=" + "é" * 1000, "arg=" + "x" * 5000, "type=python_code"]
)
def test_delete_matching_with_odd_values_removes_nothing_it_should_not(
    client, api_key, make_hook, query, stored
):
    make_hook()
    before = stored()
    reply = client.http.delete(f"/hooks?{query}", headers=api_key)
    assert reply.status_code in (200, 400)
    if reply.status_code == 200:
        assert json.loads(reply.body) == {"deleted": 0}
    else:
        assert_refused_properly(reply)
    assert stored() == before


@pytest.mark.parametrize(
    "type_, arg",
    [
        ("python_file", "x" * 5000 + ".py"),  # longer than a file name may be
        ("python_file", "x" * 190 + ".py"),
        ("python", "a." * 3000 + "b"),  # nested packages deep enough to recurse
        ("python", "nosuch.sub"),  # a parent that is no package
        ("python", "log_event.sub"),
        ("python", "log_event:" + "f" * 300),
        ("python_file", "log_event.py/../../x.py"),
        ("python_file", "é\u202e.py"),
    ],
)
def test_create_refuses_odd_python_hook_names(client, api_key, stored, type_, arg):
    body = {"node": "monitor.down", "type": type_, "arg": arg}
    reply = client.http.post(
        "/hooks",
        body=json.dumps(body).encode(),
        headers={**api_key, "Content-Type": "application/json"},
    )
    assert reply.status_code == 400
    assert_refused_properly(reply)
    assert stored() == []
