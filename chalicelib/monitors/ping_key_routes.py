"""Shared ping keys over HTTP: GET and POST /ping-keys, DELETE /ping-keys/ID.

A shared key pings every monitor of its group by name
(/ping/KEY/NAME, ping_keys.py); creating one shows the key once.
"""

from chalicelib.core import errors, http
from chalicelib.monitors.routes import blueprint


@http.route(blueprint, "/ping-keys", methods=["GET"])
def ping_keys_list():
    from chalicelib.monitors import ping_keys

    http.caller(blueprint.current_request)
    return {"ping_keys": sorted(ping_keys.list_keys(), key=lambda key: key["created_at"])}


@http.route(blueprint, "/ping-keys", methods=["POST"])
def ping_keys_create():
    from chalicelib.monitors import ping_keys

    request = blueprint.current_request
    http.caller(request, write=True)
    body = http.json_object(request)
    unknown = sorted(set(body) - {"label", "cap"})
    if unknown:
        raise errors.Invalid.at(unknown[0], "unknown field")
    created = ping_keys.create(label=body.get("label", ""), cap=body.get("cap", 100))
    return http.reply(201, created)


@http.route(blueprint, "/ping-keys/{key_id}", methods=["DELETE"])
def ping_keys_revoke(key_id):
    from chalicelib.monitors import ping_keys

    http.caller(blueprint.current_request, write=True)
    if not (len(key_id) == 12 and ping_keys.revoke(key_id)):
        raise errors.NotFound(f"no shared ping key {key_id[:40]!r}")
    return {"revoked": key_id}
