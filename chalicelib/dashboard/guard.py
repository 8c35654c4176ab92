"""What every dashboard view gets: the signed-in account, and errors as pages."""

from urllib.parse import unquote

from chalicelib.core import errors, sessions, settings
from chalicelib.dashboard import render


def answer(request, view, params: dict, *, signed_in: bool):
    params = {name: unquote(value) for name, value in params.items()}
    account = None
    try:
        account = sessions.current(request) if signed_in else None
        if signed_in and account is None:
            return render.redirect("/dashboard/sign-in")
        return view(request, account, **params)
    except errors.HeraldError as error:
        return page_error(error, account)


def page_error(error: errors.HeraldError, account: dict | None):
    heading = {401: "Sign in first", 403: "Not allowed", 404: "Not found"}.get(
        error.status, "Not done"
    )
    context = {"account": account, "local": settings.local_mode(), "message": error.message}
    return render.html("error.html", error.status, error.headers, heading=heading, **context)


def asset(version: str, name: str):
    reply = render.static(version, name)
    if reply is None:
        raise errors.NotFound(f"no asset {name!r}")
    return reply


def context(account: dict, section: str, **more) -> dict:
    """What base.html needs beside the page's own values."""
    return {"account": account, "section": section, "local": settings.local_mode(), **more}
