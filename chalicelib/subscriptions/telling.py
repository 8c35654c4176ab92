"""Telling a window's changes: mail to the subscriber's people ("email" in
the subscription's `method`), one notice to each channel it names (a team's
Slack, an ntfy topic...), then the subscription.notified event.

One notice per window: its id is derived from the pair and the window, as
the mails' ids are, so the same window told again (a retried job) is
delivered once per channel (chalicelib/core/channels/telling.py).
"""

import hashlib

from chalicelib.core import events, outbox
from chalicelib.core.channels.notice import Notice
from chalicelib.subscriptions import mail, render

RECORDS_SHOWN = 20


def tell(subscription: dict, pair: dict, items: list, truncated: bool) -> int:
    """Mail and channel notices first, then the pair: a crash between them
    retries the same window, whose mails, notice and event have the same ids,
    each sent once. Returns how many mails and channels were told."""
    mails = []
    if "email" in subscription["method"]:
        mails = mail.build(subscription, pair, items, truncated)
        outbox.enqueue(mails)
    named = channel_ids(subscription)
    if not named:
        return len(mails)
    from chalicelib.core.channels import telling as channels

    return len(mails) + channels.tell(notice(subscription, pair, items, truncated), named)


def announce(subscription: dict, pair: dict, items: list, recipients: int) -> None:
    new = sum(1 for i in items if i.label == "new")
    events.emit(
        "subscription.notified",
        f"subscription/{subscription['id']}",
        {
            "subscription": subscription["id"],
            "subscriber": subscription["subscriber"],
            "resource": pair["resource"],
            "new": new,
            "updated": len(items) - new,
            "recipients": recipients,
            "since": pair["last_check_time"],
            "until": pair["window_until"],
        },
        event_id=f"subscription-notified:{subscription['id']}:{pair['resource']}:"
        f"{pair['window_until']}",
    )


def channel_ids(subscription: dict) -> list[str]:
    return [method for method in subscription["method"] if method != "email"]


def notice(subscription: dict, pair: dict, items: list, truncated: bool) -> Notice:
    window = f"{pair['pk']}|{pair['sk']}|{pair['last_check_time']}|{pair['window_until']}"
    since = pair["last_check_time"].replace("T", " ")[:16] + " UTC"
    paragraphs = [f"{render.counts(items)} in {pair['resource']} since {since}."]
    paragraphs += [_record(item) for item in items[:RECORDS_SHOWN]]
    if len(items) > RECORDS_SHOWN:
        paragraphs.append(f"... and {len(items) - RECORDS_SHOWN} more.")
    if truncated:
        paragraphs.append("More changes were found than fit; they follow in the next message.")
    return Notice(
        id="sub-" + hashlib.sha256(window.encode()).hexdigest()[:32],
        kind="news",
        monitor=pair["resource"],
        subject=render.subject(pair["resource"]),
        paragraphs=tuple(paragraphs),
        link="",
        link_label="",
        at=pair["window_until"],
    )


def _record(item) -> str:
    line = f"[{item.label}] {item.record.title or '(untitled)'}"
    if item.record.link:
        return f"{line}\n{item.record.link}"
    return f"{line}\nRecord {item.record.id}, {item.verb} {item.when}."
