"""Where a monitor's notices go: its recipients, and the channels it names.

A monitor's recipients (the seed's device_email) are an implicit e-mail
channel, mailed through the outbox as before (the seed's config import is
unchanged). The channels it names (`channels`: ids of chalicelib/core/channels)
are told through the channel delivery queue, one message per channel in one
batch send, except e-mail channels, whose mails go to the outbox at once.
Every id is fixed by the notice, so a notice handed over twice (the ping
and the checker) is delivered once per channel.
"""


def of(item: dict) -> list[dict]:
    """The monitor's implicit e-mail channel (its recipients), if it has any."""
    recipients = list(item.get("recipients") or [])
    return [{"kind": "email", "recipients": recipients}] if recipients else []


def deliver(item: dict, notice) -> int:
    """Hand notice to the monitor's recipients and channels; returns how many."""
    from chalicelib.core.channels import email

    implicit = of(item)
    for channel in implicit:
        email.send(channel, notice)
    return len(implicit) + _named(item.get("channels") or [], notice)


def _named(channel_ids: list[str], notice) -> int:
    if not channel_ids:
        return 0
    from chalicelib.core.channels import delivery, email, store

    queued, mailed = [], 0
    records = store.get_many(channel_ids)  # one request, however many channels
    for channel_id in channel_ids:
        record = records.get(channel_id)
        if record is None or not record.get("enabled", True):
            continue  # deleted or disabled since: nothing to tell
        if record["kind"] == "email":
            email.send(record["config"], notice, tag=channel_id)
            mailed += 1
        else:
            queued.append(channel_id)
    return mailed + delivery.enqueue(notice, queued)
