"""Signing in to the dashboard, and how long a session lasts, as an operator meets them."""

import base64
import itertools
import json
import re
from urllib.parse import urlencode

import pytest

from tests.dashboard.conftest import FORM, PASSWORD, csrf_field, set_cookie, sign_in


@pytest.fixture
def ops(client, clock):
    """A second admin account with a password (beside `admin`, when both are used)."""
    from chalicelib.core import accounts

    accounts.create("ops@example.com", password=PASSWORD)
    return "ops@example.com"


def _form(client) -> tuple[str, str]:
    """The sign-in page's form cookie and CSRF token, as a browser gets them."""
    page = client.http.get("/dashboard/sign-in")
    return set_cookie(page), csrf_field(page.body.decode())


def _submit(client, email: str, *, password: str = "", how: str = "password", form=None):
    cookie, csrf = form or _form(client)
    fields = {"csrf": csrf, "email": email, "password": password, "how": how}
    return client.http.post(
        "/dashboard/sign-in", body=urlencode(fields), headers={**FORM, "cookie": cookie}
    )


def _signed_in(client, cookie: str) -> bool:
    reply = client.http.get("/dashboard", headers={"cookie": cookie})
    if reply.status_code == 303:
        assert reply.headers["Location"] == "/dashboard/sign-in"
        return False
    assert reply.status_code == 200
    return True


def _queued_links() -> list[tuple[str, str]]:
    """(to, sign-in path) of each mail on the outbox queue (not yet delivered)."""
    from chalicelib.core import aws, outbox

    sqs, found = aws.client("sqs"), []
    while messages := sqs.receive_message(
        QueueUrl=aws.queue_url("outbox"), MaxNumberOfMessages=10
    ).get("Messages"):
        for message in messages:
            mail = outbox.parse(message["Body"])
            link = re.search(r"http://herald\.test(/dashboard/sign-in/\S+)", mail.text)
            found.append((mail.to, link.group(1)))
    return found


def _use_link(client, path: str):
    """Open the mailed link, then press its Sign in button."""
    page = client.http.get(path)
    assert page.status_code == 200 and "only this button does" in page.body.decode()
    fields = urlencode({"csrf": csrf_field(page.body.decode())})
    return client.http.post(path, body=fields, headers={**FORM, "cookie": set_cookie(page)})


# ---- passwords -----------------------------------------------------------------------


def test_it_signs_in_with_the_right_password(client, ops):
    reply = _submit(client, "OPS@example.com", password=PASSWORD)
    assert reply.status_code == 303 and reply.headers["Location"] == "/dashboard"
    page = client.http.get("/dashboard", headers={"cookie": set_cookie(reply)})
    assert page.status_code == 200 and "ops@example.com" in page.body.decode()


@pytest.mark.parametrize("email", ["ops@example.com", "nobody@example.com"])
def test_it_refuses_a_wrong_password_or_address_alike(client, ops, email):
    reply = _submit(client, email, password="not the password")
    assert reply.status_code == 401
    assert "wrong e-mail address or password" in reply.body.decode()
    assert "herald_session" not in reply.headers.get("Set-Cookie", "")


def test_it_refuses_the_password_with_anything_after_it(client, clock):
    from chalicelib.core import accounts

    longest = "p" * accounts.MAX_PASSWORD
    accounts.create("long@example.com", password=longest)
    assert _submit(client, "long@example.com", password=longest + "x").status_code == 401
    assert _submit(client, "long@example.com", password=longest).status_code == 303


def test_it_refuses_the_sign_in_form_without_its_cookie_and_token(client, ops):
    cookie, csrf = _form(client)
    other_cookie, _ = _form(client)
    for form in (("", csrf), (cookie, ""), (other_cookie, csrf), (cookie, "0" * 40)):
        reply = _submit(client, "ops@example.com", password=PASSWORD, form=form)
        assert reply.status_code == 403
        assert "reload the page" in reply.body.decode()
        assert "herald_session" not in reply.headers.get("Set-Cookie", "")


