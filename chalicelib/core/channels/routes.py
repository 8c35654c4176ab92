"""Channels over HTTP: /channels (API key; changes need a read-write key)."""

from chalice import Blueprint

from chalicelib.core import errors, http

blueprint = Blueprint(__name__)


def _found(channel_id: str) -> dict:
    from chalicelib.core.channels import store

    record = store.get(channel_id)
    if record is None:
        raise errors.NotFound(f"no channel {channel_id[:40]!r}")
    return record


@http.route(blueprint, "/channels", methods=["GET"])
def channels_list():
    from chalicelib.core.channels import store

    http.caller(blueprint.current_request)
    return {"channels": [store.view(record) for record in store.list_all()]}


@http.route(blueprint, "/channels", methods=["POST"])
def channels_create():
    from chalicelib.core.channels import quiet, store

    request = blueprint.current_request
    http.caller(request, write=True)
    body = http.json_object(request)
    unknown = sorted(set(body) - {"kind", "name", "config", "enabled", "default", *quiet.FIELDS})
    if unknown:
        raise errors.Invalid.at(unknown[0], "unknown field")
    flags = {"enabled": body.get("enabled", True), "default": body.get("default", False)}
    for flag, value in flags.items():
        if not isinstance(value, bool):
            raise errors.Invalid.at(flag, "must be true or false")
    flags["when"] = {k: v for k, v in body.items() if k in quiet.FIELDS}
    record = store.create(body.get("kind"), body.get("name"), body.get("config", {}), **flags)
    return http.reply(201, store.view(record))


@http.route(blueprint, "/channels/{channel_id}", methods=["GET"])
def channels_get(channel_id):
    from chalicelib.core.channels import store

    http.caller(blueprint.current_request)
    record = _found(channel_id)
    shown = store.view(record)
    if record["kind"] == "email":
        from chalicelib.core.mail import suppressions

        recipients = list(record.get("config", {}).get("recipients") or [])
        entries = suppressions.suppressed(recipients) if recipients else {}
        shown["mail_warnings"] = suppressions.warnings(entries, "alerts")
    return shown


@http.route(blueprint, "/channels/{channel_id}", methods=["PATCH"])
def channels_update(channel_id):
    from chalicelib.core.channels import store

    request = blueprint.current_request
    http.caller(request, write=True)
    record = store.update(channel_id, dict(http.json_object(request)))
    if record is None:
        raise errors.NotFound(f"no channel {channel_id[:40]!r}")
    return store.view(record)


@http.route(blueprint, "/channels/{channel_id}", methods=["DELETE"])
def channels_delete(channel_id):
    from chalicelib.core.channels import store

    http.caller(blueprint.current_request, write=True)
    if not store.delete(channel_id):
        raise errors.NotFound(f"no channel {channel_id[:40]!r}")
    return {"deleted": channel_id}


@http.route(blueprint, "/channels/{channel_id}/test", methods=["POST"])
def channels_test(channel_id):
    """Send a test message now and report the service's answer."""
    from dataclasses import asdict

    from chalicelib.core.channels import sending

    http.caller(blueprint.current_request, write=True)
    record = _found(channel_id)
    outcome = sending.test(record)
    return {"channel": channel_id, **asdict(outcome)}


@http.route(blueprint, "/channels/{channel_id}/deliveries", methods=["GET"])
def channels_deliveries(channel_id):
    from chalicelib.core.channels import sending

    http.caller(blueprint.current_request)
    record = _found(channel_id)
    return {"channel": record["id"], "deliveries": sending.deliveries(record["id"])}
