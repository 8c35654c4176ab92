"""Heartbeat monitoring over HTTP: pings, /logs, /monitors, the testing page.

Pings need no API key (the ping URL or key is the credential); /monitors
needs one, and changes need a read-write one. The ping routes import their
code only when a ping arrives, and nothing heavy: this is the hottest path.
"""

from urllib.parse import unquote

from chalice import Blueprint

from chalicelib.core import errors, http

blueprint = Blueprint(__name__)
# Any content type: a ping's body is stored as it came (Healthchecks takes any).
_NO_STORE = {"Cache-Control": "no-store"}
_PING = {"methods": ["GET", "POST", "HEAD", "OPTIONS"], "content_types": ["*/*"]}


@http.route(blueprint, "/ping", **_PING)
def ping_by_username():
    from chalicelib.monitors import ping_forms

    return ping_forms.handle_original(blueprint.current_request)


@http.route(blueprint, "/ping/{a}", **_PING)
def ping_by_uuid(a):
    from chalicelib.monitors import ping_forms

    return ping_forms.handle_path(blueprint.current_request, [a])


@http.route(blueprint, "/ping/{a}/{b}", **_PING)
def ping_two_parts(a, b):
    from chalicelib.monitors import ping_forms

    return ping_forms.handle_path(blueprint.current_request, [a, b])


@http.route(blueprint, "/ping/{a}/{b}/{c}", **_PING)
def ping_three_parts(a, b, c):
    from chalicelib.monitors import ping_forms

    return ping_forms.handle_path(blueprint.current_request, [a, b, c])


@http.route(blueprint, "/ping/{a}/{b}/{c}/{d}", **_PING)
def ping_four_parts(a, b, c, d):
    from chalicelib.monitors import ping_forms

    # No ping form has four parts: a 400 saying so, not API Gateway's 403.
    return ping_forms.handle_path(blueprint.current_request, [a, b, c, d])


@http.route(blueprint, "/logs", methods=["GET"])
def ping_logs():
    from chalicelib.monitors import logs

    return logs.handle_logs(blueprint.current_request)


# ---- /monitors -------------------------------------------------------------------


def _found(name: str) -> dict:
    from chalicelib.monitors import store

    item = store.get(name)
    if item is None:
        raise errors.NotFound(f"no monitor named {name!r}")
    return item


def _urls_base(request) -> str | None:
    """Ping URLs carry the ping key: only a read-write key may see them.

    With them a read-only key could send "all is well" pings that hide an
    outage.
    """
    from chalicelib.core import settings

    return None if http.caller(request).get("read_only") else settings.ping_url()


@http.route(blueprint, "/monitors", methods=["GET"])
def monitors_list():
    from chalicelib.monitors import store

    base = _urls_base(blueprint.current_request)
    items = sorted(store.list_all(), key=lambda item: item["name"])
    return {"monitors": [store.view(i, base) for i in items]}


@http.route(blueprint, "/monitors", methods=["POST"])
def monitors_create():
    return _put(None)


@http.route(blueprint, "/monitors/{name}", methods=["GET"])
def monitors_get(name):
    from chalicelib.monitors import mail_warnings, store

    base, item = _urls_base(blueprint.current_request), _found(unquote(name))
    return {**store.view(item, base), **mail_warnings.shown(item)}


@http.route(blueprint, "/monitors/{name}", methods=["PUT"])
def monitors_put(name):
    return _put(unquote(name))


def _put(name: str | None):
    from chalicelib.core import settings
    from chalicelib.monitors import admin, store

    request = blueprint.current_request
    http.caller(request, write=True)
    monitor = dict(http.json_object(request))
    given = monitor.pop("name", None)
    name = given if name is None else name
    if not isinstance(name, str):
        raise errors.Invalid.at("name", "missing (or use PUT /monitors/NAME)")
    try:
        outcome, item = admin.upsert(name, monitor)
    except errors.Invalid as error:
        if "missing" not in str(error) or store.get(name) is None:
            raise
        # An update that names only what it changes: say why the rest is missing.
        hint = f"{error.message} (a PUT replaces every setting; PATCH changes some)"
        raise errors.Invalid(hint, field=error.field) from None
    view = store.view(item, settings.ping_url())
    return http.reply(201 if outcome == "created" else 200, {"outcome": outcome, **view})


@http.route(blueprint, "/monitors/{name}", methods=["PATCH"])
def monitors_patch(name):
    """The settings given change; every other keeps its value."""
    from chalicelib.core import settings
    from chalicelib.monitors import admin, store

    request = blueprint.current_request
    http.caller(request, write=True)
    name, changes = unquote(name), dict(http.json_object(request))
    changes.pop("name", None)  # ignored, as in a PUT: the path names the monitor
    outcome, item = admin.upsert(_found(name)["name"], changes, merge=True)
    return {"outcome": outcome, **store.view(item, settings.ping_url())}


