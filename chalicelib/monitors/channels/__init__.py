"""Where a monitor's notices go: its recipients, and its channels.

A monitor's recipients (the seed's device_email) are an implicit e-mail
channel, mailed through the outbox as before (the seed's config import is
unchanged). Its `channels` (ids of chalicelib/core/channels) are told as
well; a monitor without that setting tells the deployment's default
channels, and one whose list is empty tells none.
"""


def check(settings: dict) -> None:
    """Each channel the settings name exists; raises Invalid naming the first that does not."""
    from chalicelib.core.channels import store
    from chalicelib.core.errors import Invalid

    for channel_id in settings.get("channels") or []:
        if store.get(channel_id) is None:
            raise Invalid(f"monitor.channels: no channel with id {channel_id!r}")


def of(item: dict) -> list[dict]:
    """The monitor's implicit e-mail channel (its recipients), if it has any."""
    recipients = list(item.get("recipients") or [])
    return [{"kind": "email", "recipients": recipients}] if recipients else []


def deliver(item: dict, notice, *, skip_critical: bool = False) -> int:
    """Hand notice to the monitor's recipients and channels; returns how many.
    skip_critical: a held notice the critical channels were told (live.py)."""
    from chalicelib.core.channels import email, telling

    implicit = of(item)
    for channel in implicit:
        email.send(channel, notice)
    named = None if item.get("channels") is None else list(item["channels"])
    return len(implicit) + telling.tell(notice, named, skip_critical=skip_critical)
