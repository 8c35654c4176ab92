"""/subscribers and /subscriptions (X-Api-Key), and the unsubscribe links in their mail.

Reads need any key, changes a read-write key. A refused value answers 400
with {"Code", "Message", "field"}; unknown ids 404; clashes 409.
"""

from chalice import Blueprint

from chalicelib.core import http

blueprint = Blueprint(__name__)


def _store(*, write: bool):
    """The store, once the caller's key allows the request."""
    http.caller(blueprint.current_request, write=write)
    from chalicelib.subscriptions import store

    return store


def _body():
    return http.json_body(blueprint.current_request)


@http.route(blueprint, "/subscribers", methods=["GET"])
def subscribers_list():
    return {"subscribers": _store(write=False).list_subscribers()}


@http.route(blueprint, "/subscribers", methods=["POST"])
def subscribers_create():
    return http.reply(201, _store(write=True).save_subscriber(_body()))


@http.route(blueprint, "/subscribers/{subscriber_id}", methods=["GET"])
def subscriber_get(subscriber_id):
    from chalicelib.core.mail import suppressions

    shown = _store(write=False).get_subscriber(subscriber_id)
    addresses = [contact["address"] for contact in shown["contacts"]]
    entries = suppressions.suppressed(addresses) if addresses else {}
    return {**shown, "mail_warnings": suppressions.warnings(entries, "notifications")}


@http.route(blueprint, "/subscribers/{subscriber_id}", methods=["PUT"])
def subscriber_replace(subscriber_id):
    return _store(write=True).save_subscriber(_body(), subscriber_id, create=False)


@http.route(blueprint, "/subscribers/{subscriber_id}", methods=["DELETE"])
def subscriber_delete(subscriber_id):
    _store(write=True).delete_subscriber(subscriber_id)
    return http.reply(204, None)


@http.route(blueprint, "/subscriptions", methods=["GET"])
def subscriptions_list():
    store = _store(write=False)
    wanted = http.query(blueprint.current_request, {"subscriber"}).get("subscriber")
    return {"subscriptions": store.list_subscriptions(wanted)}


@http.route(blueprint, "/subscriptions", methods=["POST"])
def subscriptions_create():
    return http.reply(201, _store(write=True).save_subscription(_body()))


@http.route(blueprint, "/subscriptions/{subscription_id}", methods=["GET"])
def subscription_get(subscription_id):
    return _store(write=False).get_subscription(subscription_id)


@http.route(blueprint, "/subscriptions/{subscription_id}", methods=["PUT"])
def subscription_replace(subscription_id):
    return _store(write=True).save_subscription(_body(), subscription_id)


@http.route(blueprint, "/subscriptions/{subscription_id}", methods=["DELETE"])
def subscription_delete(subscription_id):
    _store(write=True).delete_subscription(subscription_id)
    return http.reply(204, None)


# ---- the unsubscribe link in a notification's mail (no key: the token is signed) ----
_FORM_POST = {"methods": ["POST"], "content_types": ["*/*"]}


def _unsubscribe(token: str, change: str | None):
    from chalicelib.subscriptions import unsubscribe

    return unsubscribe.answer(token, change)


@http.route(blueprint, "/mail/unsubscribe/{token}", methods=["GET"])
def mail_unsubscribe_page(token):
    return _unsubscribe(token, None)


@http.route(blueprint, "/mail/unsubscribe/{token}", **_FORM_POST)
def mail_unsubscribe(token):
    return _unsubscribe(token, "unsubscribe")


@http.route(blueprint, "/mail/resubscribe/{token}", methods=["GET"])
def mail_resubscribe_page(token):
    return _unsubscribe(token, None)


@http.route(blueprint, "/mail/resubscribe/{token}", **_FORM_POST)
def mail_resubscribe(token):
    return _unsubscribe(token, "resubscribe")
