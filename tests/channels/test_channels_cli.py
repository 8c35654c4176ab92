"""`herald channels ...`, run as a user runs it (click's CliRunner, --stage dev on moto)."""

import re

from click.testing import CliRunner

from herald.cli import main


def herald(*args):
    return CliRunner().invoke(main, ["--stage", "dev", *args])


def _answer(result) -> str:
    return result.output.splitlines()[-1]


def _created_id(output: str) -> str:
    return re.match(r"^([0-9a-f]{16}) ", output).group(1)


def test_it_creates_lists_and_tests_an_email_channel(aws, deliver_outbox, sent_mail):
    made = herald(
        "channels",
        "create",
        "email",
        "ops",
        "-c",
        "recipients=a@example.com",
        "-c",
        "recipients=b@example.com",
    )
    assert made.exit_code == 0, made.output
    channel_id = _created_id(made.output)
    assert "recipients=['a@example.com', 'b@example.com']" in made.output
    assert channel_id in herald("channels", "list").output
    tested = herald("channels", "test", channel_id)
    # The last line: in this test process an earlier test may have built the
    # logger at DEBUG (a real `herald` process logs only warnings: cli/base.py).
    assert tested.exit_code == 0 and _answer(tested).startswith("queued"), tested.output
    deliver_outbox()
    assert sorted(mail["To"] for mail in sent_mail()) == [
        "a@example.com",
        "b@example.com",
    ]
    assert "queued" in herald("channels", "deliveries", channel_id).output


def test_it_disables_enables_and_deletes(aws):
    channel_id = _created_id(
        herald("channels", "create", "email", "ops", "-c", "recipients=a@example.com").output
    )
    assert "DISABLED (by hand)" in herald("channels", "disable", channel_id).output
    assert " enabled " in herald("channels", "enable", channel_id).output
    assert herald("channels", "delete", channel_id).exit_code == 0
    gone = herald("channels", "delete", channel_id)
    assert gone.exit_code == 1 and "no channel" in gone.output


def test_it_says_what_is_wrong_with_a_channel(aws):
    bad = herald("channels", "create", "email", "ops", "-c", "recipients=nobody")
    assert bad.exit_code == 1 and "config.recipients" in bad.output
    odd = herald("channels", "create", "email", "ops", "-c", "recipients")
    assert odd.exit_code == 2 and "key=value" in odd.output
    assert herald("channels", "list").output == ""


def test_it_replaces_a_setting_and_renames(aws):
    from chalicelib.core.channels import store

    old = "https://hooks.slack.com/services/T/B/old0000000000aaaa"
    new = "https://hooks.slack.com/services/T/B/new0000000000bbbb"
    channel_id = _created_id(
        herald("channels", "create", "slack", "alerts", "-c", f"url={old}").output
    )
    changed = herald("channels", "update", channel_id, "--name", "night shift", "-c", f"url={new}")
    assert changed.exit_code == 0, changed.output
    assert "night shift" in changed.output and "url=...bbbb" in changed.output
    listed = herald("channels", "list").output
    assert "night shift" in listed and "...bbbb" in listed and "...aaaa" not in listed
    assert store.config_of(store.get(channel_id)) == {"url": new}
    nothing = herald("channels", "update", channel_id)
    assert nothing.exit_code == 2 and "--name" in nothing.output


def test_it_shows_a_webhooks_signing_secret_once(aws):
    made = herald("channels", "create", "webhook", "receiver", "-c", "url=https://hooks.example/in")
    assert made.exit_code == 0, made.output
    [secret] = re.findall(r"^secret: (whsec_\S+)$", made.output, re.MULTILINE)
    assert "shown only now" in made.output
    listed = herald("channels", "list").output
    assert secret not in listed and f"secret=...{secret[-4:]}" in listed
