"""The mail `make run` captured, in local mode only.

The local runner (herald/local/mailbox.py, another process) writes each
message SES accepted to HERALD_MAIL_DIR as NNNN-<SES message id>.eml. A
message is found by listing that folder and matching its name exactly,
never by joining the name asked for onto the path, so no name reaches
another file. The HTML part is shown as escaped source, not rendered: an
iframe's srcdoc would inherit the dashboard's CSP (default-src 'none') and
a mail's markup has no business running on the dashboard's origin anyway.
"""

import os
import re
from pathlib import Path

from chalicelib.core import errors, settings
from chalicelib.dashboard import guard, render

# Four digits as mailbox.py writes them (more past 9999), a dash, SES's id.
NAME = re.compile(r"[0-9]{4,8}-[A-Za-z0-9._-]{1,80}")
LISTED = 200
SHOWN_HEADERS = ("From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID")
# What each simulate button publishes, and the page's note after it.
SIMULATED = {
    "bounce": "Published a permanent bounce: make run's worker puts the address on the "
    "suppression list (herald mail suppressions).",
    "complaint": "Published a complaint: make run's worker puts the address on the "
    "suppression list (herald mail suppressions).",
}


def folder() -> Path | None:
    value = os.environ.get("HERALD_MAIL_DIR", "")
    path = Path(value) if value else None
    return path if path is not None and path.is_dir() else None


def _files(where: Path) -> dict[str, Path]:
    """{name: path} of every captured message in the folder."""
    return {
        path.stem: path
        for path in where.iterdir()
        if path.suffix == ".eml" and NAME.fullmatch(path.stem) and path.is_file()
    }


def _parse(path: Path, *, headers_only: bool = False):
    from email.parser import BytesParser
    from email.policy import default

    with path.open("rb") as file:
        return BytesParser(policy=default).parse(file, headersonly=headers_only)


def _header(message, name: str) -> str:
    try:
        return str(message.get(name, "") or "")
    except (ValueError, TypeError, IndexError):  # a malformed header is shown as absent
        return ""


def mail(request, account):
    if not settings.local_mode():
        raise errors.NotFound("captured mail is shown in local mode only")
    where = folder()
    rows = []
    if where is not None:
        found = sorted(_files(where).items(), key=lambda pair: (_mtime(pair[1]), pair[0]))
        rows = [_summary(name, path) for name, path in reversed(found[-LISTED:])]
    done = (request.query_params or {}).get("simulated")
    notice = SIMULATED.get(done) if isinstance(done, str) else None
    context = guard.context(
        account, "/mail", messages=rows, folder=where, listed=LISTED, notice=notice
    )
    return render.html("mail.html", **context)


def simulate(request, account, message: str):
    """POST: SES's bounce or complaint for a captured mail, on the mail-events
    topic as `herald mail bounce` publishes it (core/mail/local_events.py)."""
    from chalicelib.core import http, sessions
    from chalicelib.core.mail import local_events

    # sections.py checks too: nothing here may run outside local mode.
    if not settings.local_mode():
        raise errors.NotFound("captured mail is shown in local mode only")
    fields = http.form_body(request)
    sessions.check_csrf(account, fields.get("csrf"))
    kind = fields.get("kind")
    if kind not in SIMULATED:
        raise errors.Invalid("kind: bounce or complaint")
    where = folder()
    path = _files(where).get(message) if where and NAME.fullmatch(message or "") else None
    if path is None:
        raise errors.NotFound("no captured message of that name")
    try:
        recipient, mail_id = local_events.of_message(path.read_bytes())
    except ValueError:
        raise errors.Invalid("this message has no To or no Herald Message-ID") from None
    local_events.publish(local_events.event(recipient, mail_id, kind=kind))
    return render.redirect(f"/dashboard/mail?simulated={kind}")


def _mtime(path: Path) -> float:
    return path.stat().st_mtime


def _summary(name: str, path: Path) -> dict:
    message = _parse(path, headers_only=True)
    return {
        "name": name,
        "to": _header(message, "To"),
        "subject": _header(message, "Subject"),
        "date": _header(message, "Date") or render.when(_mtime(path)),
    }


def mail_message(request, account, message: str):
    # sections.py checks too: this page must never serve files outside local mode.
    if not settings.local_mode():
        raise errors.NotFound("captured mail is shown in local mode only")
    where = folder()
    path = _files(where).get(message) if where and NAME.fullmatch(message or "") else None
    if path is None:
        raise errors.NotFound("no captured message of that name")
    parsed = _parse(path)
    context = guard.context(
        account,
        "/mail",
        name=message,
        subject=_header(parsed, "Subject"),
        fields=[(name, _header(parsed, name)) for name in SHOWN_HEADERS],
        raw_headers="".join(f"{key}: {value}\n" for key, value in parsed.items()),
        text=_part(parsed, "plain"),
        html=_part(parsed, "html"),
        attachments=[part.get_filename() or part.get_content_type() for part in _attached(parsed)],
    )
    return render.html("mail_message.html", **context)


def _part(message, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None:
        return None
    try:
        return part.get_content()
    except (LookupError, ValueError):  # an unknown charset: the bytes, as best we can
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


def _attached(message) -> list:
    return list(message.iter_attachments()) if message.is_multipart() else []
