"""One way to answer HTTP: hostile bodies are a 400 in one shape on every route."""

import json

import pytest

NESTED = b"[" * 1000 + b"]" * 1000
ROUTES = [
    ("POST", "/monitors"),
    ("PUT", "/monitors/backup"),
    ("POST", "/hooks"),
    ("PATCH", "/hooks/0123456789abcdef"),
    ("POST", "/subscribers"),
    ("POST", "/subscriptions"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize(
    "body", [NESTED, b'{"name": "\\ud800"}', b"\xff\xfe", b"{", b"x" * 300_000]
)
def test_a_hostile_body_is_a_400_naming_the_body(client, api_key, method, path, body):
    reply = client.http.request(
        method, path, body=body, headers={**api_key, "Content-Type": "application/json"}
    )
    assert reply.status_code == 400, reply.body
    error = json.loads(reply.body)
    assert error["Code"] == "BadRequestError"
    assert error["field"] == "body"


def test_the_testing_login_refuses_nested_json_too(client, monkeypatch):
    monkeypatch.setenv("HERALD_TESTING_PASSWORD", "pw")
    reply = client.http.post(
        "/testing/login",
        body=NESTED,
        headers={"Content-Type": "application/json", "X-Herald-Testing": "1"},
    )
    assert reply.status_code == 400
    assert reply.headers["Cache-Control"] == "no-store"


def test_an_unknown_query_parameter_is_named(client, api_key):
    reply = client.http.get("/runs?colour=blue", headers=api_key)
    assert reply.status_code == 400
    assert "colour" in json.loads(reply.body)["Message"]
