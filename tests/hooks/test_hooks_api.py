"""The /hooks routes: create, list, show, delete, enable, rotate, deliveries."""

import json

import pytest


def post(client, headers, body):
    return client.http.post(
        "/hooks", headers={**headers, "Content-Type": "application/json"}, body=json.dumps(body)
    )


WEBHOOK = {"node": "monitor.down", "type": "webhook", "arg": "https://hooks.example/in"}


def test_it_creates_a_webhook_and_shows_its_secret_once(client, api_key, resolver, clock):
    reply = post(client, api_key, {**WEBHOOK, "service": "backups"})
    assert reply.status_code == 201
    created = json.loads(reply.body)
    assert created["secret"].startswith("whsec_")
    assert created["node"] == "monitor.down" and created["service"] == "backups"
    assert created["persistent"] is False
    assert created["expires"] == "2026-11-03T09:00:00.000000Z"  # 24 h by default
    shown = json.loads(client.http.get(f"/hooks/{created['id']}", headers=api_key).body)
    assert "secret" not in shown and "salt" not in shown
    listed = json.loads(client.http.get("/hooks", headers=api_key).body)["hooks"]
    assert [h["id"] for h in listed] == [created["id"]]
    assert "secret" not in listed[0]


def test_it_never_stores_the_secret(client, api_key, resolver, aws):
    import boto3

    created = json.loads(post(client, api_key, WEBHOOK).body)
    items = boto3.client("dynamodb").scan(TableName=aws["HooksTable"])["Items"]
    assert created["secret"] not in json.dumps(items)
    assert created["secret"][len("whsec_") :] not in json.dumps(items)


def test_it_refuses_python_code_and_says_why(client, api_key):
    reply = post(client, api_key, {"node": "monitor.down", "type": "python_code", "arg": "1"})
    assert reply.status_code == 400
    message = json.loads(reply.body)["Message"]
    assert "python_code" in message and "permissions" in message


@pytest.mark.parametrize(
    "body, words",
    [
        ({**WEBHOOK, "type": "email"}, "type: must be one of"),
        ({**WEBHOOK, "node": ""}, "node: must be"),
        ({**WEBHOOK, "node": "monitor down"}, "node: must be"),
        ({**WEBHOOK, "arg": ""}, "arg: is required"),
        ({**WEBHOOK, "arg": "ftp://hooks.example/"}, "must use https"),
        ({**WEBHOOK, "arg": "https://user:pw@hooks.example/"}, "credentials"),
        ({**WEBHOOK, "arg": "https://10.0.0.7/in"}, "private"),
        ({**WEBHOOK, "arg": "https://169.254.169.254/latest"}, "link-local"),
        ({**WEBHOOK, "ttl": 5}, "ttl: must be"),
        ({**WEBHOOK, "ttl": 3600, "persistent": True}, "only to temporary"),
        ({**WEBHOOK, "persistent": "yes"}, "persistent: must be"),
        ({**WEBHOOK, "colour": "red"}, "colour: unknown field"),
        ({"node": "x", "type": "python", "arg": "os:system"}, "no module 'os'"),
        ({"node": "x", "type": "python", "arg": "no_such_hook"}, "no module"),
        ({"node": "x", "type": "python", "arg": "a;b"}, "not a module name"),
        ({"node": "x", "type": "python_file", "arg": "../hooks.py"}, "outside"),
        ({"node": "x", "type": "python_file", "arg": "/etc/passwd.py"}, "must be a .py file"),
    ],
)
def test_it_answers_400_saying_what_is_wrong(client, api_key, resolver, body, words):
    reply = post(client, api_key, body)
    assert reply.status_code == 400, reply.body
    refused = json.loads(reply.body)
    assert words in refused["Message"]
    if ": " in words:  # a value to blame: the reply names it
        assert refused["field"] == words.split(":")[0]
    assert json.loads(client.http.get("/hooks", headers=api_key).body)["hooks"] == []


def test_it_refuses_a_body_that_is_not_json(client, api_key):
    reply = client.http.post("/hooks", headers=api_key, body=b"{nope")
    assert reply.status_code == 400


def test_it_refuses_a_host_resolving_to_a_private_address(client, api_key, resolver):
    resolver["intranet.example"] = ["10.1.2.3"]
    reply = post(client, api_key, {**WEBHOOK, "arg": "https://intranet.example/x"})
    assert reply.status_code == 400
    assert "10.1.2.3" in json.loads(reply.body)["Message"]


def test_it_refuses_the_same_hook_twice(client, api_key, resolver):
    assert post(client, api_key, WEBHOOK).status_code == 201
    assert post(client, api_key, WEBHOOK).status_code == 409


def test_it_needs_an_api_key_and_a_writable_one_to_change(client, api_key, read_only_key):
    assert client.http.get("/hooks").status_code == 401
    assert post(client, read_only_key, WEBHOOK).status_code == 403
    assert client.http.get("/hooks", headers=read_only_key).status_code == 200
    assert client.http.delete("/hooks", headers=read_only_key).status_code == 403


