import json


def _post(client, path, body, headers):
    return client.http.post(
        path, body=json.dumps(body), headers={**headers, "Content-Type": "application/json"}
    )


def test_it_creates_and_reads_a_subscriber(client, api_key):
    body = {"id": "alice", "name": "Alice", "contacts": [{"address": "a@example.org"}]}
    reply = _post(client, "/subscribers", body, api_key)
    assert reply.status_code == 201
    got = json.loads(client.http.get("/subscribers/alice", headers=api_key).body)
    assert got["name"] == "Alice"
    assert got["contacts"] == [{"address": "a@example.org", "priority": 1, "method": "email"}]
    listed = json.loads(client.http.get("/subscribers", headers=api_key).body)
    assert [s["id"] for s in listed["subscribers"]] == ["alice"]


def test_it_refuses_bad_values_naming_the_field(client, api_key):
    cases = [
        ({"name": "A", "contacts": [{"address": "nope"}]}, "contacts[0].address"),
        (
            {"name": "A", "contacts": [{"address": "a@b.org", "priority": -1}]},
            "contacts[0].priority",
        ),
        ({"name": "A\r\nBcc: x@evil.org", "contacts": ["a@b.org"]}, "name"),
        ({"name": "A"}, "contacts"),
        ({"name": "A", "members": ["ghost"]}, "members[0]"),
        ({"name": "A", "contacts": ["a@b.org"], "colour": "red"}, "colour"),
        ({"id": "Not Valid", "name": "A", "contacts": ["a@b.org"]}, "id"),
    ]
    for body, field in cases:
        reply = _post(client, "/subscribers", body, api_key)
        assert reply.status_code == 400, body
        assert json.loads(reply.body)["field"] == field
    assert json.loads(client.http.get("/subscribers", headers=api_key).body)["subscribers"] == []


def test_it_refuses_non_json(client, api_key):
    reply = client.http.post(
        "/subscribers", body="{nope", headers={**api_key, "Content-Type": "application/json"}
    )
    assert reply.status_code == 400


def test_it_needs_a_key_and_a_writable_one_to_change(client, read_only_key):
    body = {"name": "A", "contacts": ["a@b.org"]}
    assert _post(client, "/subscribers", body, {}).status_code == 401
    assert _post(client, "/subscribers", body, read_only_key).status_code == 403
    assert client.http.get("/subscribers", headers=read_only_key).status_code == 200


def test_it_keeps_groups_one_level_deep(client, api_key):
    _post(client, "/subscribers", {"id": "a", "name": "A", "contacts": ["a@b.org"]}, api_key)
    group = {"id": "g", "name": "G", "members": ["a"]}
    assert _post(client, "/subscribers", group, api_key).status_code == 201
    nested = {"id": "h", "name": "H", "members": ["g"]}
    reply = _post(client, "/subscribers", nested, api_key)
    assert reply.status_code == 400
    assert json.loads(reply.body)["field"] == "members[0]"


def test_it_replaces_and_deletes_a_subscriber(client, api_key):
    _post(client, "/subscribers", {"id": "a", "name": "A", "contacts": ["a@b.org"]}, api_key)
    reply = client.http.put(
        "/subscribers/a",
        body=json.dumps({"name": "Ann", "contacts": ["ann@b.org"]}),
        headers={**api_key, "Content-Type": "application/json"},
    )
    assert reply.status_code == 200
    assert json.loads(reply.body)["name"] == "Ann"
    assert client.http.delete("/subscribers/a", headers=api_key).status_code == 204
    assert client.http.get("/subscribers/a", headers=api_key).status_code == 404
    assert client.http.delete("/subscribers/a", headers=api_key).status_code == 404


def test_it_refuses_a_duplicate_id_and_deleting_a_subscriber_in_use(client, api_key):
    body = {"id": "a", "name": "A", "contacts": ["a@b.org"]}
    _post(client, "/subscribers", body, api_key)
    assert _post(client, "/subscribers", body, api_key).status_code == 409
    sub = {"subscriber": "a", "resources": [{"name": "R", "url": "http://127.0.0.1:1/r"}]}
    assert _post(client, "/subscriptions", sub, api_key).status_code == 201
    assert client.http.delete("/subscribers/a", headers=api_key).status_code == 409


def test_a_replacement_keeps_the_id_of_its_path(client, api_key):
    _post(client, "/subscribers", {"id": "a", "name": "A", "contacts": ["a@b.org"]}, api_key)
    headers = {**api_key, "Content-Type": "application/json"}
    other = json.dumps({"id": "b", "name": "B", "contacts": ["b@b.org"]})
    reply = client.http.put("/subscribers/a", body=other, headers=headers)
    assert reply.status_code == 400
    assert json.loads(reply.body)["field"] == "id"
    assert client.http.get("/subscribers/b", headers=api_key).status_code == 404
