"""/hooks: create, list, change and delete hooks; see their deliveries.

Every route needs an API key (writes a read-write one). Bad input is a 400
whose message says what is wrong; nothing is stored then.
"""

from chalice import Blueprint

from chalicelib.core import errors, http

blueprint = Blueprint(__name__)
_FIELDS = {"node", "service", "type", "arg", "persistent", "ttl"}


def _request(*, write: bool):
    request = blueprint.current_request
    http.caller(request, write=write)
    return request


def _hook(hook_id: str) -> dict:
    from chalicelib.hooks import store

    hook = store.get(hook_id)
    if hook is None:
        raise errors.NotFound(f"no hook {hook_id}"[:200])
    return hook


@http.route(blueprint, "/hooks", methods=["POST"])
def hooks_create():
    from chalicelib.hooks import store

    body = http.json_object(_request(write=True))
    unknown = set(body) - _FIELDS
    if unknown:
        first, *others = sorted(unknown)
        also = f" (and {', '.join(others)[:200]})" if others else ""
        raise errors.Invalid.at(first[:100], f"unknown field{also}")
    persistent = body.get("persistent", False)
    if not isinstance(persistent, bool):
        raise errors.Invalid.at("persistent", "must be true or false")
    hook, secret = store.create(
        body.get("node"),
        body.get("type"),
        body.get("arg"),
        service=body.get("service"),
        persistent=persistent,
        ttl=body.get("ttl"),
    )
    reply = store.public(hook)
    if secret:
        reply["secret"] = secret
        reply["note"] = "shown once: store it now; Herald keeps no copy"
    return http.reply(201, reply)


@http.route(blueprint, "/hooks", methods=["GET"])
def hooks_list():
    from chalicelib.hooks import store

    _request(write=False)
    return {"hooks": [store.public(h) for h in store.all_hooks()]}


@http.route(blueprint, "/hooks", methods=["DELETE"])
def hooks_delete_matching():
    """DELETE /hooks?node=&type=&arg=: empty or absent values match every hook."""
    from chalicelib.hooks import store

    params = http.query(_request(write=True), {"node", "type", "arg"})
    removed = store.delete_matching(params.get("node"), params.get("type"), params.get("arg"))
    return {"deleted": removed}


@http.route(blueprint, "/hooks/{hook_id}", methods=["GET"])
def hooks_show(hook_id):
    from chalicelib.hooks import store

    _request(write=False)
    return store.public(_hook(hook_id))


@http.route(blueprint, "/hooks/{hook_id}", methods=["PATCH"])
def hooks_update(hook_id):
    """PATCH {"enabled": true|false}: re-enable a hook after fixing what disabled it."""
    from chalicelib.hooks import store

    body = http.json_object(_request(write=True))
    if set(body) != {"enabled"} or not isinstance(body["enabled"], bool):
        raise errors.Invalid('the body must be {"enabled": true} or {"enabled": false}')
    _hook(hook_id)
    reason = "" if body["enabled"] else "disabled through the API"
    hook = store.set_enabled(hook_id, body["enabled"], reason)
    if hook is None:
        raise errors.NotFound(f"no hook {hook_id}")
    return store.public(hook)


@http.route(blueprint, "/hooks/{hook_id}", methods=["DELETE"])
def hooks_delete(hook_id):
    from chalicelib.hooks import store

    _request(write=True)
    if not store.delete(hook_id):
        raise errors.NotFound(f"no hook {hook_id}"[:200])
    return {"deleted": 1}


@http.route(blueprint, "/hooks/{hook_id}/rotate-secret", methods=["POST"])
def hooks_rotate_secret(hook_id):
    from chalicelib.hooks import store

    _request(write=True)
    _hook(hook_id)
    rotated = store.rotate_secret(hook_id)
    if rotated is None:
        raise errors.NotFound(f"no hook {hook_id}")
    hook, secret = rotated
    reply = store.public(hook)
    reply["secret"] = secret
    reply["note"] = "the previous secret also signs until rotation_until"
    return reply


@http.route(blueprint, "/hooks/{hook_id}/deliveries", methods=["GET"])
def hooks_deliveries(hook_id):
    from chalicelib.hooks import delivery

    params = http.query(_request(write=False), {"status", "limit"})
    hook = _hook(hook_id)
    status = params.get("status")
    if status not in (None, "success", "retrying", "dead", "disabled"):
        raise errors.Invalid.at("status", "must be success, retrying, dead or disabled")
    limit = params.get("limit", "100")
    if not (limit.isascii() and limit.isdigit() and len(limit) <= 4 and 1 <= int(limit) <= 1000):
        raise errors.Invalid.at("limit", "must be a whole number from 1 to 1000")
    shown = delivery.deliveries(hook_id, status, int(limit), since=hook["created_at"])
    return {"deliveries": shown}
