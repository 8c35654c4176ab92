"""The mute link in alert mails: one monitor's mail, for one recipient."""

import inspect
import re
from urllib.parse import urlsplit

import pytest

from tests.helpers import html_of, text_of
from tests.monitors.conftest import (  # noqa: F401 - fixtures
    deliver_outbox,
    make_monitor,
    ping,
    run_checker,
    sent_mail,
)

OPS, ONCALL = "ops@example.com", "oncall@example.com"


@pytest.fixture
def silence(client, make_monitor, ping, run_checker, deliver_outbox, sent_mail, clock):  # noqa: F811
    """silence(*names): each monitor (made and pinged once) silent past its
    max_sleep and alerted; returns the mails sent by that round."""
    made = {}

    def run(*names, recipients=(OPS, ONCALL)):
        for name in names:
            if name not in made:
                made[name] = make_monitor(name, device_email=list(recipients))
            assert ping(made[name]).status_code == 200
        before = len(sent_mail())
        clock.shift(400)
        run_checker()
        deliver_outbox()
        return sent_mail()[before:]

    return run


def _mute_path(mail) -> str:
    [link] = re.findall(r"<(http[^>]+)>", mail["List-Unsubscribe"])
    return urlsplit(link).path


def _to(mails, address):
    return [m for m in mails if m["To"] == address]


def test_it_puts_the_mute_link_in_the_bodies_and_headers_of_an_alert(silence):
    [mail] = _to(silence("backup"), OPS)
    path = _mute_path(mail)
    assert path.startswith("/mail/mute/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["X-Herald-Monitor"] == "backup"
    assert f"Stop these alerts for you: http://herald.test{path}" in text_of(mail)
    assert f'href="http://herald.test{path}"' in html_of(mail)


def test_the_mute_link_mutes_that_monitor_for_that_recipient_only(client, silence):
    [mail] = _to(silence("backup", "nightly"), OPS)[:1]
    monitor = mail["X-Herald-Monitor"]
    other = "nightly" if monitor == "backup" else "backup"
    reply = client.http.post(_mute_path(mail), body=b"List-Unsubscribe=One-Click")
    assert reply.status_code == 200
    assert "Muted" in reply.body.decode()
    again = silence(monitor, other)
    told = sorted((m["To"], m["X-Herald-Monitor"]) for m in again)
    assert told == [(ONCALL, "backup"), (ONCALL, "nightly"), (OPS, other)]


def test_get_shows_a_form_and_changes_nothing(client, silence):
    [mail] = _to(silence("backup"), OPS)
    reply = client.http.get(_mute_path(mail))
    assert reply.status_code == 200
    assert '<form method="post"' in reply.body.decode()
    assert len(_to(silence("backup"), OPS)) == 1


def test_a_second_mute_is_harmless_and_unmute_brings_the_alerts_back(client, silence):
    [mail] = _to(silence("backup"), OPS)
    path = _mute_path(mail)
    client.http.post(path, body=b"")
    second = client.http.post(path, body=b"")
    assert second.status_code == 200
    assert 'action="../unmute/' in second.body.decode()
    assert _to(silence("backup"), OPS) == []
    back = client.http.post(path.replace("/mute/", "/unmute/"), body=b"")
    assert back.status_code == 200
    assert len(_to(silence("backup"), OPS)) == 1


def test_it_refuses_a_tampered_or_foreign_mute_link(client, silence):
    from chalicelib.core.mail import links

    [mail] = _to(silence("backup"), OPS)
    token = _mute_path(mail).rsplit("/", 1)[1]
    signature = token.split(".")[1]
    for other in (
        links.token("mute", ONCALL, "backup"),
        links.token("mute", OPS, "nightly"),
        links.token("unsubscribe", OPS, "backup"),
    ):
        forged = f"{other.split('.')[0]}.{signature}"
        assert client.http.post(f"/mail/mute/{forged}", body=b"").status_code == 403
    unsubscribe = links.token("unsubscribe", OPS, "backup")
    assert client.http.post(f"/mail/mute/{unsubscribe}", body=b"").status_code == 403
    assert len(_to(silence("backup"), OPS)) == 1


def test_a_hostile_monitor_name_cannot_break_a_header(aws, deliver_outbox, sent_mail):  # noqa: F811
    from chalicelib.core.channels import email
    from chalicelib.core.channels.notice import Notice

    hostile = "db\r\nBcc: victim@example.org\u2028X-Evil: 1\x00é"
    notice = Notice(
        id="n1",
        kind="down",
        monitor=hostile,
        subject="db disconnection detected",
        paragraphs=("No ping from db.",),
        link="http://herald.test/logs",
        link_label="Pings",
    )
    email.send({"recipients": [OPS]}, notice)
    deliver_outbox()
    [mail] = sent_mail()
    assert mail["Bcc"] is None and mail["X-Evil"] is None
    assert mail["X-Herald-Monitor"] == "db  Bcc: victim@example.org X-Evil: 1 é"
    assert text_of(mail) and html_of(mail)


def test_a_channel_test_mail_carries_no_mute_link(aws, deliver_outbox, sent_mail):  # noqa: F811
    from chalicelib.core.channels import email
    from chalicelib.core.channels.notice import Notice

    notice = Notice(
        id="t1",
        kind="test",
        monitor="",
        subject="Herald test",
        paragraphs=("A test.",),
        link="http://herald.test",
        link_label="Herald",
    )
    email.send({"recipients": [OPS]}, notice)
    deliver_outbox()
    [mail] = sent_mail()
    assert mail["List-Unsubscribe"] is None and "Stop these alerts" not in text_of(mail)


@pytest.mark.skipif(
    "Auto-Submitted" not in inspect.getsource(__import__("chalicelib.core.outbox").core.outbox),
    reason="outbox.Mail.mime() sets Auto-Submitted once engineer A's change lands",
)
def test_an_alert_is_marked_auto_generated(silence):
    [mail] = _to(silence("backup"), OPS)
    assert mail["Auto-Submitted"] == "auto-generated"


@pytest.fixture
def monitors(make_monitor, ping, run_checker, deliver_outbox, sent_mail):  # noqa: F811
    return make_monitor, ping, run_checker, deliver_outbox, sent_mail


def test_reminders_carry_the_mute_link_too(monitors, clock):
    make, send_ping, check, deliver, mailed = monitors
    send_ping(make("backup", max_sleep=60, email_frequency=600))
    for _ in range(15):
        clock.shift(60)
        check()
    deliver()
    mails = mailed()
    assert len(mails) == 2 and "reminder" in text_of(mails[1])
    assert all(_mute_path(m).startswith("/mail/mute/") for m in mails)
