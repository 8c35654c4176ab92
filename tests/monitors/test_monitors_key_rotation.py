"""Revoking a monitor's ping URLs: rotate-key, and delete plus create again.

Each monitor's URLs come from its name and its key generation; a new
generation revokes all three URL forms at once, and a monitor deleted and
created again never gets its old URLs (or its old log) back.
"""

import json

import pytest
from click.testing import CliRunner

from herald.cli import main

SETTINGS = {"max_sleep": 300, "email_frequency": 3600, "device_email": "ops@example.com"}


def _urls(view):
    return {form: url.removeprefix("http://herald.test") for form, url in view.items()}


def _create(client, api_key, name="backup"):
    reply = client.http.put(
        f"/monitors/{name}",
        body=json.dumps(SETTINGS),
        headers={**api_key, "Content-Type": "application/json"},
    )
    assert reply.status_code == 201, reply.json_body
    return _urls(reply.json_body["ping_urls"])


def _pinged(client, urls):
    return {form: client.http.get(path).status_code for form, path in urls.items()}


def _rotate(client, api_key, name="backup"):
    return client.http.post(f"/monitors/{name}/rotate-key", body=b"", headers=api_key)


@pytest.fixture
def before(client, api_key, clock):
    urls = _create(client, api_key)
    assert _pinged(client, urls) == {"uuid": 200, "slug": 200, "original": 200}
    return urls


def test_it_rotates_every_ping_url_at_once(client, api_key, before):
    reply = _rotate(client, api_key)
    assert reply.status_code == 200
    after = _urls(reply.json_body["ping_urls"])
    assert set(after.values()).isdisjoint(before.values())
    assert _pinged(client, after) == {"uuid": 200, "slug": 200, "original": 200}
    assert _pinged(client, before) == {"uuid": 404, "slug": 403, "original": 403}


def test_a_second_rotation_revokes_the_first_ones_urls(client, api_key, before):
    first = _urls(_rotate(client, api_key).json_body["ping_urls"])
    second = _urls(_rotate(client, api_key).json_body["ping_urls"])
    assert _pinged(client, first) == {"uuid": 404, "slug": 403, "original": 403}
    assert _pinged(client, second) == {"uuid": 200, "slug": 200, "original": 200}
    assert client.http.get("/monitors/backup", headers=api_key).json_body["pings"] == 6


def test_the_rotated_key_reads_the_logs_and_the_old_one_does_not(client, api_key, before):
    after = _urls(_rotate(client, api_key).json_body["ping_urls"])
    new_key = after["original"].rsplit("key=", 1)[1]
    old_key = before["original"].rsplit("key=", 1)[1]
    day = "username=backup&year=26&month=11&day=2"
    assert client.http.get(f"/logs?{day}&key={new_key}").status_code == 200
    assert client.http.get(f"/logs?{day}&key={old_key}").status_code == 403


def test_rotating_needs_a_read_write_key_and_a_monitor(client, api_key, read_only_key, before):
    assert _rotate(client, read_only_key).status_code == 403
    assert _rotate(client, {}).status_code == 401
    missing = _rotate(client, api_key, "nobody")
    assert (missing.status_code, missing.json_body["Code"]) == (404, "NotFoundError")
    assert _pinged(client, before) == {"uuid": 200, "slug": 200, "original": 200}


def test_a_monitor_created_again_never_gets_its_old_urls_back(client, api_key, before):
    assert client.http.delete("/monitors/backup", headers=api_key).status_code == 200
    again = _create(client, api_key)
    assert set(again.values()).isdisjoint(before.values())
    assert _pinged(client, before) == {"uuid": 404, "slug": 403, "original": 403}
    assert _pinged(client, again) == {"uuid": 200, "slug": 200, "original": 200}


def test_a_monitor_created_again_after_a_rotation_does_not_reuse_either(client, api_key, before):
    rotated = _urls(_rotate(client, api_key).json_body["ping_urls"])
    client.http.delete("/monitors/backup", headers=api_key)
    again = _create(client, api_key)
    assert set(again.values()).isdisjoint({*before.values(), *rotated.values()})
    assert _pinged(client, rotated) == {"uuid": 404, "slug": 403, "original": 403}


def test_the_cli_rotates_and_prints_the_new_urls(aws, client, api_key, before):
    result = CliRunner().invoke(
        main, ["--stage", "dev", "monitors", "rotate-key", "backup"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "the old ones no longer work" in result.output
    assert before["uuid"] not in result.output
    new_uuid = result.output.split("/ping/", 1)[1].split()[0]
    assert client.http.get(f"/ping/{new_uuid}").status_code == 200
    missing = CliRunner().invoke(main, ["--stage", "dev", "monitors", "rotate-key", "nobody"])
    assert missing.exit_code == 1 and "no monitor named 'nobody'" in missing.output


# ---- races with a delete -----------------------------------------------------------


def test_a_put_racing_a_delete_answers_without_a_500(client, api_key, before, monkeypatch):
    from chalicelib.monitors import admin, store

    real = store.update_if_unchanged

    def then_deleted(item, *args, **kwargs):
        written = real(item, *args, **kwargs)
        admin.delete("backup")  # lands between the update and any read-back
        return written

    monkeypatch.setattr(store, "update_if_unchanged", then_deleted)
    reply = client.http.put(
        "/monitors/backup",
        body=json.dumps({**SETTINGS, "max_sleep": 600}),
        headers={**api_key, "Content-Type": "application/json"},
    )
    assert reply.status_code == 200
    assert reply.json_body["max_sleep"] == 600


def test_a_ping_racing_a_delete_leaves_nothing_a_new_monitor_inherits(client, api_key, before):
    from chalicelib.core import aws
    from chalicelib.monitors import admin

    # The ping's log entry goes through the plain client (pings.py), the rest not.
    clients = [aws.dynamodb().meta.client, aws.client("dynamodb")]
    raced = []

    def delete_first(params, **kwargs):
        pk = params["Item"]["pk"]
        if str(pk.get("S") if isinstance(pk, dict) else pk).startswith("LOG#") and not raced:
            raced.append(True)
            admin.delete("backup")  # the ping's update landed; its log entry not yet

    for each in clients:
        each.meta.events.register("before-parameter-build.dynamodb.PutItem", delete_first)
    try:
        assert client.http.get(before["uuid"]).status_code == 200
    finally:
        for each in clients:
            each.meta.events.unregister("before-parameter-build.dynamodb.PutItem", delete_first)
    assert raced
    _create(client, api_key)
    logs = client.http.get("/monitors/backup/pings?date=2026-11-02", headers=api_key)
    assert logs.json_body["pings"] == []
    assert client.http.get("/monitors/backup", headers=api_key).json_body["pings"] == 0
