"""The dashboard's routes, under /dashboard: pages for people, signed in by a session.

Only the declarations live here; each view's module is imported when it is
asked for, so a cold start that serves a ping pays for none of the
dashboard (no Jinja2, no templates). Pages read through the capabilities'
own functions; changes go through the JSON API the CLI uses, authorised by
the session cookie and its CSRF token (core/sessions.py), so a dashboard
write is validated, and refused to a read-only account, exactly as an API
call is.
"""

import functools

from chalice import Blueprint

from chalicelib.core import http

blueprint = Blueprint(__name__)
FORM = "application/x-www-form-urlencoded"


def _page(path: str, method: str = "GET", *, signed_in: bool = True):
    """Declare a dashboard view(request, account, **params); its errors become pages."""

    def register(view):
        @functools.wraps(view)
        def answered(**params):
            from chalicelib.dashboard import guard

            return guard.answer(blueprint.current_request, view, params, signed_in=signed_in)

        options = {"content_types": [FORM]} if method == "POST" else {}
        blueprint.route(path, methods=[method], **options)(answered)
        return view

    return register


# ---- signing in --------------------------------------------------------------------


@_page("/dashboard/sign-in", signed_in=False)
def dashboard_sign_in(request, account):
    from chalicelib.dashboard import signin

    return signin.page(request)


@_page("/dashboard/sign-in", "POST", signed_in=False)
def dashboard_sign_in_submit(request, account):
    from chalicelib.dashboard import signin

    return signin.submit(request)


@_page("/dashboard/sign-in/{token}", signed_in=False)
def dashboard_sign_in_link(request, account, token):
    from chalicelib.dashboard import signin

    return signin.link_page(request, token)


@_page("/dashboard/sign-in/{token}", "POST", signed_in=False)
def dashboard_sign_in_link_submit(request, account, token):
    from chalicelib.dashboard import signin

    return signin.link_submit(request, token)


@_page("/dashboard/sign-out", "POST", signed_in=False)
def dashboard_sign_out(request, account):
    from chalicelib.dashboard import signin

    return signin.sign_out(request)


@_page("/dashboard/static/{version}/{name}", signed_in=False)
def dashboard_static(request, account, version, name):
    from chalicelib.dashboard import guard

    return guard.asset(version, name)


# ---- pages -------------------------------------------------------------------------


@_page("/dashboard")
def dashboard_monitors(request, account):
    from chalicelib.dashboard import monitor_pages

    return monitor_pages.listing(request, account)


@http.route(blueprint, "/dashboard/status.json", methods=["GET"])
def dashboard_status():
    """JSON for the page's script (or an API key): asked as any API read is."""
    from chalicelib.dashboard import monitor_pages

    http.caller(blueprint.current_request)
    return monitor_pages.status()


@_page("/dashboard/monitors/{name}")
def dashboard_monitor(request, account, name):
    from chalicelib.dashboard import monitor_pages

    return monitor_pages.one(request, account, name)


@_page("/dashboard/mail/{message}")
def dashboard_mail_message(request, account, message):
    from chalicelib.dashboard import sections

    return sections.mail_message(request, account, message)


@_page("/dashboard/mail/{message}/simulate", "POST")
def dashboard_mail_simulate(request, account, message):
    from chalicelib.dashboard import sections

    return sections.mail_simulate(request, account, message)


@_page("/dashboard/{section}")
def dashboard_section(request, account, section):
    from chalicelib.dashboard import sections

    return sections.show(request, account, section)