# ---- mailed links --------------------------------------------------------------------


def test_it_signs_in_once_with_a_mailed_link(client, ops):
    sent = _submit(client, "ops@example.com", how="link")
    assert sent.status_code == 200 and "a sign-in link is on its way" in sent.body.decode()
    [(to, path)] = _queued_links()
    assert to == "ops@example.com"
    used = _use_link(client, path)
    assert used.status_code == 303 and _signed_in(client, set_cookie(used))
    again = _use_link(client, path)
    assert again.status_code == 401
    assert "used already or has expired" in again.body.decode()


def test_it_refuses_a_mailed_link_after_15_minutes(client, ops, clock):
    _submit(client, "ops@example.com", how="link")
    [(_, path)] = _queued_links()
    clock.shift(15 * 60 + 1)
    assert _use_link(client, path).status_code == 401


def test_it_answers_a_link_request_for_an_unknown_address_alike_and_mails_nothing(client, ops):
    form = _form(client)
    known = _submit(client, "ops@example.com", how="link", form=form)
    [_] = _queued_links()
    unknown = _submit(client, "nobody@example.com", how="link", form=form)
    assert unknown.status_code == known.status_code == 200
    assert unknown.body.decode().replace("nobody@", "ops@") == known.body.decode()
    assert _queued_links() == []


# ---- rate limits ---------------------------------------------------------------------


def test_it_makes_the_6th_wrong_password_for_an_account_wait_from_any_address(
    client, ops, monkeypatch
):
    from chalicelib.core import http

    addresses = (f"198.51.100.{n}" for n in itertools.count(1))
    monkeypatch.setattr(http, "source_ip", lambda request: next(addresses))
    for _ in range(5):
        assert _submit(client, "ops@example.com", password="guess").status_code == 401
    refused = _submit(client, "ops@example.com", password=PASSWORD)  # even the right one
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "too many failed attempts" in refused.body.decode()


def test_it_makes_the_6th_wrong_password_from_an_address_wait_for_any_account(client, ops, clock):
    for n in range(5):
        assert _submit(client, f"guess{n}@example.com", password="guess").status_code == 401
    refused = _submit(client, "ops@example.com", password=PASSWORD)
    assert refused.status_code == 429
    clock.shift(int(refused.headers["Retry-After"]))
    assert _submit(client, "ops@example.com", password=PASSWORD).status_code == 303


def test_it_holds_an_address_refused_for_a_locked_account_no_longer_than_usual(
    client, ops, clock, monkeypatch
):
    """An attempt counted on the address, then refused on the account's count,
    closes the address for its usual wait, not for the longest one."""
    from chalicelib.core import accounts, http

    accounts.create("victim@example.com", password=PASSWORD)
    where = {"ip": "198.51.100.1"}
    monkeypatch.setattr(http, "source_ip", lambda request: where["ip"])
    for wait in (0, 0, 0, 0, 0, 2, 4):  # the victim's account: 7 failures, then 8 s to wait
        clock.shift(wait)
        assert _submit(client, "victim@example.com", password="guess").status_code == 401
    where["ip"] = "203.0.113.9"
    for _ in range(5):  # this address's own 5 free failures
        assert _submit(client, "ops@example.com", password="typo").status_code == 401
    clock.shift(2)
    assert _submit(client, "victim@example.com", password="guess").status_code == 429
    clock.shift(5)
    assert _submit(client, "ops@example.com", password=PASSWORD).status_code == 303


# ---- sessions --------------------------------------------------------------------------


def test_it_ends_a_session_after_12_hours(client, admin, clock):
    clock.shift(12 * 3600 - 60)
    assert _signed_in(client, admin.cookie)
    clock.shift(61)
    assert not _signed_in(client, admin.cookie)
    assert admin.api("GET", "/accounts").status_code == 401


