"""HTTP glue for /subscribers and /subscriptions (X-Api-Key).

Reads need any key, changes a read-write key. A refused value answers 400
with {"Code", "Message", "field"}; unknown ids 404; clashes 409.
"""

import json

from chalice import Response

from chalicelib import auth, subscription_rules, subscriptions


def _reply(status: int, body) -> Response:
    return Response(body=body, status_code=status, headers={"Content-Type": "application/json"})


def _error(status: int, code: str, message: str, field: str | None = None) -> Response:
    body = {"Code": code, "Message": message}
    if field:
        body["field"] = field
    return _reply(status, body)


def _body(request):
    try:
        return json.loads(request.raw_body or b"null")
    except (ValueError, RecursionError):  # RecursionError: nested thousands deep
        raise subscription_rules.Invalid("body", "must be JSON") from None


def _guarded(action):
    try:
        return action()
    except subscription_rules.Invalid as error:
        return _error(400, "BadRequestError", str(error), error.field)
    except subscriptions.NotFound as error:
        return _error(404, "NotFoundError", str(error))
    except subscriptions.Conflict as error:
        return _error(409, "ConflictError", str(error))


def _collection(request, listed, create) -> Response:
    """GET lists (any key); POST creates (read-write key)."""
    auth.require(request, write=request.method == "POST")
    if request.method == "POST":
        return _guarded(lambda: _reply(201, create(_body(request))))
    return _reply(200, listed())


def _member(request, read, replace, delete) -> Response:
    """GET reads (any key); PUT replaces and DELETE removes (read-write key)."""
    auth.require(request, write=request.method != "GET")
    if request.method == "GET":
        return _guarded(lambda: _reply(200, read()))
    if request.method == "PUT":
        return _guarded(lambda: _reply(200, replace(_body(request))))
    return _guarded(lambda: _reply(204, delete() or ""))


def subscribers(request) -> Response:
    return _collection(
        request,
        lambda: {"subscribers": subscriptions.list_subscribers()},
        subscriptions.save_subscriber,
    )


def subscriber(request, subscriber_id: str) -> Response:
    return _member(
        request,
        lambda: subscriptions.get_subscriber(subscriber_id),
        lambda body: subscriptions.save_subscriber(body, subscriber_id, create=False),
        lambda: subscriptions.delete_subscriber(subscriber_id),
    )


def subscription_list(request) -> Response:
    wanted = (request.query_params or {}).get("subscriber")
    return _collection(
        request,
        lambda: {"subscriptions": subscriptions.list_subscriptions(wanted)},
        subscriptions.save_subscription,
    )


def subscription(request, subscription_id: str) -> Response:
    return _member(
        request,
        lambda: subscriptions.get_subscription(subscription_id),
        lambda body: subscriptions.save_subscription(body, subscription_id),
        lambda: subscriptions.delete_subscription(subscription_id),
    )
