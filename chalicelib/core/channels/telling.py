"""Telling a notice to channels: the ones named, or the deployment's defaults.

E-mail channels' mails go to the outbox at once; every other channel gets
one delivery message, all in one batch send (chalicelib/core/channels/
delivery.py). Every id is fixed by the notice, so a notice told twice (the
ping and the checker, a retried subscription window) is delivered once per
channel. Monitors and subscriptions both tell through here.
"""

from chalicelib.core.channels import delivery, email, store


def tell(notice, channel_ids: list[str] | None) -> int:
    """Hand notice to each enabled channel; None: the default channels.
    Returns how many were told. One read either way: a BatchGetItem of the
    named ones, or the Query of the defaults."""
    if channel_ids is None:
        records = store.defaults()
    elif channel_ids:
        found = store.get_many(channel_ids)
        records = [found[i] for i in dict.fromkeys(channel_ids) if i in found]
    else:
        return 0
    queued, mailed = [], 0
    for record in records:
        if not record.get("enabled", True):
            continue  # disabled since: nothing to tell
        if record["kind"] == "email":
            email.send(record["config"], notice, tag=record["id"])
            mailed += 1
        else:
            queued.append(record["id"])
    return mailed + delivery.enqueue(notice, queued)
