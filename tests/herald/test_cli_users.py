"""`herald users ...`, run as an operator runs it (click's CliRunner, --stage dev on moto)."""

import re
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner

from herald.cli import main
from tests.dashboard.conftest import FORM, csrf_field, set_cookie, sign_in

PASSWORD = "a long enough passphrase"


def herald(*args, input=None):
    return CliRunner().invoke(main, ["--stage", "dev", *args], input=input)


def _link_path(output: str) -> str:
    return re.search(r"http://herald\.test(/dashboard/sign-in/\S+)", output).group(1)


def _press_sign_in(client, path: str):
    """Open the printed link in a browser and press its Sign in button."""
    page = client.http.get(path)
    fields = urlencode({"csrf": csrf_field(page.body.decode())})
    return client.http.post(path, body=fields, headers={**FORM, "cookie": set_cookie(page)})


def _signed_in_as(client, reply) -> str:
    page = client.http.get("/dashboard", headers={"cookie": set_cookie(reply)}).body.decode()
    return re.search(r'<form class="who".*?<span>([^<]+)', page, re.S).group(1).strip()


@pytest.fixture
def no_mail(aws):
    """What the outbox queue holds, to show a printed link was not mailed."""
    from chalicelib.core import aws as clients

    def queued() -> list:
        reply = clients.client("sqs").receive_message(QueueUrl=clients.queue_url("outbox"))
        return reply.get("Messages", [])

    return queued


def test_it_creates_an_account_and_prints_a_link_that_signs_in_once_unmailed(
    client, clock, no_mail
):
    made = herald("users", "create", "Ops@Example.com")
    assert made.exit_code == 0, made.output
    assert "ops@example.com  admin" in made.output and "no password" in made.output
    assert "not mailed" in made.output
    assert no_mail() == []
    path = _link_path(made.output)
    used = _press_sign_in(client, path)
    assert used.status_code == 303 and _signed_in_as(client, used) == "ops@example.com"
    assert _press_sign_in(client, path).status_code == 401


def test_it_prints_fresh_links_that_work_for_15_minutes(client, clock):
    herald("users", "create", "ops@example.com")
    path = _link_path(herald("users", "link", "ops@example.com").output)
    clock.shift(15 * 60 + 1)
    assert _press_sign_in(client, path).status_code == 401
    fresh = herald("users", "link", "OPS@example.com")
    assert fresh.exit_code == 0 and "not mailed" in fresh.output
    assert _press_sign_in(client, _link_path(fresh.output)).status_code == 303


def test_it_creates_a_read_only_account_with_a_password_that_signs_in(client, clock):
    made = herald(
        "users", "create", "viewer@example.com", "--read-only", "--password-prompt",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "viewer@example.com  read-only  password" in made.output
    assert PASSWORD not in made.output  # the prompt does not echo it
    assert sign_in(client, "viewer@example.com", PASSWORD).email == "viewer@example.com"


def test_it_refuses_a_bad_address_a_short_password_and_a_second_account(aws):
    bad = herald("users", "create", "nobody")
    assert bad.exit_code == 2 and "EMAIL" in bad.output and "not an e-mail address" in bad.output
    short = herald("users", "create", "a@example.com", "--password-prompt", input="short\nshort\n")
    assert short.exit_code == 2 and "10 to 200 characters" in short.output
    assert herald("users", "list").output == ""
    herald("users", "create", "a@example.com")
    again = herald("users", "create", "a@example.com")
    assert again.exit_code == 1 and "already exists" in again.output


def test_it_lists_changes_and_deletes_accounts(aws):
    herald("users", "create", "a@example.com")
    herald("users", "create", "b@example.com", "--read-only")
    listed = herald("users", "list").output.splitlines()
    assert [line.split()[:2] for line in listed] == [
        ["a@example.com", "admin"],
        ["b@example.com", "read-only"],
    ]
    assert (
        "a@example.com  read-only" in herald("users", "read-only", "a@example.com", "--on").output
    )
    assert "b@example.com  admin" in herald("users", "read-only", "b@example.com", "--off").output
    neither = herald("users", "read-only", "b@example.com")
    assert neither.exit_code == 2 and "--on" in neither.output
    assert herald("users", "delete", "A@example.com").output == "deleted a@example.com\n"
    gone = herald("users", "delete", "a@example.com")
    assert gone.exit_code == 1 and "no account for a@example.com" in gone.output
    assert herald("users", "link", "a@example.com").exit_code == 1


def test_it_asks_a_password_twice_and_ends_the_sessions(client, clock):
    herald("users", "create", "ops@example.com", "--password-prompt", input=f"{PASSWORD}\n" * 2)
    session = sign_in(client, "ops@example.com", PASSWORD)
    mismatch = herald(
        "users", "password", "ops@example.com", input="new passphrase 1\nother one 22\n" * 3
    )
    assert mismatch.exit_code == 1  # click asks again, then gives up at the end of input
    assert client.http.get("/dashboard", headers={"cookie": session.cookie}).status_code == 200
    changed = herald(
        "users", "password", "ops@example.com", input="new passphrase 1\nnew passphrase 1\n"
    )
    assert changed.exit_code == 0 and "sessions have ended" in changed.output
    page = client.http.get("/dashboard", headers={"cookie": session.cookie})
    assert page.status_code == 303  # the old session ended
    assert sign_in(client, "ops@example.com", "new passphrase 1").email == "ops@example.com"
