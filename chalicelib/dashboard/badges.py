"""Badges of a status page: an SVG in Shields' flat style, Herald's JSON, and
Shields.io's endpoint JSON (https://shields.io/badges/endpoint-badge).

Only text and colours come in: which status a page is in is worked out in
status_pages.py. Every text put in the SVG is escaped, so a monitor or tag
named `<script>` is drawn, never run.
"""

from markupsafe import escape

COLOURS = {"up": "#1f8a4c", "late": "#b36b00", "failing": "#b36b00", "down": "#c62828"}
GREY = "#6e6e6e"  # new, paused, maintenance, no monitors
LABEL = "#555"
HEADERS = {"Cache-Control": "public, max-age=60", "Access-Control-Allow-Origin": "*"}
WORDS = {"none": "no monitors"}
_NARROW = set("fijlrtI.,:;|!'()[]{} ")
_WIDE = set("mwMW@%")


def message(status: str) -> str:
    """What a badge says for a status: the word itself, "no monitors" for an empty tag."""
    return WORDS.get(status, status)


def colour(status: str) -> str:
    return COLOURS.get(status, GREY)


def text_width(text: str) -> int:
    """Roughly how wide text is in 11 px Verdana (Shields' font), in pixels."""
    widths = (
        3.5 if c in _NARROW else 10.0 if c in _WIDE else 7.5 if c.isupper() else 6.5 for c in text
    )
    return round(sum(widths))


def svg(label: str, status: str) -> str:
    """A flat badge: label on grey at the left, the status on its colour at the right."""
    said = message(status)
    left, right = text_width(label) + 10, text_width(said) + 10
    width = left + right
    label_, said_ = escape(label), escape(said)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img"'
        f' aria-label="{label_}: {said_}"><title>{label_}: {said_}</title>'
        f'<clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="{LABEL}"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour(status)}"/></g>'
        '<g fill="#fff" text-anchor="middle"'
        ' font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{left / 2:g}" y="14">{label_}</text>'
        f'<text x="{left + right / 2:g}" y="14">{said_}</text></g></svg>'
    )


def json_badge(status: str, statuses: list[str]) -> dict:
    """Herald's JSON badge: the overall status and how many monitors are in which.

    `late` counts late and failing monitors (Healthchecks' JSON badge calls them
    `grace`)."""
    return {
        "status": status,
        "total": len(statuses),
        "late": sum(1 for s in statuses if s in ("late", "failing")),
        "down": sum(1 for s in statuses if s == "down"),
    }


def shields(label: str, status: str) -> dict:
    """Shields.io's endpoint format, schemaVersion 1 (colour as hex without "#")."""
    return {
        "schemaVersion": 1,
        "label": label,
        "message": message(status),
        "color": colour(status).removeprefix("#"),
    }


def svg_reply(body: str):
    """The SVG as an HTTP reply, cached a minute, with the pages' security headers."""
    from chalice import Response

    from chalicelib.dashboard import render

    headers = {**render.SECURITY, "Content-Type": "image/svg+xml", **HEADERS}
    return Response(body=body, status_code=200, headers=headers)
