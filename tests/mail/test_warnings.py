"""A monitor shows its suppressed and muted recipients, and whether its
alerts can reach anybody: GET /monitors/NAME, herald monitors get, the
dashboard's monitor page (docs/mail.md)."""

import json

from click.testing import CliRunner

from herald.cli import main
from tests.dashboard.conftest import admin  # noqa: F401 - fixtures
from tests.monitors.conftest import make_monitor  # noqa: F401 - fixtures

OPS, ONCALL = "ops@example.com", "o'neil@example.com"
HOSTILE = '<script>alert("x")</script> & 550 5.1.1'


def _suppress(address: str, reason: str = "mailbox does not exist") -> None:
    from chalicelib.core.mail import suppressions

    suppressions.suppress(address, reason=reason, kind="bounce", mail_id="m-1", event_id="e-1")


def _shown(send, name="backup") -> dict:
    reply = send("GET", f"/monitors/{name}")
    assert reply.status_code == 200
    return json.loads(reply.body)


def test_it_warns_of_a_suppressed_and_a_muted_recipient(make_monitor, send, clock):  # noqa: F811
    from chalicelib.core.mail import mutes

    make_monitor("backup", device_email=[OPS, ONCALL], channels=[])
    _suppress(OPS)
    mutes.mute(ONCALL, "backup")
    shown = _shown(send)
    assert shown["mail_warnings"] == [
        "alerts to ops@example.com are suppressed since 2026-11-02T09:00:00.000000Z: "
        "mailbox does not exist",
        "o'neil@example.com muted this monitor's alerts",
    ]
    assert shown["deliverable"] is True  # a muted address is a choice, not a failure


def test_it_says_no_deliverable_channel_is_left(make_monitor, send, clock):  # noqa: F811
    make_monitor("backup", device_email=[OPS], channels=[])
    _suppress(OPS)
    shown = _shown(send)
    assert shown["deliverable"] is False
    assert shown["mail_warnings"][1:] == [
        "no deliverable channel left",
        "no default channel to fall back to",
    ]


def test_it_names_the_default_channels_it_falls_back_to(make_monitor, send, clock):  # noqa: F811
    from chalicelib.core.channels import store

    store.create("slack", "ops-room", {"url": "https://hooks.slack.com/x"}, default=True)
    make_monitor("backup", device_email=[OPS], channels=[])
    _suppress(OPS)
    shown = _shown(send)
    assert shown["deliverable"] is False
    assert shown["mail_warnings"][-1] == "alerts fall back to the default channels: ops-room"


def test_a_fine_monitor_has_no_warnings_and_the_list_leaves_them_out(make_monitor, send, clock):  # noqa: F811
    make_monitor("backup")
    assert _shown(send)["mail_warnings"] == [] and _shown(send)["deliverable"] is True
    listed = json.loads(send("GET", "/monitors").body)["monitors"][0]
    assert "mail_warnings" not in listed


def test_herald_monitors_get_prints_the_warnings(make_monitor, clock):  # noqa: F811
    make_monitor("backup", device_email=[OPS], channels=[])
    _suppress(OPS)
    reply = CliRunner().invoke(main, ["--stage", "dev", "monitors", "get", "backup"])
    assert reply.exit_code == 0, reply.output
    assert "warning: alerts to ops@example.com are suppressed since" in reply.output
    assert "warning: no deliverable channel left" in reply.output
    as_json = CliRunner().invoke(main, ["--stage", "dev", "monitors", "get", "backup", "--json"])
    assert json.loads(as_json.output)["deliverable"] is False


def test_the_dashboard_page_shows_them_escaped(admin, make_monitor, clock):  # noqa: F811
    from chalicelib.core.mail import mutes

    make_monitor("backup", device_email=[OPS, ONCALL], channels=[])
    _suppress(OPS, reason=HOSTILE)
    mutes.mute(ONCALL, "backup")
    page = admin.get("/dashboard/monitors/backup").body.decode()
    assert 'id="mail-warnings"' in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; 550 5.1.1" in page
    assert "<script>alert(" not in page
    assert "o&#39;neil@example.com muted this monitor&#39;s alerts" in page
    _suppress(ONCALL)
    page = admin.get("/dashboard/monitors/backup").body.decode()
    assert "no deliverable channel left" in page
    assert "reach no deliverable channel of its own" in page


def test_herald_mail_mutes_lists_who_muted_what(make_monitor, clock):  # noqa: F811
    from chalicelib.core.mail import mutes

    make_monitor("backup", device_email=[OPS, ONCALL])
    make_monitor("db")
    mutes.mute(ONCALL, "backup")

    def invoke(*args):
        return CliRunner().invoke(main, ["--stage", "dev", "mail", "mutes", *args])

    assert invoke().output.startswith("backup  o'neil@example.com  since 2026-11-02")
    assert invoke("db").output == "nobody muted db\n"


def test_an_email_channel_shows_its_suppressed_recipients(send, clock):
    made = send("POST", "/channels", {"kind": "email", "name": "team",
                                      "config": {"recipients": [OPS, ONCALL]}})  # fmt: skip
    channel_id = json.loads(made.body)["id"]
    _suppress(OPS)
    shown = json.loads(send("GET", f"/channels/{channel_id}").body)
    assert shown["mail_warnings"] == [
        "alerts to ops@example.com are suppressed since 2026-11-02T09:00:00.000000Z: "
        "mailbox does not exist"
    ]


def test_a_subscriber_shows_its_suppressed_contacts(send, clock):
    contacts = [{"address": OPS}, {"address": ONCALL}]
    made = send("POST", "/subscribers", {"name": "Ops team", "contacts": contacts})
    assert made.status_code == 201, made.body
    subscriber_id = json.loads(made.body)["id"]
    assert json.loads(send("GET", f"/subscribers/{subscriber_id}").body)["mail_warnings"] == []
    _suppress(ONCALL, "complaint")
    shown = json.loads(send("GET", f"/subscribers/{subscriber_id}").body)
    assert shown["mail_warnings"] == [
        "notifications to o'neil@example.com are suppressed since "
        "2026-11-02T09:00:00.000000Z: complaint"
    ]
