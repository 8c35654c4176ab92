"""One way to answer HTTP: JSON replies, one error shape, domain errors mapped once.

Every route of every Blueprint is declared with route(), which wraps the
view: a domain error (core/errors.py) becomes its status code and the body
{"Code", "Message"} plus its `field` when it names one; whatever the view
returns that is not a Response is sent as JSON with status 200. Request
bodies are parsed by json_body() only, so hostile JSON (nested thousands
deep, lone surrogates, not UTF-8) is a 400 everywhere, never a 500.
"""

import functools
import json

from chalice import ChaliceViewError, Response

# errors and values are imported where used: app.py imports this module, and
# every module on a cold start's path is compiled from source in Lambda.

JSON = "application/json"
MAX_BODY = 256 * 1024


def reply(status: int, body, headers: dict | None = None) -> Response:
    """A JSON reply; Decimals from DynamoDB become numbers."""
    from chalicelib.core import values

    text = "" if body is None else values.dumps(body)
    return Response(
        body=text, status_code=status, headers={"Content-Type": JSON, **(headers or {})}
    )


def error_reply(error, headers: dict | None = None) -> Response:
    """The reply for a HeraldError: its status, {"Code", "Message", "field"?}."""
    body = {"Code": error.code, "Message": str(error)}
    if error.field:
        body["field"] = error.field
    return reply(error.status, body, {**(headers or {}), **error.headers})


def route(blueprint, path: str, *, error_headers: dict | None = None, **options):
    """blueprint.route(path, **options) for a view whose errors are mapped here."""

    def register(view):
        @functools.wraps(view)
        def answered(*args, **kwargs):
            try:
                result = view(*args, **kwargs)
            except Exception as error:
                return error_reply(_mapped(error), error_headers)
            return result if isinstance(result, Response) else reply(200, result)

        blueprint.route(path, **options)(answered)
        return view

    return register


def caller(request, *, write: bool = False) -> dict:
    """The caller's API key record, or the dashboard account whose session
    cookie and CSRF token came with the request; Unauthorized or Forbidden
    when it may not. Both carry `read_only`, so every route refuses a
    read-only caller's writes alike.

    auth (and its hashing) is imported here, on use: a ping never pays for it.
    """
    if not request.headers.get("x-api-key") and "herald_session=" in (
        request.headers.get("cookie") or ""
    ):
        from chalicelib.core import sessions

        return sessions.require(request, write=write)
    from chalicelib.core import auth

    return auth.require(request, write=write)


def _mapped(error: Exception):
    """error as a HeraldError, or error itself re-raised (Chalice answers 500)."""
    from chalicelib.core import errors

    if isinstance(error, errors.HeraldError):
        return error
    if isinstance(error, ChaliceViewError):  # raised by Chalice itself
        mapped = errors.HeraldError(str(error))
        mapped.status, mapped.code = error.STATUS_CODE, type(error).__name__
        return mapped
    raise error


def json_body(request, *, default=None):
    """The request's JSON body (default when empty); Invalid when it is not JSON."""
    from chalicelib.core import errors

    raw = request.raw_body or b""
    if not raw.strip():
        return default
    if len(raw) > MAX_BODY:
        raise errors.Invalid.at("body", f"must be at most {MAX_BODY} bytes")
    try:
        body = json.loads(raw.decode("utf-8"))
        # JSON may spell a lone surrogate ("\ud800"), which no store can encode.
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeError:
        raise errors.Invalid.at("body", "holds text that is not valid Unicode") from None
    except RecursionError:
        raise errors.Invalid.at("body", "is nested too deeply") from None
    except ValueError:
        raise errors.Invalid.at("body", "must be JSON") from None
    return body


def json_object(request) -> dict:
    from chalicelib.core import errors

    body = json_body(request, default={})
    if not isinstance(body, dict):
        raise errors.Invalid.at("body", "must be a JSON object")
    return body


def query(request, allowed: set[str]) -> dict:
    """The query parameters, refusing any the route does not know."""
    from chalicelib.core import errors

    params = request.query_params or {}
    unknown = sorted(set(params) - allowed)
    if unknown:
        others = f" (and {', '.join(unknown[1:])[:200]})" if unknown[1:] else ""
        raise errors.Invalid.at(unknown[0][:100], f"unknown query parameter{others}")
    return params


def form_body(request, *, limit: int = 16 * 1024) -> dict[str, str]:
    """An HTML form's fields (application/x-www-form-urlencoded), first value of each."""
    from urllib.parse import parse_qs

    from chalicelib.core import errors

    raw = request.raw_body or b""
    if len(raw) > limit:
        raise errors.Invalid.at("body", f"must be at most {limit} bytes")
    try:
        fields = parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeError:
        raise errors.Invalid.at("body", "is not UTF-8") from None
    return {name: values[0] for name, values in fields.items()}


def source_ip(request) -> str:
    """The caller's address as API Gateway saw it."""
    identity = (request.context or {}).get("identity", {}) or {}
    return identity.get("sourceIp") or "unknown"
