"""Healthchecks' Management API v3 under /api/v3/: the routes (handlers in hc_api).

Healthchecks' paths end in a slash (/api/v3/checks/); Chalice refuses route
paths that do, so each route is declared without it. API Gateway's REST API,
`chalice local` and Chalice's test client all route /api/v3/checks/ to the
route /api/v3/checks (Chalice's local router drops a trailing slash as API
Gateway does), so clients may send either.

Any Content-Type is taken: Healthchecks' own examples POST JSON with curl
--data, which labels it application/x-www-form-urlencoded. Errors are
Healthchecks' {"error": "..."}, not Herald's {"Code", "Message"}.
Nothing heavy is imported here: app.py imports this module on every cold start.
"""

import functools

from chalice import Blueprint

from chalicelib.core import errors, http

blueprint = Blueprint(__name__)
CHECK = "/api/v3/checks/{code}"


def _route(path: str, methods: list[str]):
    """http.route() for a view whose Herald errors become Healthchecks' error shape."""

    def register(view):
        @functools.wraps(view)
        def answered(*args, **kwargs):
            try:
                return view(*args, **kwargs)
            except errors.HeraldError as error:
                return http.reply(error.status, {"error": str(error)}, error.headers)

        http.route(blueprint, path, methods=methods, content_types=["*/*"])(answered)
        return view

    return register


def _api():
    from chalicelib.monitors import hc_api

    return hc_api


def _history():
    from chalicelib.monitors import hc_history

    return hc_history


@_route("/api/v3/checks", ["GET"])
def hc_list_checks():
    return _api().list_checks(blueprint.current_request)


@_route("/api/v3/checks", ["POST"])
def hc_create_check():
    return _api().create(blueprint.current_request)


@_route(CHECK, ["GET"])
def hc_get_check(code):
    return _api().get(blueprint.current_request, code)


@_route(CHECK, ["POST"])
def hc_update_check(code):
    return _api().update(blueprint.current_request, code)


@_route(CHECK, ["DELETE"])
def hc_delete_check(code):
    return _api().delete(blueprint.current_request, code)


@_route(CHECK + "/pause", ["POST"])
def hc_pause_check(code):
    return _api().pause(blueprint.current_request, code)


@_route(CHECK + "/resume", ["POST"])
def hc_resume_check(code):
    return _api().resume(blueprint.current_request, code)


@_route(CHECK + "/pings", ["GET"])
def hc_list_pings(code):
    return _history().pings(blueprint.current_request, code)


@_route(CHECK + "/pings/{n}/body", ["GET"])
def hc_ping_body(code, n):
    return _history().ping_body(blueprint.current_request, code, n)


@_route(CHECK + "/flips", ["GET"])
def hc_list_flips(code):
    return _history().flips(blueprint.current_request, code)


@_route("/api/v3/channels", ["GET"])
def hc_list_channels():
    return _history().channels(blueprint.current_request)


@_route("/api/v3/badges", ["GET"])
def hc_list_badges():
    return _history().badges(blueprint.current_request)
