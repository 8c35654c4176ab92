"""The ping URLs as HTTP: the original's /ping?username= and Healthchecks' forms.

Parsing the URL and answering; recording is chalicelib.monitors.pings.
Every reply, errors and the CORS preflight included, carries the CORS
header, so a browser page can ping (with X-Ping-Key or a JSON body).
"""

import re
import uuid
from datetime import UTC, datetime
from urllib.parse import unquote

from chalice import Response

from chalicelib.core import errors, http
from chalicelib.monitors.pings import BODY_LIMIT, record

SUFFIXES = {"start", "fail", "log"}
HEADERS = {"Access-Control-Allow-Origin": "*", "Ping-Body-Limit": str(BODY_LIMIT)}
PREFLIGHT = {
    **HEADERS,
    "Access-Control-Allow-Methods": "GET, POST, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "X-Ping-Key, Content-Type, User-Agent",
    "Access-Control-Max-Age": "86400",
}


def kind_of(suffix: str | None) -> tuple[str, int | None]:
    """(kind, exit status) for a URL suffix: start, fail, log or 0-255."""
    if suffix is None or suffix == "":
        return "success", None
    if suffix in SUFFIXES:
        return suffix, None
    if re.fullmatch(r"[0-9]{1,9}", suffix):
        status = int(suffix)
        if status > 255:
            raise errors.Invalid(f"exit status {status} is out of range (0-255)")
        return ("success" if status == 0 else "fail"), status
    raise errors.Invalid(f"unknown ping suffix {suffix!r}: use start, fail, log or 0-255")


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


def _meta(request) -> dict:
    identity = (request.context or {}).get("identity", {}) or {}
    return {
        "method": request.method,
        "source_ip": identity.get("sourceIp", ""),
        "user_agent": request.headers.get("user-agent", ""),
    }


def _body(request) -> bytes:
    if request.method != "POST":
        return b""
    return (request.raw_body or b"")[: BODY_LIMIT + 1]


def _reply(text: str, method: str, status: int = 200) -> Response:
    return Response(
        body="" if method == "HEAD" else text,
        status_code=status,
        headers={**HEADERS, "Content-Type": "text/plain; charset=utf-8"},
    )


def handle_original(request) -> Response:
    """/ping?username=NAME&key=KEY (key also as X-Ping-Key): the original's form."""
    if request.method == "OPTIONS":
        return preflight()
    try:
        params = request.query_params or {}
        name = params.get("username")
        if not name:
            raise errors.Invalid("missing query parameter username")
        given = params.get("key") or request.headers.get("x-ping-key")
        when = record(
            name=name,
            given_key=given,
            kind="success",
            exit_status=None,
            meta=_meta(request),
            body=_body(request),
        )
    except errors.HeraldError as error:
        return http.error_reply(error, HEADERS)
    return _reply(datetime.fromtimestamp(when, UTC).strftime("%y/%m/%d %H:%M:%S"), request.method)


def rid_of(params: dict) -> str | None:
    """Healthchecks' run id: a UUID that pairs a start with its end."""
    rid = params.get("rid")
    if rid is None or rid == "":
        return None
    if not is_uuid(rid):
        raise errors.Invalid.at("rid", f"must be a UUID, got {rid[:80]!r}")
    return rid.lower()


def _record_path(target: dict, request, kind: str, status: int | None) -> bool:
    """Record the ping; True when `?create=1` made its monitor first."""
    params = request.query_params or {}
    ping = {"kind": kind, "exit_status": status, "meta": _meta(request), "body": _body(request)}
    ping["rid"] = rid_of(params)
    try:
        record(**target, **ping)
        return False
    except errors.NotFound:
        if params.get("create") != "1" or "name" not in target:
            raise
    from chalicelib.monitors import ping_refusals

    ping_refusals.create_for(target["name"], target["given_key"])
    record(**target, **ping)
    return True


def handle_path(request, parts: list[str]) -> Response:
    """/ping/UUID[/suffix] and /ping/KEY/NAME[/suffix]: Healthchecks' forms."""
    if request.method == "OPTIONS":
        return preflight()
    try:
        if is_uuid(parts[0]) and len(parts) <= 2:
            kind, status = kind_of(parts[1] if len(parts) == 2 else None)
            target = {"monitor_uuid": parts[0].lower()}
        elif len(parts) in (2, 3):
            kind, status = kind_of(parts[2] if len(parts) == 3 else None)
            target = {"name": unquote(parts[1]), "given_key": parts[0]}
        else:
            raise errors.Invalid("malformed ping URL: use /ping/UUID or /ping/KEY/NAME")
        created = _record_path(target, request, kind, status)
    except errors.HeraldError as error:
        return http.error_reply(error, HEADERS)
    if created:
        return _reply("Created", request.method, 201)
    return _reply("OK", request.method)


def preflight() -> Response:
    """OPTIONS on a ping URL: what a browser asks before a ping with headers."""
    return Response(body="", status_code=204, headers=PREFLIGHT)
