"""The captured-mail pages: local mode only, newest first, no file outside the mail folder."""

import os
from email.message import EmailMessage

import pytest


def write_mail(folder, name: str, subject: str, *, to="ops@example.com", html=None, at=0.0):
    """A .eml file as herald/local/mailbox.py writes one, modified at `at`."""
    message = EmailMessage()
    message["From"] = "herald@example.com"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = "Mon, 02 Nov 2026 09:00:00 +0000"
    message.set_content(f"Plain text of {subject}.\n")
    if html is not None:
        message.add_alternative(html, subtype="html")
    path = folder / f"{name}.eml"
    path.write_bytes(message.as_bytes())
    os.utime(path, (at, at))
    return path


@pytest.fixture
def mailbox(tmp_path, monkeypatch):
    """Local mode, with HERALD_MAIL_DIR a folder of captured mail."""
    folder = tmp_path / "mail"
    folder.mkdir()
    monkeypatch.setenv("HERALD_LOCAL", "1")
    monkeypatch.setenv("HERALD_MAIL_DIR", str(folder))
    return folder


def test_it_has_no_mail_pages_outside_local_mode(admin, tmp_path, monkeypatch):
    write_mail(tmp_path, "0001-abc", "Backup is down")
    monkeypatch.setenv("HERALD_MAIL_DIR", str(tmp_path))

    assert admin.get("/dashboard/mail").status_code == 404
    assert admin.get("/dashboard/mail/0001-abc").status_code == 404
    assert "/dashboard/mail" not in admin.get("/dashboard").body.decode()


def test_it_refuses_the_message_page_outside_local_mode_by_itself(aws_env, tmp_path, monkeypatch):
    from chalicelib.core import errors
    from chalicelib.dashboard import operations_pages

    write_mail(tmp_path, "0001-abc", "Backup is down")
    monkeypatch.setenv("HERALD_MAIL_DIR", str(tmp_path))

    with pytest.raises(errors.NotFound):
        operations_pages.mail_message(None, {"read_only": False}, "0001-abc")


def test_it_lists_captured_mail_newest_first(admin, mailbox):
    write_mail(mailbox, "0001-older", "Backup is down", at=1_000)
    write_mail(mailbox, "0002-newer", "Backup is back up", to="oncall@example.com", at=2_000)
    (mailbox / "notes.txt").write_text("not mail")

    reply = admin.get("/dashboard/mail")

    text = reply.body.decode()
    assert reply.status_code == 200
    assert text.index("Backup is back up") < text.index("Backup is down")
    assert (
        'href="/dashboard/mail/0002-newer"' in text and 'href="/dashboard/mail/0001-older"' in text
    )
    assert "oncall@example.com" in text and "Mon, 02 Nov 2026 09:00:00 +0000" in text
    assert "notes" not in text
    assert 'href="/dashboard/mail" aria-current="page"' in text


def test_it_says_how_mail_arrives_when_there_is_none(admin, mailbox):
    text = admin.get("/dashboard/mail").body.decode()

    assert 'id="empty"' in text and "No mail yet" in text


def test_it_says_where_mail_comes_from_when_there_is_no_folder(admin, mailbox, monkeypatch):
    monkeypatch.delenv("HERALD_MAIL_DIR")

    text = admin.get("/dashboard/mail").body.decode()

    assert "HERALD_MAIL_DIR" in text and "make run" in text


def test_it_opens_a_message_with_its_text_and_its_html_as_escaped_source(admin, mailbox):
    markup = '<p>Backup is <b>down</b></p><script>alert("x")</script>'
    write_mail(mailbox, "0001-abc.def_1", "Backup is down", html=markup)

    reply = admin.get("/dashboard/mail/0001-abc.def_1")

    text = reply.body.decode()
    assert reply.status_code == 200
    assert "<h1>Backup is down</h1>" in text
    assert "<dt>To</dt><dd>ops@example.com</dd>" in text
    assert '<pre id="text">Plain text of Backup is down.\n</pre>' in text
    assert "&lt;b&gt;down&lt;/b&gt;" in text
    assert "<b>down</b>" not in text and "<script>alert" not in text
    assert "<iframe" not in text


def test_it_opens_a_text_only_message(admin, mailbox):
    write_mail(mailbox, "0007-plain", "Digest")

    text = admin.get("/dashboard/mail/0007-plain").body.decode()

    assert "Plain text of Digest." in text and 'id="html"' not in text


@pytest.mark.parametrize(
    "name",
    [
        "0001-missing",  # well formed, not in the folder
        "notes",  # not a mail's name
        "0001-abc.eml",  # the file's name, not the message's
        "..%2Fsecret",
        "0001-..%2F..%2Fsecret",
        "0001-x%2F..%2F..%2Fsecret",
        "%2Ftmp%2Fsecret",
        "0001-" + "a" * 81,
    ],
)
def test_it_answers_404_for_a_name_that_is_not_a_captured_message(admin, mailbox, name):
    write_mail(mailbox, "0001-abc", "Backup is down")
    write_mail(mailbox.parent, "secret", "Outside the folder")
    write_mail(mailbox.parent, "0001-secret", "Outside the folder too")

    reply = admin.get(f"/dashboard/mail/{name}")

    assert reply.status_code == 404
    assert "Outside the folder" not in reply.body.decode()


def test_a_read_only_account_may_not_read_captured_mail_it_holds_sign_in_links(reader, mailbox):
    write_mail(mailbox, "0001-link", "Your Herald sign-in link", to="admin@example.com")
    assert reader.get("/dashboard/mail").status_code == 403
    assert reader.get("/dashboard/mail/0001-link").status_code == 403
    assert "/dashboard/mail" not in reader.get("/dashboard").body.decode()
