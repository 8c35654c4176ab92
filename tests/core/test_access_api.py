"""/api-keys and /accounts: operators' access, managed over the JSON API."""

import json

import pytest

from tests.dashboard.conftest import PASSWORD, sign_in


@pytest.fixture
def admin_session(client, clock):
    """A signed-in admin, with a second admin beside it (so it is not the last)."""
    from chalicelib.core import accounts

    accounts.create("other-admin@example.com")
    accounts.create("admin@example.com", password=PASSWORD)
    return sign_in(client, "admin@example.com")


@pytest.fixture
def reader_session(client, clock):
    from chalicelib.core import accounts

    accounts.create("reader@example.com", password=PASSWORD, read_only=True)
    return sign_in(client, "reader@example.com")


WRITES = [
    ("POST", "/api-keys", {"label": "x"}),
    ("DELETE", "/api-keys/0123456789ab", None),
    ("POST", "/accounts", {"email": "new@example.com"}),
    ("PATCH", "/accounts/someone%40example.com", {"read_only": True}),
    ("DELETE", "/accounts/someone%40example.com", None),
]


# ---- API keys ----------------------------------------------------------------------


def test_it_shows_a_new_key_once_and_lists_it_without_its_secret(send):
    made = send("POST", "/api-keys", {"label": "ci runner", "read_only": True})
    assert made.status_code == 201
    created = made.json_body
    assert created["key"].startswith("hk_") and created["read_only"] is True
    listed = send("GET", "/api-keys")
    assert listed.status_code == 200
    mine = [k for k in listed.json_body["api_keys"] if k["key_id"] == created["key_id"]]
    assert mine == [
        {
            "key_id": created["key_id"],
            "read_only": True,
            "label": "ci runner",
            "created_at": mine[0]["created_at"],
        }
    ]
    assert created["key"] not in listed.body.decode()


def test_it_makes_keys_that_work_and_read_only_ones_that_cannot_write(send):
    writer = {"X-Api-Key": send("POST", "/api-keys", {}).json_body["key"]}
    reader = {"X-Api-Key": send("POST", "/api-keys", {"read_only": True}).json_body["key"]}
    assert send("POST", "/accounts", {"email": "a@example.com"}, key=writer).status_code == 201
    assert send("GET", "/accounts", key=reader).status_code == 200
    assert send("POST", "/accounts", {"email": "b@example.com"}, key=reader).status_code == 403


def test_it_stops_a_revoked_key_at_once(send):
    created = send("POST", "/api-keys", {"label": "leaked"}).json_body
    key = {"X-Api-Key": created["key"]}
    assert send("GET", "/api-keys", key=key).status_code == 200
    revoked = send("DELETE", f"/api-keys/{created['key_id']}")
    assert revoked.status_code == 200 and revoked.json_body == {"revoked": created["key_id"]}
    assert send("GET", "/api-keys", key=key).status_code == 401
    assert send("DELETE", f"/api-keys/{created['key_id']}").status_code == 404
    assert send("DELETE", "/api-keys/not-a-key-id").status_code == 404
    assert send("DELETE", "/api-keys/" + "a" * 3000).status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"label": "x", "scope": "all"}, "scope"),
        ({"read_only": "yes"}, "read_only"),
        ({"read_only": 1}, "read_only"),
        ({"label": "x" * 101}, "label"),
        ({"label": "two\nlines"}, "label"),
        ({"label": 5}, "label"),
        ([], "body"),
    ],
)
def test_it_refuses_a_key_it_cannot_make_and_names_the_field(send, body, field):
    reply = send("POST", "/api-keys", body)
    assert reply.status_code == 400 and reply.json_body["field"] == field
    assert [k["label"] for k in send("GET", "/api-keys").json_body["api_keys"]] == ["tests"]


# ---- accounts ----------------------------------------------------------------------


def test_it_creates_lists_changes_and_deletes_an_account(send):
    made = send("POST", "/accounts", {"email": "Ops@Example.com"})
    assert made.status_code == 201
    assert made.json_body == {
        "email": "ops@example.com",
        "read_only": False,
        "password": False,
        "created_at": made.json_body["created_at"],
    }
    again = send("POST", "/accounts", {"email": "ops@example.com", "read_only": True})
    assert again.status_code == 409 and again.json_body["field"] == "email"
    assert [a["email"] for a in send("GET", "/accounts").json_body["accounts"]] == [
        "ops@example.com"
    ]
    send("POST", "/accounts", {"email": "boss@example.com"})  # so ops is not the last admin
    demoted = send("PATCH", "/accounts/ops%40example.com", {"read_only": True})
    assert demoted.status_code == 200 and demoted.json_body["read_only"] is True
    given = send("PATCH", "/accounts/OPS@example.com", {"password": "a long passphrase"})
    assert given.status_code == 200 and given.json_body["password"] is True
    deleted = send("DELETE", "/accounts/ops%40example.com")
    assert deleted.status_code == 200 and deleted.json_body == {"deleted": "ops@example.com"}
    assert send("DELETE", "/accounts/ops%40example.com").status_code == 404
    assert send("PATCH", "/accounts/ops%40example.com", {"read_only": False}).status_code == 404
    assert send("DELETE", "/accounts/" + "x" * 3000).status_code == 404