@http.route(blueprint, "/monitors/{name}", methods=["DELETE"])
def monitors_delete(name):
    from chalicelib.monitors import admin

    http.caller(blueprint.current_request, write=True)
    if not admin.delete(unquote(name)):
        raise errors.NotFound(f"no monitor named {unquote(name)!r}")
    return {"deleted": unquote(name)}


@http.route(blueprint, "/monitors/{name}/pause", methods=["POST"])
def monitors_pause(name):
    return _pause(unquote(name), True)


@http.route(blueprint, "/monitors/{name}/resume", methods=["POST"])
def monitors_resume(name):
    return _pause(unquote(name), False)


def _pause(name: str, paused: bool):
    from chalicelib.core import settings
    from chalicelib.monitors import admin, store

    http.caller(blueprint.current_request, write=True)
    item = admin.set_paused(name, paused)
    if item is None:
        raise errors.NotFound(f"no monitor named {name!r}")
    return store.view(item, settings.ping_url())


@http.route(blueprint, "/monitors/{name}/rotate-key", methods=["POST"])
def monitors_rotate_key(name):
    from chalicelib.core import settings
    from chalicelib.monitors import admin, store

    http.caller(blueprint.current_request, write=True)
    item = admin.rotate_key(unquote(name))
    if item is None:
        raise errors.NotFound(f"no monitor named {unquote(name)!r}")
    return store.view(item, settings.ping_url())


@http.route(blueprint, "/monitors/{name}/pings", methods=["GET"])
def monitors_pings(name):
    from chalicelib.monitors import logs

    request = blueprint.current_request
    http.caller(request)
    name = unquote(name)
    item = _found(name)
    day = logs.parse_iso_day(http.query(request, {"date"}).get("date"))
    entries = [logs.public(e) for e in logs.entries(item, day)]
    return {"monitor": name, "date": day.isoformat(), "pings": entries}


@http.route(blueprint, "/monitors/{name}/flips", methods=["GET"])
def monitors_flips(name):
    """The monitor's state changes, oldest first (default: the last 93 days)."""
    from chalicelib.core import clock, values
    from chalicelib.monitors import flips

    request = blueprint.current_request
    http.caller(request)
    params = http.query(request, {"start", "end"})
    item = _found(unquote(name))
    end = values.instant(params["end"], "end") if "end" in params else None
    start = clock.epoch() - 93 * 86400
    if "start" in params:
        start = values.instant(params["start"], "start")
    found = flips.entries(item, start=start, end=end)
    return {"monitor": item["name"], "flips": [flips.public(f) for f in found]}


@http.route(blueprint, "/monitors/{name}/downtime", methods=["GET"])
def monitors_downtime(name):
    """Down seconds, outages and the longest outage per day, week or month."""
    from chalicelib.core import clock
    from chalicelib.monitors import flips

    request = blueprint.current_request
    http.caller(request)
    params = http.query(request, {"period", "count"})
    period = params.get("period", "day")
    count = params.get("count", "30")
    if not count.isdigit():
        raise errors.Invalid.at("count", "must be a whole number of periods")
    item = _found(unquote(name))
    found = flips.summary(item, clock.epoch(), period, int(count))
    return {"monitor": item["name"], "period": period, "downtime": found}


# ---- the testing page --------------------------------------------------------------


@http.route(blueprint, "/", methods=["GET"])
def testing_page():
    from chalicelib.monitors import testing_page

    return testing_page.page(blueprint.current_request)


@http.route(blueprint, "/testing/login", methods=["POST"], error_headers=_NO_STORE)
def testing_login():
    from chalicelib.monitors import testing_page

    return testing_page.login(blueprint.current_request)


@http.route(blueprint, "/testing/monitors", methods=["GET"], error_headers=_NO_STORE)
def testing_monitors():
    from chalicelib.monitors import testing_page

    return testing_page.monitor_list(blueprint.current_request)


@http.route(blueprint, "/testing/monitors/{name}/ping", methods=["POST"], error_headers=_NO_STORE)
def testing_ping(name):
    from chalicelib.monitors import testing_page

    return testing_page.ping_now(blueprint.current_request, name)


# The alert policy's routes (snooze) and the shared ping keys' join this
# blueprint from their own modules.
from chalicelib.monitors import ping_key_routes, policy_routes  # noqa: E402, F401
