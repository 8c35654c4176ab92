"""Alerts to suppressed addresses fall back to the default channels, when
nothing else the monitor tells would reach anybody (docs/mail.md)."""

import logging

import pytest

from tests.hooks.conftest import drain, endpoint, local_mode  # noqa: F401 - fixtures
from tests.monitors.conftest import make_monitor, ping, run_checker  # noqa: F401 - fixtures

OPS, ONCALL = "ops@example.com", "oncall@example.com"


def _suppress(address: str) -> None:
    from chalicelib.core.mail import suppressions

    suppressions.suppress(
        address, reason="mailbox does not exist", kind="bounce", mail_id="m-1", event_id="e-1"
    )


@pytest.fixture
def slack(endpoint):  # noqa: F811
    """slack(name, default=False): a Slack channel on the loopback endpoint at /hook/NAME."""
    from chalicelib.core.channels import store

    def make(name, default=False):
        return store.create("slack", name, {"url": f"{endpoint.url}/{name}"}, default=default)

    return make


@pytest.fixture
def down(make_monitor, ping, run_checker, drain, clock, endpoint):  # noqa: F811
    """down(**settings): the hook paths told when a monitor so set goes down
    (the checker run twice)."""

    def run(**settings):
        monitor = make_monitor("backup", **settings)
        assert ping(monitor).status_code == 200
        clock.shift(361)
        run_checker()
        run_checker()
        drain()
        return sorted(request["path"] for request in endpoint.requests)

    return run


def test_it_tells_the_default_channel_once_when_every_recipient_is_suppressed(slack, down, caplog):
    slack("ops", default=True)
    _suppress(OPS)
    with caplog.at_level(logging.INFO):
        assert down(device_email=[OPS], channels=[]) == ["/hook/ops"]
    assert "alert fell back to the default channels" in caplog.text


def test_it_counts_an_email_channels_recipients_and_skips_a_default_to_them(slack, down):
    from chalicelib.core.channels import store

    team = store.create("email", "team", {"recipients": [ONCALL]})
    store.create("email", "same", {"recipients": [OPS.upper()]}, default=True)
    slack("ops", default=True)
    _suppress(OPS)
    _suppress(ONCALL)
    assert down(device_email=[OPS], channels=[team["id"]]) == ["/hook/ops"]


def test_it_does_not_fall_back_when_one_recipient_is_fine(slack, down, caplog):
    slack("ops", default=True)
    _suppress(OPS)
    with caplog.at_level(logging.INFO):
        assert down(device_email=[OPS, ONCALL], channels=[]) == []
    assert "fell back" not in caplog.text


def test_a_monitor_with_a_slack_channel_tells_it_as_before(slack, down):
    slack("ops", default=True)
    team = slack("team")
    _suppress(OPS)
    assert down(device_email=[OPS], channels=[team["id"]]) == ["/hook/team"]


def test_a_monitor_on_the_defaults_tells_them_once(slack, down):
    slack("ops", default=True)
    _suppress(OPS)
    assert down(device_email=[OPS]) == ["/hook/ops"]


def test_the_same_notice_delivered_twice_falls_back_once(slack, make_monitor, drain, endpoint):  # noqa: F811
    from chalicelib.core.channels.notice import Notice
    from chalicelib.monitors import channels
    from chalicelib.monitors import store as monitors

    slack("ops", default=True)
    _suppress(OPS)
    make_monitor("backup", device_email=[OPS], channels=[])
    item = monitors.get("backup")
    notice = Notice(
        id="notice-1",
        kind="down",
        monitor="backup",
        subject="backup is down",
        paragraphs=("down",),
        details=(),
        link="https://example.com",
        link_label="Logs",
    )
    channels.deliver(item, notice)
    channels.deliver(item, notice)
    drain()
    assert [request["path"] for request in endpoint.requests] == ["/hook/ops"]
