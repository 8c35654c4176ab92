"""The small HTML pages behind the links in mails (unsubscribe, mute).

A browser opens them from a mail client, so they are pages, not JSON: a GET
shows a button and changes nothing (mail scanners open every link), the
button POSTs to the same URL. No script, no image, nothing fetched from
elsewhere; the token in the URL is never sent on as a Referer.
"""

import html

from chalice import Response

_STYLE = "body{font:16px/1.5 system-ui,sans-serif;max-width:34em;margin:3em auto;padding:0 1em}"
_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}


def page(title: str, message: str, *, button: str = "", action: str = "", status: int = 200):
    """A page saying message; with button, a form that POSTs to action (the
    page's own URL when empty, a relative URL otherwise)."""
    form = ""
    if button:
        target = f' action="{html.escape(action)}"' if action else ""
        form = (
            f'<form method="post"{target}>'
            '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
            f'<button type="submit">{html.escape(button)}</button></form>'
        )
    body = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>{form}</body></html>"
    )
    return Response(body=body, status_code=status, headers=dict(_HEADERS))


def refused():
    """The error for a token Herald did not sign for this link (tampered, cut,
    foreign): a 403 in the one error shape (JSON), as every refusal is."""
    from chalicelib.core import errors

    return errors.Forbidden(
        "this link is incomplete or was changed: open it from the mail again, "
        "or copy the whole address into the browser"
    )
