"""The ping door in tests: requests as a Lambda function URL hands them over.

through_the_ping_door(client) wraps Chalice's test client so that its
client.http calls on a /ping path become function URL events (payload 2.0,
built by function_url_event() the way Lambda builds one: lower-case header
names, repeated headers joined by commas, the Cookie header taken apart,
non-text bodies base64-encoded) invoked on the ping_door function; every
other path still goes through the REST API's gateway. The reply comes back
as the test client's HTTPResponse, so a test reads it the same through
either door (tests/conftest.py: the `door` fixture, the both_doors mark).
"""

import base64
import functools
import json
from urllib.parse import parse_qs, unquote

from chalice.test import HTTPResponse

SOURCE_IP = "198.51.100.7"
# Bodies Lambda passes as text; any other content type arrives base64-encoded.
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript")
TEXT_TYPES += ("application/x-www-form-urlencoded",)


def is_ping(path: str) -> bool:
    return path == "/ping" or path.startswith(("/ping/", "/ping?"))


def function_url_event(method: str, path: str, headers: dict, body: bytes = b"") -> dict:
    """The event a function URL would hand its function for this request."""
    raw_path, _, raw_query = path.partition("?")
    folded: dict[str, str] = {}
    for name, value in headers.items():
        name = name.lower()
        folded[name] = f"{folded[name]},{value}" if name in folded else str(value)
    cookie = folded.pop("cookie", None)
    event = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": folded,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "pingdoorid",
            "domainName": "pingdoorid.lambda-url.us-east-1.on.aws",
            "domainPrefix": "pingdoorid",
            "http": {
                "method": method.upper(),
                "path": unquote(raw_path),
                "protocol": "HTTP/1.1",
                "sourceIp": SOURCE_IP,
                "userAgent": folded.get("user-agent", ""),
            },
            "requestId": "c0ffee00-0000-4000-8000-000000000000",
            "routeKey": "$default",
            "stage": "$default",
            "time": "02/Nov/2026:09:00:00 +0000",
            "timeEpoch": 1793610000000,
        },
        "isBase64Encoded": False,
    }
    if cookie:
        event["cookies"] = [c.strip() for c in cookie.split(";") if c.strip()]
    if raw_query:
        query = parse_qs(raw_query, keep_blank_values=True)
        event["queryStringParameters"] = {k: ",".join(v) for k, v in query.items()}
    if body:
        _put_body(event, body.encode() if isinstance(body, str) else body)
    return json.loads(json.dumps(event))  # what Lambda would deliver: JSON only


def _put_body(event: dict, body: bytes) -> None:
    content_type = event["headers"].get("content-type", "")
    try:
        if content_type.startswith(TEXT_TYPES):
            event["body"] = body.decode("utf-8")
            return
    except UnicodeDecodeError:
        pass
    event["body"] = base64.b64encode(body).decode("ascii")
    event["isBase64Encoded"] = True


def as_http_response(reply: dict) -> HTTPResponse:
    """A function URL reply as the test client's HTTPResponse."""
    json.dumps(reply)  # Lambda sends back JSON: a reply that is not fails here
    assert set(reply) <= {"statusCode", "headers", "body", "isBase64Encoded", "cookies"}
    body = reply.get("body") or ""
    raw = base64.b64decode(body) if reply.get("isBase64Encoded") else body.encode("utf-8")
    headers = dict(reply.get("headers") or {})
    if reply.get("cookies"):
        cookies = reply["cookies"]
        headers["Set-Cookie"] = cookies[0] if len(cookies) == 1 else cookies
    return HTTPResponse(body=raw, headers=headers, status_code=reply["statusCode"])


class _DoorHTTP:
    def __init__(self, client):
        self._client = client

    def request(self, method, path, headers=None, body=b""):
        if not is_ping(path):
            return self._client.http.request(method, path, headers=headers, body=body)
        event = function_url_event(method, path, headers or {}, body)
        return as_http_response(self._client.lambda_.invoke("ping_door", event).payload)

    def __getattr__(self, method: str):
        if method in {"get", "post", "put", "patch", "delete", "head", "options"}:
            return functools.partial(self.request, method.upper())
        raise AttributeError(method)


class _DoorClient:
    def __init__(self, client):
        self._client = client
        self.http = _DoorHTTP(client)

    def __getattr__(self, name):
        return getattr(self._client, name)


def through_the_ping_door(client):
    """The test client, its pings sent through the ping door's function URL."""
    return _DoorClient(client)
