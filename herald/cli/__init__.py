"""The `herald` command line: one module per capability, all on one group."""

from herald.cli import (
    channels,
    core,
    healthchecks,
    hooks,
    mail,
    monitors,
    ping_keys,
    sites,
    status_pages,
    subscriptions,
    users,
)
from herald.cli.base import main

for _group in (
    monitors.monitors,
    ping_keys.ping_keys,
    channels.channels,
    sites.digest,
    sites.profile_status,
    subscriptions.subscriptions,
    hooks.hook,
    users.users,
    status_pages.status_pages,
    mail.mail,
):
    main.add_command(_group)

__all__ = ["main", "core", "healthchecks"]
