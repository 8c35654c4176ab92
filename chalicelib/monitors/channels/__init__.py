"""Where a monitor's notices go: its recipients, and its channels.

A monitor's recipients (the seed's device_email) are an implicit e-mail
channel, mailed through the outbox as before (the seed's config import is
unchanged). Its `channels` (ids of chalicelib/core/channels) are told as
well; a monitor without that setting tells the deployment's default
channels, and one whose list is empty tells none.
"""


def of(item: dict) -> list[dict]:
    """The monitor's implicit e-mail channel (its recipients), if it has any."""
    recipients = list(item.get("recipients") or [])
    return [{"kind": "email", "recipients": recipients}] if recipients else []


def deliver(item: dict, notice) -> int:
    """Hand notice to the monitor's recipients and channels; returns how many."""
    from chalicelib.core.channels import email, telling

    implicit = of(item)
    for channel in implicit:
        email.send(channel, notice)
    named = item.get("channels")
    return len(implicit) + telling.tell(notice, None if named is None else list(named))
