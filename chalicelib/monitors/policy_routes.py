"""The alert policy over HTTP: snoozing a monitor (a quiet window from now),
and maintenance windows per tag (GET /maintenance, PUT and DELETE /maintenance/TAG).

POST /monitors/NAME/snooze {"seconds": N} or {"until": ISO}; DELETE lifts
it. A snooze holds notices as quiet hours do (chalicelib/monitors/policy.py):
what is held goes out when it ends, or as a summary if the monitor recovered.
"""

from decimal import Decimal
from urllib.parse import unquote

from chalicelib.core import clock, errors, http
from chalicelib.monitors.routes import blueprint

LONGEST = 30 * 86400  # a snooze longer than a month is a pause


def until_of(body: dict, now: float) -> float:
    """The snooze's end from a body {seconds} or {until}; raises Invalid."""
    from chalicelib.core import values

    unknown = sorted(set(body) - {"seconds", "until"})
    if unknown:
        raise errors.Invalid.at(unknown[0], "unknown field (seconds or until)")
    if ("seconds" in body) == ("until" in body):
        raise errors.Invalid.at("seconds", "give seconds or until, one of them")
    if "until" in body:
        until = values.instant(body["until"], "until")
    else:
        seconds = body["seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise errors.Invalid.at("seconds", "must be a number")
        until = now + seconds
    if not now < until <= now + LONGEST:
        raise errors.Invalid.at(
            "until" if "until" in body else "seconds", "must end within 30 days from now"
        )
    return until


def snooze(name: str, until: float | None) -> dict | None:
    """Set (None: lift) the monitor's snooze; the monitor as written."""
    from chalicelib.monitors import store

    for _attempt in range(3):
        item = store.get(name)
        if item is None:
            return None
        sets = {"snoozed_until": None if until is None else Decimal(f"{until:.6f}")}
        if not store.parked(item) and item.get("due_pk"):
            # The checker looks again now: what the snooze holds, or releases.
            sets["due_at"] = Decimal(f"{clock.epoch():.6f}")
        written = store.update_if_unchanged(item, sets)
        if written is not None:
            return written
    raise errors.Conflict("the monitor kept changing: try again")


def _answer(name: str, until: float | None):
    from chalicelib.core import settings
    from chalicelib.monitors import store

    item = snooze(name, until)
    if item is None:
        raise errors.NotFound(f"no monitor named {name!r}")
    return store.view(item, settings.ping_url())


@http.route(blueprint, "/monitors/{name}/snooze", methods=["POST"])
def monitors_snooze(name):
    request = blueprint.current_request
    http.caller(request, write=True)
    return _answer(unquote(name), until_of(http.json_object(request), clock.epoch()))


@http.route(blueprint, "/monitors/{name}/snooze", methods=["DELETE"])
def monitors_unsnooze(name):
    http.caller(blueprint.current_request, write=True)
    return _answer(unquote(name), None)


@http.route(blueprint, "/maintenance", methods=["GET"])
def maintenance_list():
    """Every tag's maintenance windows (tag_windows.py)."""
    from chalicelib.core import values
    from chalicelib.monitors import tag_windows

    http.caller(blueprint.current_request)
    return {"tags": values.plain(tag_windows.all_tags())}


@http.route(blueprint, "/maintenance/{tag}", methods=["PUT"])
def maintenance_put(tag):
    """{"windows": [...]}: every monitor tagged `tag` is in maintenance during them."""
    from chalicelib.core import values
    from chalicelib.monitors import tag_windows

    request = blueprint.current_request
    http.caller(request, write=True)
    body = http.json_object(request)
    unknown = sorted(set(body) - {"windows"})
    if unknown or "windows" not in body:
        raise errors.Invalid.at(unknown[0] if unknown else "windows", "give windows, and only it")
    windows = tag_windows.put(unquote(tag), body["windows"])
    return {"tag": unquote(tag), "windows": values.plain(windows or [])}


@http.route(blueprint, "/maintenance/{tag}", methods=["DELETE"])
def maintenance_delete(tag):
    from chalicelib.monitors import tag_windows

    http.caller(blueprint.current_request, write=True)
    tag_windows.put(unquote(tag), None)
    return {"tag": unquote(tag), "windows": []}