def test_it_ends_the_session_on_sign_out(client, admin):
    out = admin.post_form("/dashboard/sign-out", {})
    assert out.status_code == 303 and out.headers["Location"] == "/dashboard/sign-in"
    assert "Max-Age=0" in out.headers["Set-Cookie"]
    assert not _signed_in(client, admin.cookie)  # the old cookie, kept by hand


@pytest.mark.parametrize(
    "change",
    [{"read_only": True}, {"password": "a brand new passphrase"}],
    ids=["read-only", "password"],
)
def test_it_ends_an_accounts_sessions_when_it_changes(client, admin, ops, api_key, change):
    session = sign_in(client, ops)
    reply = client.http.patch(
        "/accounts/ops%40example.com",
        headers={**api_key, "content-type": "application/json"},
        body=json.dumps(change),
    )
    assert reply.status_code == 200
    assert not _signed_in(client, session.cookie)
    assert _signed_in(client, admin.cookie)  # other accounts' sessions go on


def test_it_ends_an_accounts_sessions_when_it_is_deleted(client, admin, ops):
    session = sign_in(client, ops)
    assert admin.api("DELETE", "/accounts/ops%40example.com").status_code == 200
    assert not _signed_in(client, session.cookie)


def test_it_refuses_a_forged_or_tampered_cookie(client, admin, ops):
    name, _, value = admin.cookie.partition("=")
    email, expires, mac = value.split(".")
    # Another account's address, encoded as the cookie encodes it.
    ops_email = base64.urlsafe_b64encode(ops.encode()).decode().rstrip("=")
    forged = [
        f"{email}.{expires}.{mac[:-1]}{'0' if mac[-1] != '0' else '1'}",  # the MAC changed
        f"{email}.{int(expires) + 3600}.{mac}",  # a later expiry
        f"{ops_email}.{expires}.{mac}",  # another account
        f"{email}.{expires}",
        "garbage",
    ]
    for cookie in forged:
        assert not _signed_in(client, f"{name}={cookie}")
        reply = client.http.get(
            "/accounts", headers={"cookie": f"{name}={cookie}", "x-csrf-token": admin.csrf}
        )
        assert reply.status_code == 401


@pytest.mark.parametrize("local", [False, True], ids=["deployed", "local"])
def test_it_sets_cookies_http_only_same_site_and_secure_unless_local(
    client, ops, monkeypatch, local
):
    if local:
        monkeypatch.setenv("HERALD_LOCAL", "1")
    page = client.http.get("/dashboard/sign-in")
    signed = _submit(
        client, ops, password=PASSWORD, form=(set_cookie(page), csrf_field(page.body.decode()))
    )
    for header in (page.headers["Set-Cookie"], signed.headers["Set-Cookie"]):
        flags = [part.strip() for part in header.split(";")]
        assert "HttpOnly" in flags and "SameSite=Lax" in flags and "Path=/" in flags
        assert ("Secure" in flags) is not local


# ---- what a guesser or a stolen session cannot do -------------------------------------


def test_an_empty_password_is_not_a_guess(client, ops):
    for _ in range(8):
        reply = _submit(client, "ops@example.com", password="")
        assert reply.status_code == 400 and "Mail me a sign-in link" in reply.body.decode()
    assert _submit(client, "ops@example.com", password=PASSWORD).status_code == 303


def test_signing_in_to_ones_own_account_does_not_reset_an_addresss_guesses(client, ops, clock):
    from chalicelib.core import accounts

    accounts.create("mine@example.com", password=PASSWORD)
    for n in range(4):
        assert _submit(client, f"victim{n}@example.com", password="guess").status_code == 401
    assert _submit(client, "mine@example.com", password=PASSWORD).status_code == 303
    assert _submit(client, "victim9@example.com", password="guess").status_code == 401
    assert _submit(client, "victim8@example.com", password="guess").status_code == 429


def test_signing_out_voids_the_links_not_yet_used(client, admin, ops):
    assert _submit(client, "admin@example.com", how="link").status_code == 200
    ((_, path),) = _queued_links()
    admin.post_form("/dashboard/sign-out", {})
    assert _use_link(client, path).status_code == 401