def test_temporary_hooks_expire(client, api_key, resolver, clock):
    hook = json.loads(post(client, api_key, {**WEBHOOK, "ttl": 3600}).body)
    kept = {**WEBHOOK, "arg": "https://kept.example/", "persistent": True}
    persistent = json.loads(post(client, api_key, kept).body)
    clock.shift(3599)
    listed = json.loads(client.http.get("/hooks", headers=api_key).body)["hooks"]
    assert {h["id"] for h in listed} == {hook["id"], persistent["id"]}
    clock.shift(1)
    listed = json.loads(client.http.get("/hooks", headers=api_key).body)["hooks"]
    assert [h["id"] for h in listed] == [persistent["id"]]
    assert client.http.get(f"/hooks/{hook['id']}", headers=api_key).status_code == 404


def test_an_expired_hook_matches_no_event(aws, make_hook, clock):
    from chalicelib.hooks import store as hooks

    make_hook(persistent=False, ttl=60)
    event = {"id": "e1", "type": "monitor.down", "source": "backups", "time": "t"}
    assert len(hooks.matching(event)) == 1
    clock.shift(61)
    assert hooks.matching(event) == []


def test_it_deletes_one_hook(client, api_key, resolver):
    hook = json.loads(post(client, api_key, WEBHOOK).body)
    assert client.http.delete(f"/hooks/{hook['id']}", headers=api_key).status_code == 200
    assert client.http.delete(f"/hooks/{hook['id']}", headers=api_key).status_code == 404
    assert client.http.get(f"/hooks/{hook['id']}", headers=api_key).status_code == 404


def test_delete_with_empty_values_matches_all_and_returns_the_count(client, api_key, make_hook):
    make_hook("monitor.down")
    make_hook("monitor.up")
    make_hook("job.*", arg="https://other.example/")
    reply = client.http.delete("/hooks?type=webhook&arg=https://other.example/", headers=api_key)
    assert json.loads(reply.body) == {"deleted": 1}
    reply = client.http.delete("/hooks?node=&type=", headers=api_key)
    assert json.loads(reply.body) == {"deleted": 2}
    assert json.loads(client.http.delete("/hooks", headers=api_key).body) == {"deleted": 0}


def test_it_disables_and_enables_a_hook(client, api_key, make_hook):
    hook, _ = make_hook()
    path = f"/hooks/{hook['id']}"
    headers = {**api_key, "Content-Type": "application/json"}
    reply = client.http.patch(path, headers=headers, body=json.dumps({"enabled": False}))
    assert json.loads(reply.body)["enabled"] is False
    assert json.loads(reply.body)["disabled_reason"] == "disabled through the API"
    reply = client.http.patch(path, headers=headers, body=json.dumps({"enabled": True}))
    assert json.loads(reply.body)["enabled"] is True
    reply = client.http.patch(path, headers=headers, body=json.dumps({"enabled": "no"}))
    assert reply.status_code == 400


def test_it_rotates_a_webhook_secret(client, api_key, make_hook):
    hook, secret = make_hook()
    reply = client.http.post(f"/hooks/{hook['id']}/rotate-secret", headers=api_key)
    rotated = json.loads(reply.body)
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != secret
    assert rotated["secret_version"] == 2 and rotated["rotation_until"]


def test_a_python_hook_has_no_secret_to_rotate(client, api_key, make_hook):
    hook, secret = make_hook(type_="python", arg="log_event")
    assert secret is None
    reply = client.http.post(f"/hooks/{hook['id']}/rotate-secret", headers=api_key)
    assert reply.status_code == 400


def test_deliveries_of_an_unknown_hook_are_404(client, api_key):
    assert client.http.get("/hooks/abc123/deliveries", headers=api_key).status_code == 404
    assert client.http.get("/hooks/../deliveries", headers=api_key).status_code in (403, 404)


def test_deliveries_refuse_an_unknown_status(client, api_key, make_hook):
    hook, _ = make_hook()
    reply = client.http.get(f"/hooks/{hook['id']}/deliveries?status=lost", headers=api_key)
    assert reply.status_code == 400


def test_two_rotations_at_once_give_one_new_secret_and_a_409(
    client, api_key, make_hook, monkeypatch
):
    from chalicelib.hooks import store as hooks

    hook, _ = make_hook()
    stale = hooks.get(hook["id"])
    hooks.rotate_secret(hook["id"])
    real_get = hooks.get
    # The second rotation read the hook before the first one wrote.
    monkeypatch.setattr(hooks, "get", lambda hook_id: stale)
    reply = client.http.post(f"/hooks/{hook['id']}/rotate-secret", headers=api_key)
    assert reply.status_code == 409
    assert real_get(hook["id"])["secret_version"] == 2


def test_an_expired_hook_does_not_block_creating_it_again(client, api_key, resolver, clock):
    first = json.loads(post(client, api_key, {**WEBHOOK, "ttl": 60}).body)
    assert post(client, api_key, WEBHOOK).status_code == 409
    clock.shift(60)
    again = post(client, api_key, WEBHOOK)
    assert again.status_code == 201
    assert json.loads(again.body)["secret"] != first["secret"]
