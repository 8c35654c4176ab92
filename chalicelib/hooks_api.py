"""The /hooks routes: request checking and replies around chalicelib.hooks.

Every route needs an API key (writes a read-write one). Bad input is a 400
whose message says what is wrong; nothing is stored then.
"""

import json

from chalice import BadRequestError, ConflictError, NotFoundError

from chalicelib import auth, hook_delivery, hooks

_FIELDS = {"node", "service", "type", "arg", "persistent", "ttl"}


def _body(request) -> dict:
    try:
        body = json.loads(request.raw_body or b"{}")
    except ValueError:
        raise BadRequestError("the body must be JSON") from None
    if not isinstance(body, dict):
        raise BadRequestError("the body must be a JSON object")
    try:
        # JSON may spell a lone surrogate ("\ud800"), which no store can encode.
        json.dumps(body, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise BadRequestError("the body holds text that is not valid Unicode") from None
    return body


def _hook(hook_id: str) -> dict:
    hook = hooks.get(hook_id)
    if hook is None:
        raise NotFoundError(f"no hook {hook_id}")
    return hook


def create(request) -> tuple[int, dict]:
    auth.require(request, write=True)
    body = _body(request)
    unknown = set(body) - _FIELDS
    if unknown:
        raise BadRequestError(f"unknown fields: {', '.join(sorted(unknown))}")
    persistent = body.get("persistent", False)
    if not isinstance(persistent, bool):
        raise BadRequestError("persistent must be true or false")
    try:
        hook, secret = hooks.create(
            body.get("node"),
            body.get("type"),
            body.get("arg"),
            service=body.get("service"),
            persistent=persistent,
            ttl=body.get("ttl"),
        )
    except hooks.Duplicate as error:
        raise ConflictError(str(error)) from None
    except hooks.Invalid as error:
        raise BadRequestError(str(error)) from None
    reply = hooks.public(hook)
    if secret:
        reply["secret"] = secret
        reply["note"] = "shown once: store it now; Herald keeps no copy"
    return 201, reply


def list_all(request) -> tuple[int, dict]:
    auth.require(request)
    return 200, {"hooks": [hooks.public(h) for h in hooks.all_hooks()]}


def show(request, hook_id: str) -> tuple[int, dict]:
    auth.require(request)
    return 200, hooks.public(_hook(hook_id))


def delete_one(request, hook_id: str) -> tuple[int, dict]:
    auth.require(request, write=True)
    if not hooks.delete(hook_id):
        raise NotFoundError(f"no hook {hook_id}")
    return 200, {"deleted": 1}


def delete_matching(request) -> tuple[int, dict]:
    """DELETE /hooks?node=&type=&arg=: empty or absent values match every hook."""
    auth.require(request, write=True)
    params = request.query_params or {}
    unknown = set(params) - {"node", "type", "arg"}
    if unknown:
        raise BadRequestError(f"unknown parameters: {', '.join(sorted(unknown))}")
    removed = hooks.delete_matching(params.get("node"), params.get("type"), params.get("arg"))
    return 200, {"deleted": removed}


def update(request, hook_id: str) -> tuple[int, dict]:
    """PATCH {"enabled": true|false}: re-enable a hook after fixing what disabled it."""
    auth.require(request, write=True)
    body = _body(request)
    if set(body) != {"enabled"} or not isinstance(body["enabled"], bool):
        raise BadRequestError('the body must be {"enabled": true} or {"enabled": false}')
    _hook(hook_id)
    reason = "" if body["enabled"] else "disabled through the API"
    hook = hooks.set_enabled(hook_id, body["enabled"], reason)
    if hook is None:
        raise NotFoundError(f"no hook {hook_id}")
    return 200, hooks.public(hook)


def rotate(request, hook_id: str) -> tuple[int, dict]:
    auth.require(request, write=True)
    _hook(hook_id)
    try:
        rotated = hooks.rotate_secret(hook_id)
    except hooks.Duplicate as error:
        raise ConflictError(str(error)) from None
    except hooks.Invalid as error:
        raise BadRequestError(str(error)) from None
    if rotated is None:
        raise NotFoundError(f"no hook {hook_id}")
    hook, secret = rotated
    reply = hooks.public(hook)
    reply["secret"] = secret
    reply["note"] = "the previous secret also signs until rotation_until"
    return 200, reply


def deliveries(request, hook_id: str) -> tuple[int, dict]:
    auth.require(request)
    hook = _hook(hook_id)
    params = request.query_params or {}
    status = params.get("status")
    if status not in (None, "success", "retrying", "dead", "disabled"):
        raise BadRequestError("status must be success, retrying, dead or disabled")
    try:
        limit = int(params.get("limit", 100))
    except ValueError:
        raise BadRequestError("limit must be a number") from None
    if not 1 <= limit <= 1000:
        raise BadRequestError("limit must be from 1 to 1000")
    shown = hook_delivery.deliveries(hook_id, status, limit, since=hook["created_at"])
    return 200, {"deliveries": shown}
