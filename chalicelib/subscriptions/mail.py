"""The mails of one notification: records labelled, recipients found, bodies rendered.

A group subscriber becomes one mail per member, each to that member's best
contact (lowest priority number). A mail's id is derived from the pair, the
window and the address, so the same window rendered twice gives the same
ids and the outbox sends each once.
"""

import hashlib

from chalicelib.core import outbox
from chalicelib.core.mail import links
from chalicelib.core.observability import logger
from chalicelib.subscriptions import feed, render, store


def label(records: list, since: str, notify_on, shown=()) -> list[render.Item]:
    """Each record new (created in the window) or updated, as asked for.

    shown: ids already notified at exactly `since` (a fetch cut short there).
    """
    start = feed._time(since, "since")
    latest: dict[str, render.Item] = {}
    for record in records:
        if record.modified_on == start and record.id in shown:
            continue
        kind = "new" if record.created_on >= start else "upd"
        if kind in notify_on:
            latest[record.id] = render.Item("new" if kind == "new" else "updated", record)
    return sorted(latest.values(), key=lambda i: (i.record.modified_on, i.record.id))


def recipients(subscriber_id: str) -> list[tuple[str, str]]:
    """(name, address) per person: a group's members, each at their best contact."""
    found = store.get_subscribers([subscriber_id])
    subscriber = found.get(subscriber_id)
    if subscriber is None:
        return []
    people = [subscriber]
    if subscriber.get("members"):
        members = store.get_subscribers(list(subscriber["members"]))
        people = [members[m] for m in subscriber["members"] if m in members]
    result, seen = [], set()
    for person in people:
        contacts = sorted(person.get("contacts", []), key=lambda c: int(c["priority"]))
        if contacts and contacts[0]["address"] not in seen:
            seen.add(contacts[0]["address"])
            result.append((person["name"], contacts[0]["address"]))
    return result


def build(subscription: dict, pair: dict, items: list, truncated: bool) -> list:
    """One mail per recipient who has not unsubscribed (by their best contact:
    who left at it is not mailed at another), each with its own one-click
    unsubscribe link, in List-Unsubscribe and at the foot of the body."""
    mails, left = [], set(subscription.get("unsubscribed", ()))
    for name, address in recipients(subscription["subscriber"]):
        if address.lower() in left:
            logger.info("unsubscribed", extra={"to": address, "subscription": subscription["id"]})
            continue
        headers = links.list_unsubscribe(links.UNSUBSCRIBE, address, subscription["id"])
        title, text, html = render.notification(
            resource=pair["resource"],
            recipient=name,
            since=pair["last_check_time"],
            items=items,
            html=subscription["email_format"] == "html",
            truncated=truncated,
            unsubscribe=links.url(links.UNSUBSCRIBE, address, subscription["id"]),
        )
        window = f"{pair['pk']}|{pair['sk']}|{pair['last_check_time']}|{pair['window_until']}"
        mail_id = hashlib.sha256(f"{window}|{address}".encode()).hexdigest()[:32]
        mails.append(
            outbox.Mail(
                to=address,
                subject=title,
                text=text,
                html=html,
                headers={"X-Herald-Subscription": subscription["id"], **headers},
                kind="subscription",
                id=mail_id,
            )
        )
    return mails