def test_it_stores_a_password_given_on_creation_and_it_signs_in(client, send, clock):
    made = send("POST", "/accounts", {"email": "pw@example.com", "password": PASSWORD})
    assert made.status_code == 201 and made.json_body["password"] is True
    assert PASSWORD not in made.body.decode()
    assert sign_in(client, "pw@example.com").email == "pw@example.com"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"email": "not an address"}, "email"),
        ({}, "email"),
        ({"email": "a@example.com", "password": "short"}, "password"),
        ({"email": "a@example.com", "password": 1234567890123}, "password"),
        ({"email": "a@example.com", "read_only": "true"}, "read_only"),
        ({"email": "a@example.com", "admin": True}, "admin"),
    ],
)
def test_it_refuses_an_account_it_cannot_make_and_names_the_field(send, body, field):
    reply = send("POST", "/accounts", body)
    assert reply.status_code == 400 and reply.json_body["field"] == field
    assert send("GET", "/accounts").json_body["accounts"] == []


@pytest.mark.parametrize(
    "body, field",
    [({"email": "b@example.com"}, "email"), ({"read_only": None}, "read_only"),
     ({"password": "short"}, "password"), ({"password": ["x" * 12]}, "password")],
)  # fmt: skip
def test_it_refuses_a_change_it_cannot_make_and_names_the_field(send, body, field):
    send("POST", "/accounts", {"email": "a@example.com", "read_only": True})
    reply = send("PATCH", "/accounts/a%40example.com", body)
    assert reply.status_code == 400 and reply.json_body["field"] == field
    assert send("GET", "/accounts").json_body["accounts"][0]["password"] is False


def test_it_keeps_the_last_admin_account_from_deletion_or_read_only(send):
    send("POST", "/accounts", {"email": "only@example.com"})
    send("POST", "/accounts", {"email": "viewer@example.com", "read_only": True})
    for method, body in (("DELETE", None), ("PATCH", {"read_only": True})):
        refused = send(method, "/accounts/only%40example.com", body)
        assert refused.status_code == 409
        assert "last admin" in refused.json_body["Message"]
    still = {a["email"]: a["read_only"] for a in send("GET", "/accounts").json_body["accounts"]}
    assert still == {"only@example.com": False, "viewer@example.com": True}
    assert send("DELETE", "/accounts/viewer%40example.com").status_code == 200
    send("POST", "/accounts", {"email": "second@example.com"})
    assert send("DELETE", "/accounts/only%40example.com").status_code == 200


def test_it_refuses_to_demote_both_of_two_admins(send):
    from chalicelib.core import accounts

    send("POST", "/accounts", {"email": "a@example.com"})
    send("POST", "/accounts", {"email": "b@example.com"})
    assert send("PATCH", "/accounts/a%40example.com", {"read_only": True}).status_code == 200
    assert send("PATCH", "/accounts/b%40example.com", {"read_only": True}).status_code == 409
    assert [a["read_only"] for a in accounts.list_all()] == [True, False]


# ---- callers: read-only keys and sessions, CSRF -------------------------------------


@pytest.mark.parametrize("method, path, body", WRITES)
def test_it_refuses_a_read_only_key_every_write(send, read_only_key, method, path, body):
    from chalicelib.core import accounts

    accounts.create("someone@example.com")
    reply = send(method, path, body, key=read_only_key)
    assert reply.status_code == 403
    assert "read-only" in reply.json_body["Message"]


@pytest.mark.parametrize("method, path, body", WRITES)
def test_it_refuses_a_read_only_session_every_write(reader_session, method, path, body):
    from chalicelib.core import accounts

    accounts.create("someone@example.com")
    reply = reader_session.api(method, path, body)
    assert reply.status_code == 403
    assert "read-only" in json.loads(reply.body)["Message"]
    assert reader_session.api("GET", "/accounts").status_code == 200
    assert reader_session.api("GET", "/api-keys").status_code == 200


def test_it_refuses_a_session_write_without_its_csrf_token(client, admin_session):
    for token in ("", "0" * 40):
        refused = admin_session.api("POST", "/api-keys", {"label": "csrf"}, csrf=token)
        assert refused.status_code == 403 and "CSRF" in json.loads(refused.body)["Message"]
    bare = client.http.post(
        "/api-keys",
        headers={"cookie": admin_session.cookie, "content-type": "application/json"},
        body=json.dumps({"label": "csrf"}),
    )
    assert bare.status_code == 403
    listed = admin_session.api("GET", "/api-keys").body.decode()
    assert "csrf" not in listed
    assert admin_session.api("POST", "/api-keys", {"label": "csrf"}).status_code == 201


def test_it_refuses_a_signed_in_admin_deleting_or_demoting_their_own_account(admin_session, send):
    mine = "/accounts/admin%40example.com"
    for method, body in (("DELETE", None), ("PATCH", {"read_only": True})):
        refused = admin_session.api(method, mine, body)
        assert refused.status_code == 409
        assert "your own account" in json.loads(refused.body)["Message"]
    assert admin_session.api("GET", "/accounts").status_code == 200  # still signed in
    # Another admin (here through an API key) can.
    assert send("PATCH", mine, {"read_only": True}).status_code == 200


def test_it_keeps_sessions_when_a_change_changes_nothing(admin_session, send):
    same = send("PATCH", "/accounts/admin%40example.com", {"read_only": False})
    assert same.status_code == 200 and same.json_body["read_only"] is False
    assert admin_session.api("GET", "/accounts").status_code == 200


def test_it_lets_an_admin_session_manage_other_accounts(admin_session):
    made = admin_session.api("POST", "/accounts", {"email": "new@example.com", "read_only": True})
    assert made.status_code == 201
    promoted = admin_session.api("PATCH", "/accounts/new%40example.com", {"read_only": False})
    assert promoted.status_code == 200 and json.loads(promoted.body)["read_only"] is False
    assert admin_session.api("DELETE", "/accounts/new%40example.com").status_code == 200
