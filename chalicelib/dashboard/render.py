"""HTML replies for the dashboard and the public pages: Jinja2, autoescaped.

Templates live in dashboard/templates, assets in dashboard/static. An asset's
URL carries a hash of every asset, so it is served with a year's cache and a
new release is fetched at once. No page has an inline script or style: the
Content-Security-Policy allows this origin's files only.
"""

import functools
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlparse

from chalice import Response

from chalicelib.core import clock, settings

HERE = Path(__file__).parent
STATIC = HERE / "static"
TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@functools.cache
def _environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(ago=ago, duration=duration, when=when, url=quote)
    env.globals.update(root=root, asset=asset)
    return env


def root() -> str:
    """The path the API is served under ("/api" behind API Gateway's stage)."""
    return urlparse(settings.public_url()).path.rstrip("/")


@functools.cache
def version() -> str:
    digest = hashlib.sha256()
    for path in sorted(STATIC.iterdir()):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def asset(name: str) -> str:
    return f"{root()}/dashboard/static/{version()}/{name}"


def html(template: str, status: int = 200, headers: dict | None = None, **context) -> Response:
    body = _environment().get_template(template).render(**context)
    return Response(
        body=body,
        status_code=status,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-store",
            **SECURITY,
            **(headers or {}),
        },
    )


def redirect(path: str, headers: dict | None = None) -> Response:
    """303 See Other to a dashboard path (after a form, the page to show)."""
    return Response(
        body="", status_code=303, headers={"Location": root() + path, **(headers or {})}
    )


def static(version_: str, name: str) -> Response | None:
    """The asset, cached for a year when the version is this release's; None if unknown."""
    path = STATIC / name
    if path.suffix not in TYPES or "/" in name or not path.is_file():
        return None
    cache = "public, max-age=31536000, immutable" if version_ == version() else "no-cache"
    return Response(
        body=path.read_text(),
        status_code=200,
        headers={"Content-Type": TYPES[path.suffix], "Cache-Control": cache, **SECURITY},
    )


# ---- filters ---------------------------------------------------------------------


def _epoch(value) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) or hasattr(value, "as_tuple"):
        return float(value)
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def duration(seconds) -> str:
    """schedule.span cut to its two largest units: "1 day 5 h", "3 min"."""
    from chalicelib.monitors import schedule

    if seconds is None:
        return ""
    return " ".join(schedule.span(seconds).split()[:4])


def ago(value) -> str:
    """ "3 min ago", "in 5 min", or "never"."""
    moment = _epoch(value)
    if moment is None:
        return "never"
    delta = clock.epoch() - moment
    if abs(delta) < 1:
        return "just now"
    return f"{duration(abs(delta))} ago" if delta > 0 else f"in {duration(-delta)}"


def when(value) -> str:
    moment = _epoch(value)
    if moment is None:
        return ""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
