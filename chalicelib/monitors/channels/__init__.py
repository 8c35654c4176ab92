"""Where a monitor's notices go: a registry of channel kinds, one module each.

A channel kind is a module with send(channel, notice): it renders the
channel-neutral Notice (monitors/notices.py) in its service's own format
and hands it on in a way that delivers each notice id once. A monitor's
channels today are its recipients, as one implicit e-mail channel (the
seed's config import is unchanged); the alert channels issue adds kinds.
"""


def _email():
    from chalicelib.monitors.channels import email

    return email


# Kinds are imported only when a notice goes to one: a ping pays for none.
KINDS = {"email": _email}


def of(item: dict) -> list[dict]:
    """The monitor's channels."""
    recipients = list(item.get("recipients") or [])
    return [{"kind": "email", "recipients": recipients}] if recipients else []


def deliver(item: dict, notice) -> int:
    """Hand notice to each of the monitor's channels; returns how many."""
    channels = of(item)
    for channel in channels:
        KINDS[channel["kind"]]().send(channel, notice)
    return len(channels)
