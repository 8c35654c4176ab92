"""The ping door: a Lambda function URL in front of the ping routes.

Every request through API Gateway's REST API costs $3.50 per million on top
of Lambda; a function URL costs nothing beyond Lambda's own invocation.
Pings are most of Herald's traffic, so the ping_door function (app.py) is
given a function URL (infra/chalice-merge.yaml) and serves the ping routes;
the REST API keeps serving everything, pings included.

A function URL hands its function the request in payload format 2.0
(rawPath, rawQueryString, lower-case headers, cookies apart); the app
answers API Gateway's REST proxy events (payload 1.0). rest_event() rewrites
the one into the other, matching rawPath against the app's own routes under
/ping (app.routes: a route added there is served here too, with no second
list). Any other path or method is answered as the REST API answers it:
Herald's 404 in its one error shape. The app's reply goes back in the shape
a function URL takes (function_url_reply()): no multiValueHeaders, and each
Set-Cookie in `cookies`.

Path parameters stay percent-encoded, as API Gateway passes them (the views
unquote them); what a client sent unencoded (é, a space) is encoded first,
as it would have reached API Gateway. Query values are decoded, as Chalice's
own local gateway and test client decode them.

Imported on every cold start of ping_door, after app.py: the standard
library only, and core/http for the 404.
"""

import functools
from urllib.parse import parse_qs, quote

PREFIX = "/ping"
# What a path segment may hold unencoded (RFC 3986's pchar), and "%" so that
# the escapes a client sent are kept as they came.
_SEGMENT_SAFE = "!$&'()*+,;=:@-._~%"
# The REST API's answer to a path or method it has no route for (its gateway
# response in infra/chalice-merge.yaml): a test keeps the two alike.
NO_ROUTE = "no route for this method and path"


def handle(app, event: dict, context) -> dict:
    """Answer one function URL request with the app's REST API handler."""
    rest = rest_event(app, event)
    response = app(rest, context) if rest is not None else not_found()
    return function_url_reply(response)


@functools.cache
def ping_routes(app) -> tuple[tuple[str, tuple[str, ...], frozenset[str]], ...]:
    """(resource path, its segments, its methods) of each of the app's routes
    under /ping; literal segments sort before {captures}, as in Chalice's router."""
    return tuple(
        (path, tuple(path.split("/")[1:]), frozenset(methods))
        for path, methods in sorted(app.routes.items())
        if path == PREFIX or path.startswith(PREFIX + "/")
    )


def match(app, raw_path: str, method: str) -> tuple[str, dict[str, str]] | None:
    """(resource path, path parameters) of the ping route for this request."""
    if raw_path != "/" and raw_path.endswith("/"):
        raw_path = raw_path[:-1]  # as API Gateway does
    segments = [
        quote(s, safe=_SEGMENT_SAFE, errors="surrogatepass") for s in raw_path.split("/")[1:]
    ]
    for resource, parts, methods in ping_routes(app):
        if len(parts) != len(segments) or method not in methods:
            continue
        captured = {}
        for part, segment in zip(parts, segments, strict=True):
            if part.startswith("{") and part.endswith("}") and segment:
                captured[part[1:-1]] = segment
            elif part != segment:
                break
        else:
            return resource, captured
    return None


def rest_event(app, event: dict) -> dict | None:
    """The REST proxy event (payload 1.0) for a function URL event (2.0);
    None when no ping route has its path and method."""
    context = event.get("requestContext") or {}
    caller = context.get("http") or {}
    method = (caller.get("method") or "GET").upper()
    path = event.get("rawPath") or "/"
    found = match(app, path, method)
    if found is None:
        return None
    resource, captured = found
    headers = dict(event.get("headers") or {})
    if event.get("cookies"):  # a function URL takes the Cookie header apart
        headers["cookie"] = "; ".join(event["cookies"])
    query = parse_qs(event.get("rawQueryString") or "", keep_blank_values=True) or None
    identity = {"sourceIp": caller.get("sourceIp", ""), "userAgent": caller.get("userAgent", "")}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in query.items()} if query else None,
        "multiValueQueryStringParameters": query,
        "pathParameters": captured or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": path,
            "identity": identity,
            "requestId": context.get("requestId", ""),
            "accountId": context.get("accountId", ""),
            "apiId": context.get("apiId", ""),
            "domainName": context.get("domainName", ""),
            "protocol": caller.get("protocol", ""),
            "requestTimeEpoch": context.get("timeEpoch"),
            "stage": "$default",
        },
        "body": event.get("body"),
        "isBase64Encoded": bool(event.get("isBase64Encoded")),
    }


def not_found() -> dict:
    """The REST API's reply to an unknown route, as the app's handler returns one."""
    from chalicelib.core import errors, http

    reply = http.error_reply(errors.NotFound(NO_ROUTE), {"Access-Control-Allow-Origin": "*"})
    return reply.to_dict()


def function_url_reply(response: dict) -> dict:
    """The app's REST proxy reply in the shape a function URL takes: each
    multi-valued header folded into one, each Set-Cookie in `cookies`."""
    headers, cookies = {}, []
    merged = [(n, [v]) for n, v in (response.get("headers") or {}).items()]
    merged += list((response.get("multiValueHeaders") or {}).items())
    for name, values in merged:
        if name.lower() == "set-cookie":
            cookies += [str(v) for v in values]
        else:
            folded = ", ".join(str(v) for v in values)
            headers[name] = f"{headers[name]}, {folded}" if name in headers else folded
    reply = {
        "statusCode": response["statusCode"],
        "headers": headers,
        "body": response.get("body") or "",
        "isBase64Encoded": bool(response.get("isBase64Encoded")),
    }
    if cookies:
        reply["cookies"] = cookies
    return reply
