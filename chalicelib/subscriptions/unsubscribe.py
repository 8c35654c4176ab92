"""The page behind a notification's unsubscribe link (RFC 8058 one-click).

GET shows what the link does and a button, and changes nothing (mail
scanners open links); POST (the button, or a mail client's one-click
`List-Unsubscribe=One-Click`) unsubscribes at once, and again is harmless.
POST /mail/resubscribe/{token}, the same token, undoes it. A token Herald
did not sign for this (tampered, cut, another recipient's or
subscription's) is a 403 (JSON).
"""

from chalicelib.core.mail import links, pages
from chalicelib.subscriptions import optouts, store


def answer(token: str, change: str | None):
    link = links.read(token, links.UNSUBSCRIBE)
    if link is None:
        raise pages.refused()
    subscription, address = link.target, link.address
    loaded = store.load(subscription)
    if loaded is None:
        return pages.page(
            "Nothing to unsubscribe from",
            f"This subscription no longer exists: Herald mails {address} nothing for it.",
        )
    resources = ", ".join(r["name"] for r in loaded["subscription"]["resources"])
    what = f"notifications of changes in {resources}"
    if change == "unsubscribe":
        if optouts.unsubscribe(subscription, address) is False:
            return _left(token, "Already unsubscribed", f"{address} was unsubscribed already")
        return _left(token, "Unsubscribed", f"Herald mails {address} no more {what}")
    if change == "resubscribe":
        optouts.resubscribe(subscription, address)
    elif address in loaded["subscription"]["unsubscribed"]:
        return _left(token, "Unsubscribed", f"Herald mails {address} no {what}")
    return pages.page(
        "Subscribed again" if change else "Unsubscribe?",
        f"Herald mails {address} {what}. The button stops them for this address only.",
        button="Unsubscribe",
        action=f"../unsubscribe/{token}",
    )


def _left(token: str, title: str, message: str):
    return pages.page(
        title,
        f"{message}. Changed your mind? The button mails them to you again.",
        button="Subscribe again",
        action=f"../resubscribe/{token}",
    )
