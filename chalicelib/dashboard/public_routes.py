"""Public status pages and their badges (no sign-in), and /status-pages, the API
that manages them (an API key or a dashboard session).

Only the declarations live here, as in routes.py: each view's module is
imported when it is asked for. The HTML page's errors are pages; the badges'
and the API's are the one JSON error shape (core/http.py).
"""

import functools

from chalice import Blueprint

from chalicelib.core import http

blueprint = Blueprint(__name__)


def _page(path: str):
    """Declare a public HTML view(request, account, **params); its errors become pages."""

    def register(view):
        @functools.wraps(view)
        def answered(**params):
            from chalicelib.dashboard import guard

            return guard.answer(blueprint.current_request, view, params, signed_in=False)

        blueprint.route(path, methods=["GET"])(answered)
        return view

    return register


# ---- public: no sign-in ------------------------------------------------------------


@_page("/status/{token}")
def status_page(request, account, token):
    from chalicelib.dashboard import status_pages

    return status_pages.page(request, account, token)


@http.route(blueprint, "/status/{token}/badge.svg", methods=["GET"])
def status_badge_svg(token):
    from chalicelib.dashboard import status_pages

    return status_pages.badge(token, "svg")


@http.route(blueprint, "/status/{token}/badge.json", methods=["GET"])
def status_badge_json(token):
    from chalicelib.dashboard import status_pages

    return status_pages.badge(token, "json")


@http.route(blueprint, "/status/{token}/shields.json", methods=["GET"])
def status_badge_shields(token):
    from chalicelib.dashboard import status_pages

    return status_pages.badge(token, "shields")


# ---- managing them -----------------------------------------------------------------


@http.route(blueprint, "/status-pages", methods=["GET"])
def status_pages_list():
    from chalicelib.dashboard import status_pages

    http.caller(blueprint.current_request)
    return {"status_pages": [status_pages.described(item) for item in status_pages.list_all()]}


@http.route(blueprint, "/status-pages", methods=["POST"])
def status_pages_create():
    from chalicelib.dashboard import status_pages

    request = blueprint.current_request
    http.caller(request, write=True)
    item, created = status_pages.create_from(http.json_object(request))
    return http.reply(201 if created else 200, status_pages.described(item))


@http.route(blueprint, "/status-pages/{token}", methods=["DELETE"])
def status_pages_delete(token):
    from chalicelib.core import errors
    from chalicelib.dashboard import status_pages

    http.caller(blueprint.current_request, write=True)
    if not status_pages.delete(token):
        raise errors.NotFound(f"no status page {token[:40]!r}")
    return {"deleted": token}
