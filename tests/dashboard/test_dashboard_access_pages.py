"""The API keys and accounts pages, as an admin and a read-only operator see them."""

import re

import pytest


@pytest.fixture
def keys(aws):
    from chalicelib.core import auth

    return [
        auth.create(label="ci runner"),
        auth.create(read_only=True, label="grafana <readonly>"),
    ]


def _row(html: str, marker: str) -> str:
    return re.search(rf"<tr[^>]*{re.escape(marker)}.*?</tr>", html, re.S).group(0)


def _every_control_is_labelled(html: str) -> None:
    controls = re.findall(r'<(?:input|select|textarea)\b(?![^>]*type="hidden")[^>]*>', html)
    for control in controls:
        control_id = re.search(r'id="([^"]+)"', control).group(1)
        assert f'<label for="{control_id}"' in html, control


def _no_inline_script_or_style(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"\sstyle=|\son[a-z]+=", html)


def test_it_lists_keys_without_their_secrets(admin, keys):
    reply = admin.get("/dashboard/keys")
    assert reply.status_code == 200
    html = reply.body.decode()
    writer = _row(html, f'id="key-{keys[0]["key_id"]}"')
    assert "ci runner" in writer and "read-write" in writer and "just now" in writer
    reader = _row(html, f'id="key-{keys[1]["key_id"]}"')
    assert "grafana &lt;readonly&gt;" in reader and ">read-only<" in reader
    for key in keys:
        assert key["key"] not in html
        secret = key["key"].split("_", 2)[2]  # hk_<id>_<secret>: the secret may hold _
        assert secret not in html
    assert 'aria-current="page">API keys<' in html


def test_it_gives_an_admin_a_revoke_button_per_key_and_a_create_form(admin, keys):
    html = admin.get("/dashboard/keys").body.decode()
    for key in keys:
        row = _row(html, f'id="key-{key["key_id"]}"')
        assert f'data-api="DELETE /api-keys/{key["key_id"]}"' in row
        assert 'data-confirm="Revoke the key' in row and "data-reload" in row
    create = re.search(r'<form data-api="POST /api-keys".*?</form>', html, re.S).group(0)
    assert 'data-show="key"' in create and "shown once, copy it now" in create
    assert 'name="label"' in create and 'name="read_only" type="checkbox"' in create
    _every_control_is_labelled(html)
    _no_inline_script_or_style(html)


def test_it_lists_accounts_role_password_and_age_but_no_hash(admin, reader, clock):
    clock.shift(7200)
    html = admin.get("/dashboard/accounts").body.decode()
    mine = _row(html, 'data-email="admin@example.com"')
    assert ">you<" in mine and ">admin<" in mine and ">yes<" in mine and "2 h ago" in mine
    theirs = _row(html, 'data-email="reader@example.com"')
    assert ">read-only<" in theirs
    assert "scrypt" not in html and "session_key" not in html
    assert 'aria-current="page">Accounts<' in html


def test_it_lets_an_admin_change_and_delete_other_accounts_but_not_their_own(admin, reader):
    from chalicelib.core import accounts

    accounts.create("second@example.com")
    html = admin.get("/dashboard/accounts").body.decode()
    theirs = _row(html, 'data-email="reader@example.com"')
    assert 'data-api="PATCH /accounts/reader%40example.com"' in theirs
    assert 'data-base="{&#34;read_only&#34;: false}"' in theirs and ">Make admin<" in theirs
    assert 'data-api="DELETE /accounts/reader%40example.com"' in theirs
    other = _row(html, 'data-email="second@example.com"')
    assert 'data-base="{&#34;read_only&#34;: true}"' in other and ">Make read-only<" in other
    assert "data-api" not in _row(html, 'data-email="admin@example.com"')
    create = re.search(r'<form data-api="POST /accounts".*?</form>', html, re.S).group(0)
    assert 'name="email" type="email"' in create and 'name="read_only"' in create
    _every_control_is_labelled(html)
    _no_inline_script_or_style(html)


@pytest.mark.parametrize("page", ["/dashboard/keys", "/dashboard/accounts"])
def test_it_shows_a_read_only_operator_the_lists_but_no_forms(reader, keys, page):
    reply = reader.get(page)
    assert reply.status_code == 200
    html = reply.body.decode()
    assert "reader@example.com" in html
    main = html.split('<main id="main">')[1]
    assert "<table" in main
    assert "data-api" not in main and "<form" not in main and "<input" not in main


def test_it_sends_a_visitor_without_a_session_to_sign_in(client, keys):
    for page in ("/dashboard/keys", "/dashboard/accounts"):
        reply = client.http.get(page)
        assert reply.status_code == 303 and reply.headers["Location"] == "/dashboard/sign-in"
