"""The management API under /monitors."""

import json

SETTINGS = {"max_sleep": 120, "email_frequency": 600, "device_email": "ops@example.com"}


def put(client, name, body, headers):
    return client.http.put(
        f"/monitors/{name}",
        body=json.dumps(body),
        headers={**headers, "Content-Type": "application/json"},
    )


def test_it_creates_then_updates_then_reports_unchanged(client, api_key):
    reply = put(client, "web", SETTINGS, api_key)
    assert reply.status_code == 201
    assert reply.json_body["status"] == "new"
    assert reply.json_body["ping_urls"]["uuid"].startswith("http://herald.test/ping/")
    reply = put(client, "web", {**SETTINGS, "max_sleep": 240}, api_key)
    assert (reply.status_code, reply.json_body["outcome"]) == (200, "updated")
    assert reply.json_body["max_sleep"] == 240
    assert put(client, "web", {**SETTINGS, "max_sleep": 240}, api_key).json_body["outcome"] == (
        "unchanged"
    )


def test_it_creates_with_post(client, api_key):
    reply = client.http.post(
        "/monitors",
        body=json.dumps({"name": "web", **SETTINGS}),
        headers={**api_key, "Content-Type": "application/json"},
    )
    assert reply.status_code == 201


def test_bad_settings_get_a_400_naming_the_field(client, api_key):
    reply = put(client, "web", {**SETTINGS, "max_sleep": -1}, api_key)
    assert reply.status_code == 400
    assert "monitor.max_sleep" in reply.json_body["Message"]
    reply = put(client, "web", {**SETTINGS, "device_email": "not an address"}, api_key)
    assert reply.status_code == 400
    reply = put(client, "a%2Fb", SETTINGS, api_key)
    assert reply.status_code == 400
    reply = client.http.put(
        "/monitors/web", body="{", headers={**api_key, "Content-Type": "application/json"}
    )
    assert reply.status_code == 400


def test_it_lists_and_gets_without_secrets(client, api_key, read_only_key):
    put(client, "web", SETTINGS, api_key)
    listed = client.http.get("/monitors", headers=read_only_key).json_body["monitors"]
    assert [m["name"] for m in listed] == ["web"]
    got = client.http.get("/monitors/web", headers=read_only_key).json_body
    assert "key_digest" not in got and "pk" not in got
    assert client.http.get("/monitors/nope", headers=read_only_key).status_code == 404


def test_only_a_read_write_key_sees_the_ping_urls(client, api_key, read_only_key):
    # A ping URL carries the ping key: a reader could fake "all is well".
    put(client, "web", SETTINGS, api_key)
    for headers, shown in ((read_only_key, False), (api_key, True)):
        listed = client.http.get("/monitors", headers=headers).json_body["monitors"]
        got = client.http.get("/monitors/web", headers=headers).json_body
        assert ("ping_urls" in listed[0], "ping_urls" in got) == (shown, shown)


def test_keys_are_required_and_read_only_keys_cannot_write(client, api_key, read_only_key):
    assert client.http.get("/monitors").status_code == 401
    assert client.http.get("/monitors", headers={"X-Api-Key": "hk_x_y"}).status_code == 401
    assert put(client, "web", SETTINGS, read_only_key).status_code == 403
    put(client, "web", SETTINGS, api_key)
    assert client.http.delete("/monitors/web", headers=read_only_key).status_code == 403
    assert client.http.post("/monitors/web/pause", headers=read_only_key).status_code == 403


def test_it_pauses_resumes_and_deletes(client, api_key):
    put(client, "web", SETTINGS, api_key)
    assert client.http.post("/monitors/web/pause", headers=api_key).json_body["status"] == "paused"
    assert client.http.post("/monitors/web/resume", headers=api_key).json_body["status"] == "new"
    assert client.http.delete("/monitors/web", headers=api_key).status_code == 200
    assert client.http.delete("/monitors/web", headers=api_key).status_code == 404
    assert client.http.post("/monitors/web/pause", headers=api_key).status_code == 404


def test_changing_max_sleep_takes_effect_at_the_next_run(
    client, api_key, make_monitor, ping, run_checker, deliver_outbox, sent_mail, clock
):
    monitor = make_monitor(max_sleep=3600)
    ping(monitor)
    clock.shift(600)
    run_checker()
    put(
        client, "backup", {**SETTINGS, "device_email": "ops@example.com", "max_sleep": 300}, api_key
    )
    clock.shift(60)
    run_checker()
    deliver_outbox()
    assert [m["Subject"] for m in sent_mail()] == ["backup disconnection detected"]


def patch(client, name, body, headers):
    return client.http.request(
        "PATCH",
        f"/monitors/{name}",
        body=json.dumps(body).encode(),
        headers={**headers, "Content-Type": "application/json"},
    )


def test_a_patch_changes_only_the_settings_it_names(client, api_key):
    put(client, "web", {**SETTINGS, "tags": ["prod"]}, api_key)
    reply = patch(client, "web", {"max_sleep": 240}, api_key)
    assert (reply.status_code, reply.json_body["outcome"]) == (200, "updated")
    shown = json.loads(client.http.get("/monitors/web", headers=api_key).body)
    assert (shown["max_sleep"], shown["email_frequency"], shown["tags"]) == (240, 600, ["prod"])
    assert patch(client, "web", {"max_sleep": 240}, api_key).json_body["outcome"] == "unchanged"


def test_a_patch_to_another_schedule_kind_drops_the_old_kind(client, api_key):
    put(client, "web", SETTINGS, api_key)
    reply = patch(client, "web", {"timeout": 3600, "grace": 60}, api_key)
    assert reply.status_code == 200
    assert (reply.json_body["schedule_kind"], reply.json_body["timeout"]) == ("simple", 3600)


def test_a_patch_names_a_bad_value_and_changes_nothing(client, api_key):
    put(client, "web", SETTINGS, api_key)
    reply = patch(client, "web", {"max_sleep": -1}, api_key)
    assert reply.status_code == 400 and "max_sleep" in reply.json_body["Message"]
    assert json.loads(client.http.get("/monitors/web", headers=api_key).body)["max_sleep"] == 120
    assert patch(client, "nobody", {"max_sleep": 60}, api_key).status_code == 404


def test_a_partial_put_says_that_a_put_replaces_every_setting(client, api_key):
    put(client, "web", SETTINGS, api_key)
    reply = put(client, "web", {"tags": ["prod"]}, api_key)
    assert reply.status_code == 400
    assert "max_sleep: missing" in reply.json_body["Message"]
    assert "a PUT replaces every setting; PATCH changes some" in reply.json_body["Message"]


DOOR = "https://door.lambda-url.us-east-1.on.aws/"  # the stack's PingUrl output


def test_it_shows_ping_urls_on_the_ping_door_when_the_stack_names_it(client, api_key, monkeypatch):
    monkeypatch.setenv("HERALD_PING_URL", DOOR)
    urls = put(client, "web", SETTINGS, api_key).json_body["ping_urls"]
    assert urls["uuid"].startswith(f"{DOOR}ping/")
    assert urls["slug"].startswith(f"{DOOR}ping/") and urls["slug"].endswith("/web")
    assert urls["original"].startswith(f"{DOOR}ping?username=web&key=")
    listed = client.http.get("/monitors", headers=api_key).json_body["monitors"]
    assert listed[0]["ping_urls"] == urls
