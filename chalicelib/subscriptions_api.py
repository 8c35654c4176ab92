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
    except ValueError:
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


def subscribers(request) -> Response:
    auth.require(request, write=request.method == "POST")
    if request.method == "POST":
        return _guarded(lambda: _reply(201, subscriptions.save_subscriber(_body(request))))
    return _reply(200, {"subscribers": subscriptions.list_subscribers()})


def subscriber(request, subscriber_id: str) -> Response:
    auth.require(request, write=request.method != "GET")
    if request.method == "GET":
        return _guarded(lambda: _reply(200, subscriptions.get_subscriber(subscriber_id)))
    if request.method == "PUT":
        return _guarded(
            lambda: _reply(
                200, subscriptions.save_subscriber(_body(request), subscriber_id, create=False)
            )
        )
    return _guarded(lambda: _reply(204, subscriptions.delete_subscriber(subscriber_id) or ""))


def subscription_list(request) -> Response:
    auth.require(request, write=request.method == "POST")
    if request.method == "POST":
        return _guarded(lambda: _reply(201, subscriptions.save_subscription(_body(request))))
    wanted = (request.query_params or {}).get("subscriber")
    return _reply(200, {"subscriptions": subscriptions.list_subscriptions(wanted)})


def subscription(request, subscription_id: str) -> Response:
    auth.require(request, write=request.method != "GET")
    if request.method == "GET":
        return _guarded(lambda: _reply(200, subscriptions.get_subscription(subscription_id)))
    if request.method == "PUT":
        return _guarded(
            lambda: _reply(200, subscriptions.save_subscription(_body(request), subscription_id))
        )
    return _guarded(lambda: _reply(204, subscriptions.delete_subscription(subscription_id) or ""))
