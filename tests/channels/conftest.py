"""Fixtures for channels: the outbox and its mail (as the monitors' tests have
them), and the hooks queue with a loopback endpoint (as the hooks' tests have
them: channel deliveries ride that queue)."""

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
