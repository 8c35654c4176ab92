"""Shared ping keys, as a user sees them: /ping-keys and /ping/<shared key>/<name>.

One key for a group of monitors (Healthchecks' project ping key): a monitor
whose group_key is the key's id is pinged by name with it, `?create=1`
makes a missing monitor (Healthchecks' auto-provisioning, under the key's
cap), and a revoked key stops working at once while the monitors keep their
own URLs. A wrong key is always 403, so nobody learns which names exist.
"""

import json
import secrets

import pytest

from chalicelib.core.errors import Invalid


def _new_key(client, api_key, **body):
    reply = client.http.post("/ping-keys", headers=_json(api_key), body=_dumps(body))
    assert reply.status_code == 201, reply.body
    return reply.json_body


def _json(api_key):
    return {**api_key, "Content-Type": "application/json"}


def _dumps(body):
    return json.dumps(body)


def _shown(client, api_key, name):
    reply = client.http.get(f"/monitors/{name}", headers=api_key)
    return reply.json_body if reply.status_code == 200 else None


@pytest.fixture
def fleet(client, api_key, make_monitor, clock):
    """A shared key (cap 3) and "db" in its group; "web" is not in it."""
    key = _new_key(client, api_key, label="fleet", cap=3)
    make_monitor("db", timeout=3600, group_key=key["key_id"])
    own = make_monitor("web", timeout=3600)
    return {**key, "web": own}


def test_it_shows_a_new_key_once_and_never_again(client, api_key, read_only_key, clock):
    created = _new_key(client, api_key, label="fleet")
    assert (created["label"], created["cap"], created["created"]) == ("fleet", 100, 0)
    assert len(created["key"]) >= 16 and len(created["key_id"]) == 12
    for headers in (api_key, read_only_key):
        reply = client.http.get("/ping-keys", headers=headers)
        assert reply.status_code == 200
        assert [k["key_id"] for k in reply.json_body["ping_keys"]] == [created["key_id"]]
        assert created["key"] not in reply.body.decode()
        assert reply.json_body["ping_keys"][0]["hint"] == created["key"][-4:]


def test_it_needs_a_read_write_key_to_make_or_revoke_one(client, read_only_key, api_key, clock):
    made = client.http.post("/ping-keys", headers=_json(read_only_key), body="{}")
    assert made.status_code == 403
    key = _new_key(client, api_key)
    gone = client.http.delete(f"/ping-keys/{key['key_id']}", headers=read_only_key)
    assert gone.status_code == 403
    assert client.http.post("/ping-keys", body="{}").status_code in (401, 403)


def test_it_refuses_a_bad_cap_or_an_unknown_field(client, api_key, clock):
    for body in ({"cap": -1}, {"cap": "lots"}, {"cap": 10_001}, {"colour": "red"}):
        reply = client.http.post("/ping-keys", headers=_json(api_key), body=_dumps(body))
        assert reply.status_code == 400, body


def test_a_group_member_is_pinged_by_name_with_the_shared_key(fleet, client, api_key):
    for suffix in ("", "/start", "/0"):
        reply = client.http.get(f"/ping/{fleet['key']}/db{suffix}")
        assert (reply.status_code, reply.body) == (200, b"OK")
    shown = _shown(client, api_key, "db")
    assert (shown["status"], shown["pings"], shown["group_key"]) == ("up", 3, fleet["key_id"])


def test_a_monitor_outside_the_group_refuses_the_shared_key(fleet, client, api_key):
    reply = client.http.get(f"/ping/{fleet['key']}/web")
    assert reply.status_code == 403
    assert _shown(client, api_key, "web")["pings"] == 0


def test_a_missing_name_is_404_to_the_holder_of_the_shared_key(fleet, client, api_key):
    assert client.http.get(f"/ping/{fleet['key']}/cache").status_code == 404
    assert _shown(client, api_key, "cache") is None


def test_create_makes_a_missing_monitor_with_healthchecks_defaults(fleet, client, api_key):
    reply = client.http.get(f"/ping/{fleet['key']}/cache?create=1")
    assert (reply.status_code, reply.body) == (201, b"Created")
    shown = _shown(client, api_key, "cache")
    assert shown["schedule_kind"] == "simple"
    assert (shown["timeout"], shown["grace"]) == (86400, 3600)
    assert (shown["status"], shown["pings"], shown["group_key"]) == ("up", 1, fleet["key_id"])
    again = client.http.get(f"/ping/{fleet['key']}/cache?create=1")
    assert (again.status_code, again.body) == (200, b"OK")
    listed = client.http.get("/ping-keys", headers=api_key).json_body["ping_keys"]
    assert listed[0]["created"] == 1


