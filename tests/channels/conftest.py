"""Fixtures for channels: the outbox and its mail (as the monitors' tests have
them), the hooks queue with a loopback endpoint (as the hooks' tests have
them: channel deliveries ride that queue), the API, and the channel
stand-ins of `make run` over loopback (as tests/herald/ use them)."""

import pytest

from tests.hooks.conftest import dead_letters, drain, endpoint, local_mode
from tests.monitors.conftest import deliver_outbox, ping, run_checker, sent_mail

__all__ = [
    "dead_letters",
    "deliver_outbox",
    "drain",
    "endpoint",
    "local_mode",
    "ping",
    "run_checker",
    "sent_mail",
]


@pytest.fixture
def standins(local_mode):
    """The channel stand-ins on a free loopback port, stopped after the test."""
    from herald.local import channel_standins

    server = channel_standins.start(0)
    yield server
    server.stop()
