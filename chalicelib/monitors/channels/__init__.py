"""Where a monitor's notices go: its recipients, and its channels.

A monitor's recipients (the seed's device_email) are an implicit e-mail
channel, mailed through the outbox as before (the seed's config import is
unchanged). Its `channels` (ids of chalicelib/core/channels) are told as
well; a monitor without that setting tells the deployment's default
channels, and one whose list is empty tells none.

A monitor that names its channels and whose every address is suppressed,
with nothing else to tell, tells the default channels instead
(mail_warnings.py): its alerts would otherwise reach nobody.
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
    found = telling.records(named)
    told = telling.tell(notice, named, skip_critical=skip_critical, found=found)
    if named is not None:  # with none named, the defaults were told already
        told += _fall_back(item, notice, found, skip_critical)
    return len(implicit) + told


def _fall_back(item: dict, notice, found: list[dict], skip_critical: bool) -> int:
    """Tell the default channels when nothing the monitor tells can be reached."""
    from chalicelib.core.channels import telling
    from chalicelib.core.observability import count, logger
    from chalicelib.monitors import mail_warnings

    entries = mail_warnings.stranded(item, found)
    if entries is None:
        return 0
    chosen = mail_warnings.fallback(found, entries)
    extra = {"monitor": item["name"], "suppressed": sorted(entries), "channels": len(chosen)}
    if not chosen:
        logger.warning(
            "alert reaches nobody: every address suppressed, no default channel", extra=extra
        )
        count("AlertUndeliverable")
        return 0
    logger.warning("alert fell back to the default channels", extra=extra)
    count("AlertFellBack")
    ids = [record["id"] for record in chosen]
    return telling.tell(notice, ids, skip_critical=skip_critical, found=chosen)
