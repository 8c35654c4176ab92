"""Telling a notice to channels: the ones named, or the deployment's defaults.

E-mail channels' mails go to the outbox at once (sending.send, which logs
them); every other channel gets
one delivery message, all in one batch send (chalicelib/core/channels/
delivery.py). Every id is fixed by the notice, so a notice told twice (the
ping and the checker, a retried subscription window) is delivered once per
channel. Monitors and subscriptions both tell through here.
"""

from chalicelib.core.channels import delivery, sending, store


def tell(notice, channel_ids: list[str] | None, *, skip_critical: bool = False, found=None) -> int:
    """Hand notice to each enabled channel; None: the default channels.
    Returns how many were told (a channel in its quiet hours holds it:
    quiet.py). skip_critical: not to critical channels, told at once of what
    a monitor's quiet hours held (chalicelib/monitors/live.py). One read
    either way: a BatchGetItem of the named ones, or the Query of the defaults;
    none when the caller read them already (found: records(channel_ids))."""
    from chalicelib.core import clock
    from chalicelib.core.channels import quiet

    queued, handed, now = [], 0, clock.epoch()
    for record in records(channel_ids) if found is None else found:
        if not record.get("enabled", True) or (skip_critical and record.get("critical")):
            continue  # disabled since, or told already
        until = quiet.held_until(record, notice, now)
        if until is not None:
            quiet.hold(record, notice, until)
        elif record["kind"] == "email":
            hand(record, notice)
        else:
            queued.append(record["id"])
            continue
        handed += 1
    return handed + delivery.enqueue(notice, queued)


def records(channel_ids: list[str] | None) -> list[dict]:
    if channel_ids is None:
        return store.defaults()
    if not channel_ids:
        return []
    found = store.get_many(channel_ids)
    return [found[i] for i in dict.fromkeys(channel_ids) if i in found]


def hand(record: dict, notice) -> None:
    """One channel, now: a mail to the outbox, or a delivery message."""
    if record["kind"] == "email":
        # Through sending.send, the one way a notice reaches a channel: the
        # attempt ("queued") is in the channel's delivery log like any other.
        sending.send(record, notice)
    else:
        delivery.enqueue(notice, [record["id"]])
