"""The management API under /monitors (X-Api-Key; writes need a read-write key)."""

from urllib.parse import unquote

from chalice import BadRequestError, ConflictError, NotFoundError, Response

from chalicelib import auth, logs_links, monitor_admin, monitors, ping_log
from chalicelib.monitors import Invalid


def _json(status: int, body) -> Response:
    return Response(body=body, status_code=status, headers={"Content-Type": "application/json"})


def _found(name: str) -> dict:
    item = monitors.get(name)
    if item is None:
        raise NotFoundError(f"no monitor named {name!r}")
    return item


def _urls_base(request) -> str | None:
    """Ping URLs carry the ping key: only a read-write key may see them.

    With them a read-only key could send "all is well" pings that hide an
    outage.
    """
    return None if auth.require(request).get("read_only") else logs_links.base_url()


def list_monitors(request) -> Response:
    base = _urls_base(request)
    items = sorted(monitors.list_all(), key=lambda item: item["name"])
    return _json(200, {"monitors": [monitors.view(i, base) for i in items]})


def get_monitor(request, name: str) -> Response:
    base = _urls_base(request)
    return _json(200, monitors.view(_found(unquote(name)), base))


def _settings(request) -> dict:
    body = request.json_body
    if not isinstance(body, dict):
        raise BadRequestError("the body must be a JSON object of monitor settings")
    return body


def put_monitor(request, name: str | None = None) -> Response:
    auth.require(request, write=True)
    settings = dict(_settings(request))
    if name is None:
        name = settings.pop("name", None)
        if not isinstance(name, str):
            raise BadRequestError("name: missing (or use PUT /monitors/NAME)")
    else:
        name = unquote(name)
        settings.pop("name", None)
    try:
        outcome, item = monitor_admin.upsert(name, settings)
    except Invalid as error:
        raise BadRequestError(str(error)) from None
    except monitor_admin.Conflict as error:
        raise ConflictError(str(error)) from None
    view = monitors.view(item, logs_links.base_url())
    return _json(201 if outcome == "created" else 200, {"outcome": outcome, **view})


def delete_monitor(request, name: str) -> Response:
    auth.require(request, write=True)
    if not monitor_admin.delete(unquote(name)):
        raise NotFoundError(f"no monitor named {unquote(name)!r}")
    return _json(200, {"deleted": unquote(name)})


def pause(request, name: str, paused: bool) -> Response:
    auth.require(request, write=True)
    try:
        item = monitor_admin.set_paused(unquote(name), paused)
    except monitor_admin.Conflict as error:
        raise ConflictError(str(error)) from None
    if item is None:
        raise NotFoundError(f"no monitor named {unquote(name)!r}")
    return _json(200, monitors.view(item, logs_links.base_url()))


def pings(request, name: str) -> Response:
    auth.require(request)
    name = unquote(name)
    _found(name)
    day = ping_log.parse_iso_day((request.query_params or {}).get("date"))
    entries = [ping_log.public(e) for e in ping_log.entries(name, day)]
    return _json(200, {"monitor": name, "date": day.isoformat(), "pings": entries})
