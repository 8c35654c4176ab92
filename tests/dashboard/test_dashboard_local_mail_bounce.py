"""The local mail view's "Simulate a bounce" and "Simulate a complaint":
SES's event for a captured mail, the way `herald mail bounce` sends it."""

import re
from email.message import EmailMessage

import pytest

from herald.local.invoke import queue_handlers
from herald.local.worker import QueueWorker

NAME, TO = "0007-abcdef", "gone@example.org"


@pytest.fixture
def mailbox(app, tmp_path, monkeypatch):
    """Local mode, HERALD_MAIL_DIR holding one mail Herald sent to TO."""
    folder = tmp_path / "mail"
    folder.mkdir()
    mail = EmailMessage()
    mail["To"], mail["Subject"] = TO, "backup is down"
    mail["Message-ID"] = "<mon-1-2@example.com>"
    mail.set_content("down")
    (folder / f"{NAME}.eml").write_bytes(mail.as_bytes())
    monkeypatch.setenv("HERALD_LOCAL", "1")
    monkeypatch.setenv("HERALD_MAIL_DIR", str(folder))
    return folder


def _events(app) -> int:
    """The mail-events queue drained through its handler: how many it took."""
    config = next(c for c in queue_handlers(app) if c.name == "mail_events")
    return QueueWorker(app, config, wait_seconds=0).drain()


def _entry():
    from chalicelib.core.mail import suppressions

    return suppressions.is_suppressed(TO)


def test_it_shows_both_buttons_with_the_csrf_token(admin, mailbox):
    page = admin.get("/dashboard/mail").body.decode()
    assert f'/dashboard/mail/{NAME}/simulate"' in page
    assert "Simulate a bounce" in page and "Simulate a complaint" in page
    assert re.search(rf'name="csrf" value="{re.escape(admin.csrf)}"', page)


@pytest.mark.parametrize(
    "kind, reason", [("bounce", "mailbox does not exist"), ("complaint", "complaint")]
)
def test_it_records_the_suppression_on_a_post_with_csrf(app, admin, mailbox, kind, reason):
    reply = admin.post_form(f"/dashboard/mail/{NAME}/simulate", {"kind": kind})
    assert reply.status_code == 303
    assert reply.headers["Location"].endswith(f"/dashboard/mail?simulated={kind}")
    assert _events(app) == 1
    entry = _entry()
    assert entry["mail_id"] == "mon-1-2" and entry["reason"].startswith(reason)


def test_the_page_after_says_what_was_published(admin, mailbox):
    page = admin.get("/dashboard/mail?simulated=bounce").body.decode()
    assert "Published a permanent bounce" in page


def test_it_refuses_a_post_without_or_with_a_wrong_csrf(app, admin, mailbox, client):
    wrong = admin.post_form(f"/dashboard/mail/{NAME}/simulate", {"kind": "bounce", "csrf": "x"})
    assert wrong.status_code == 403
    body = "kind=bounce"
    headers = {"content-type": "application/x-www-form-urlencoded", "cookie": admin.cookie}
    bare = client.http.post(f"/dashboard/mail/{NAME}/simulate", body=body, headers=headers)
    assert bare.status_code == 403
    assert _events(app) == 0 and _entry() is None


def test_it_refuses_outside_local_mode(app, admin, mailbox, monkeypatch):
    monkeypatch.delenv("HERALD_LOCAL")
    reply = admin.post_form(f"/dashboard/mail/{NAME}/simulate", {"kind": "bounce"})
    assert reply.status_code == 404
    assert _events(app) == 0 and _entry() is None


def test_it_refuses_a_read_only_account_an_unknown_kind_and_an_unknown_mail(
    app, admin, reader, mailbox
):
    assert (
        reader.post_form(f"/dashboard/mail/{NAME}/simulate", {"kind": "bounce"}).status_code == 403
    )
    assert (
        admin.post_form(f"/dashboard/mail/{NAME}/simulate", {"kind": "delivery"}).status_code == 400
    )
    assert (
        admin.post_form("/dashboard/mail/0008-nope/simulate", {"kind": "bounce"}).status_code == 404
    )
    assert _events(app) == 0 and _entry() is None


def test_a_get_changes_nothing(app, admin, mailbox):
    reply = admin.get(f"/dashboard/mail/{NAME}/simulate")
    assert reply.status_code in (403, 404, 405)
    assert admin.get("/dashboard/mail").status_code == 200
    assert admin.get(f"/dashboard/mail/{NAME}").status_code == 200
    assert _events(app) == 0 and _entry() is None