def test_create_records_the_ping_it_came_with(fleet, client, api_key):
    reply = client.http.get(f"/ping/{fleet['key']}/cache/start?create=1")
    assert reply.status_code == 201
    shown = _shown(client, api_key, "cache")
    assert (shown["status"], shown["last_ping"]) == ("new", None)
    assert shown["last_start"].startswith("2026-11-02T09:00:00")


def test_create_stops_at_the_keys_cap(client, api_key, clock):
    key = _new_key(client, api_key, cap=2)
    for name in ("a1", "a2"):
        assert client.http.get(f"/ping/{key['key']}/{name}?create=1").status_code == 201
    reply = client.http.get(f"/ping/{key['key']}/a3?create=1")
    assert reply.status_code == 403
    assert "at most 2 monitors" in reply.json_body["Message"]
    assert _shown(client, api_key, "a3") is None


def test_create_refuses_an_invalid_name(fleet, client, api_key):
    reply = client.http.get(f"/ping/{fleet['key']}/{'x' * 65}?create=1")
    assert reply.status_code == 400
    assert "the name must be 1-64" in reply.json_body["Message"]


def test_an_invalid_name_does_not_use_up_the_cap(client, api_key, clock):
    key = _new_key(client, api_key, cap=1)
    assert client.http.get(f"/ping/{key['key']}/bad!name?create=1").status_code == 400
    assert client.http.get(f"/ping/{key['key']}/good?create=1").status_code == 201


def test_a_revoked_key_stops_at_once_and_the_monitors_own_urls_still_work(fleet, client, api_key):
    from chalicelib.monitors import store

    reply = client.http.delete(f"/ping-keys/{fleet['key_id']}", headers=api_key)
    assert (reply.status_code, reply.json_body) == (200, {"revoked": fleet["key_id"]})
    assert client.http.get(f"/ping/{fleet['key']}/db").status_code == 403
    assert client.http.get(f"/ping/{fleet['key']}/new-one?create=1").status_code == 403
    own_key = store.ping_key("db")
    assert client.http.get(f"/ping/{own_key}/db").status_code == 200
    assert client.http.get(f"/ping/{store.uuid_for('db')}").status_code == 200
    shown = _shown(client, api_key, "db")
    assert (shown["pings"], shown["group_key"]) == (2, None)
    assert client.http.get("/ping-keys", headers=api_key).json_body["ping_keys"] == []
    again = client.http.delete(f"/ping-keys/{fleet['key_id']}", headers=api_key)
    assert again.status_code == 404


def test_a_revoke_that_lands_while_a_monitor_joins_the_group_still_wins(
    client, api_key, make_monitor, monkeypatch, clock
):
    from chalicelib.monitors import ping_keys

    key = _new_key(client, api_key)
    read = ping_keys.get

    def read_then_revoked(key_id):
        record = read(key_id)
        ping_keys.revoke(key_id)  # a concurrent DELETE /ping-keys/ID
        return record

    monkeypatch.setattr(ping_keys, "get", read_then_revoked)
    # The join is one transaction with a check that the key still exists:
    # it loses to the revoke, and says which key is gone.
    with pytest.raises(Invalid, match="no shared ping key"):
        make_monitor("db", timeout=3600, group_key=key["key_id"])
    assert client.http.get(f"/ping/{key['key']}/db").status_code == 403


def test_a_wrong_shared_key_is_403_never_404(fleet, client, api_key):
    wrong = secrets.token_urlsafe(16)
    for path in (f"/ping/{wrong}/db", f"/ping/{wrong}/nobody", f"/ping/{wrong}/nobody?create=1"):
        reply = client.http.get(path)
        assert reply.status_code == 403, path
    assert _shown(client, api_key, "nobody") is None


def test_a_monitor_cannot_join_a_group_that_does_not_exist(client, api_key, clock):
    body = _dumps({"timeout": 3600, "group_key": "0123456789ab"})
    reply = client.http.put("/monitors/db", headers=_json(api_key), body=body)
    assert reply.status_code == 400
    assert "group_key" in reply.json_body["Message"]
