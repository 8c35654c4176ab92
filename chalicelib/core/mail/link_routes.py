"""The links Herald's mails carry: mute (alerts) here; one-click unsubscribe
lives with the subscriptions (chalicelib/subscriptions/unsubscribe_routes.py).

GET /mail/mute/{token} shows what the link does and a button; POST (the
button, or a mail client's RFC 8058 one-click) mutes that monitor's alert
mail for that recipient and offers to undo it: POST /mail/unmute/{token},
the same token. A token Herald did not sign for this is a 403 (JSON).
"""

from chalice import Blueprint

from chalicelib.core import http

blueprint = Blueprint(__name__)
_POST = {"methods": ["POST"], "content_types": ["*/*"]}


def _answer(token: str, change: str | None):
    # Imported on use: app.py imports this module on every cold start.
    from chalicelib.core.mail import links, mutes, pages

    link = links.read(token, links.MUTE)
    if link is None:
        raise pages.refused()
    if change == "mute":
        mutes.mute(link.address, link.target)
    elif change == "unmute":
        mutes.unmute(link.address, link.target)
    about = f"alerts about the monitor {link.target}"
    if mutes.is_muted(link.address, link.target):
        return pages.page(
            "Muted" if change else f"{link.target}: muted",
            f"Herald mails {link.address} no {about}. Other recipients and the monitor's "
            "other channels are told as before.",
            button="Mail me these alerts again",
            action=f"../unmute/{token}",
        )
    return pages.page(
        f"Stop alert mail about {link.target}?" if change != "unmute" else "Alerts are back on",
        f"Herald mails {link.address} {about}. The button stops them for this address "
        "only; other recipients and the monitor's other channels are still told.",
        button="Stop these alerts",
        action=f"../mute/{token}",
    )


@http.route(blueprint, "/mail/mute/{token}", methods=["GET"])
def mail_mute_page(token):
    return _answer(token, None)


@http.route(blueprint, "/mail/mute/{token}", **_POST)
def mail_mute(token):
    return _answer(token, "mute")


@http.route(blueprint, "/mail/unmute/{token}", methods=["GET"])
def mail_unmute_page(token):
    return _answer(token, None)


@http.route(blueprint, "/mail/unmute/{token}", **_POST)
def mail_unmute(token):
    return _answer(token, "unmute")
