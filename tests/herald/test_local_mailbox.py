"""Captured mail: each message SES accepts becomes a .eml file and one console line."""

from email import message_from_bytes

from chalicelib.core import outbox
from herald.local.invoke import queue_handlers
from herald.local.mailbox import Mailbox
from herald.local.worker import QueueWorker


def test_it_writes_each_sent_mail_once_and_announces_it(app, tmp_path):
    lines = []
    mailbox = Mailbox(tmp_path / "mail", announce=lines.append)
    outbox.enqueue(
        [
            outbox.Mail(
                to="ops@example.org",
                subject="backup disconnection detected",
                text="silent since 08:00",
            )
        ]
    )
    QueueWorker(app, queue_handlers(app)[0], wait_seconds=0).drain()
    [path] = mailbox.collect()
    assert mailbox.collect() == []
    mail = message_from_bytes(path.read_bytes())
    assert mail["Subject"] == "backup disconnection detected"
    assert "silent since 08:00" in mail.get_payload(decode=True).decode()
    assert lines == [
        f"mail: to=ops@example.org subject='backup disconnection detected' file={path}"
    ]


def test_it_keeps_the_bytes_ses_was_given_so_long_unsubscribe_links_stay_links(app, tmp_path):
    link = "<http://127.0.0.1:8000/mail/unsubscribe/" + "t" * 150 + ">"
    mail = outbox.Mail(
        to="ops@example.org", subject="news", text="hi", headers={"List-Unsubscribe": link}
    )
    outbox.enqueue([mail])
    QueueWorker(app, queue_handlers(app)[0], wait_seconds=0).drain()
    [path] = Mailbox(tmp_path / "mail", announce=lambda line: None).collect()
    assert f"List-Unsubscribe: {link}".encode() in path.read_bytes()
