"""herald/local/bounces.py: a captured mail's bounce goes SES's way (SNS, then the queue)."""

from email.message import EmailMessage

from herald.local import bounces
from herald.local.invoke import queue_handlers
from herald.local.worker import QueueWorker


def _captured(folder, to="gone@example.org", mail_id="mon-1-2"):
    mail = EmailMessage()
    mail["To"], mail["Message-ID"] = to, f"<{mail_id}@example.com>"
    mail.set_content("down")
    folder.mkdir(exist_ok=True)
    (folder / "0007-abcdef.eml").write_bytes(mail.as_bytes())


def test_a_published_bounce_reaches_the_handler_through_sns_and_suppresses(app, tmp_path):
    from chalicelib.core.mail import suppressions

    _captured(tmp_path)
    recipient, mail_id = bounces.captured("0007", tmp_path)
    bounces.publish(bounces.event(recipient, mail_id, kind="bounce"))
    config = next(c for c in queue_handlers(app) if c.name == "mail_events")
    assert QueueWorker(app, config, wait_seconds=0).drain() == 1
    entry = suppressions.is_suppressed("gone@example.org")
    assert entry["mail_id"] == "mon-1-2"
    assert entry["reason"].startswith("mailbox does not exist")


def test_it_names_what_it_cannot_find(tmp_path):
    import pytest

    with pytest.raises(ValueError, match="no captured mail"):
        bounces.captured("0099", tmp_path)


def test_the_cli_refuses_bounce_outside_local_mode(monkeypatch):
    from click.testing import CliRunner

    from herald import cli
    from herald.target import Target

    monkeypatch.setattr(
        "herald.cli.base.connect", lambda stage: Target(stage="dev", local=False, region="x")
    )
    result = CliRunner().invoke(cli.main, ["--stage", "dev", "mail", "bounce", "0001"])
    assert result.exit_code != 0
    assert "locally only" in result.output
