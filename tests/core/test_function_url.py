"""The ping door: function URL events (2.0) turned into the app's REST events (1.0) and back.

The ping suite runs through both doors (tests/monitors/test_monitors_ping.py);
these are the conversion's own cases, without AWS.
"""

import base64
import json

import pytest
from chalice import Chalice, Response
from chalice.app import Request

from chalicelib.core import function_url
from tests.ping_door import function_url_event

UUID = "6f1e0b8e-2d55-4e8a-9a3c-2b9f0c1d2e3f"


@pytest.fixture(scope="module")
def app():
    from app import app as chalice_app

    return chalice_app


def _event(method: str, path: str, headers: dict | None = None, body: bytes = b"") -> dict:
    return function_url_event(method, path, headers or {}, body)


def _rest(app, method: str, path: str, **kwargs) -> dict:
    rest = function_url.rest_event(app, _event(method, path, **kwargs))
    assert rest is not None, path
    return rest


def test_it_serves_exactly_the_apps_routes_under_ping(app):
    served = {path for path, _parts, _methods in function_url.ping_routes(app)}
    assert served == {p for p in app.routes if p == "/ping" or p.startswith("/ping/")}
    assert "/ping/{a}/{b}" in served and "/ping-keys" not in served
    for path, _parts, methods in function_url.ping_routes(app):
        assert methods == set(app.routes[path]), path


def test_it_fills_the_rest_event_the_app_reads(app):
    rest = _rest(app, "GET", f"/ping/{UUID}/fail?rid=x", headers={"User-Agent": "cron/1.0"})
    assert rest["requestContext"]["resourcePath"] == rest["resource"] == "/ping/{a}/{b}"
    assert rest["httpMethod"] == rest["requestContext"]["httpMethod"] == "GET"
    assert rest["pathParameters"] == {"a": UUID, "b": "fail"}
    assert rest["requestContext"]["identity"] == {
        "sourceIp": "198.51.100.7",
        "userAgent": "cron/1.0",
    }
    assert rest["headers"] == {"user-agent": "cron/1.0"}
    assert rest["multiValueHeaders"] == {"user-agent": ["cron/1.0"]}
    assert rest["stageVariables"] is None and rest["body"] is None
    request = Request(rest)  # as the app's handler reads it
    assert request.headers["User-Agent"] == "cron/1.0" and request.raw_body == b""


def test_it_keeps_every_value_of_a_repeated_query_key(app):
    rest = _rest(app, "GET", "/ping?username=a%20b&tag=x&tag=y&empty=")
    assert rest["multiValueQueryStringParameters"] == {
        "username": ["a b"],
        "tag": ["x", "y"],
        "empty": [""],
    }
    assert rest["queryStringParameters"] == {"username": "a b", "tag": "y", "empty": ""}
    bare = _rest(app, "GET", "/ping")
    assert bare["multiValueQueryStringParameters"] is bare["queryStringParameters"] is None
    assert bare["pathParameters"] is None


@pytest.mark.parametrize(
    "segment, passed",
    [
        ("kitchen%20pi", "kitchen%20pi"),  # API Gateway passes path parameters encoded
        ("kitchen pi", "kitchen%20pi"),  # as sent by a client that did not encode it
        ("k%C3%BCche", "k%C3%BCche"),
        ("küche", "k%C3%BCche"),
        ("💥", "%F0%9F%92%A5"),
        ("a%2Fb", "a%2Fb"),  # an encoded slash stays inside its segment
        ("%ff", "%ff"),
        ("a~b.c-d_e", "a~b.c-d_e"),
    ],
)
def test_it_passes_path_segments_percent_encoded_as_api_gateway_does(app, segment, passed):
    rest = _rest(app, "GET", f"/ping/KEY/{segment}")
    assert rest["pathParameters"] == {"a": "KEY", "b": passed}


def test_a_trailing_slash_is_dropped_and_an_empty_segment_matches_nothing(app):
    assert _rest(app, "GET", f"/ping/{UUID}/")["pathParameters"] == {"a": UUID}
    assert function_url.rest_event(app, _event("GET", "/ping//backup")) is None


def test_a_binary_body_stays_base64_until_the_app_reads_it(app):
    png = b"\x89PNG\r\n\x1a\n\x00\xff"
    rest = _rest(app, "POST", f"/ping/{UUID}", headers={"Content-Type": "image/png"}, body=png)
    assert rest["isBase64Encoded"] is True
    assert base64.b64decode(rest["body"]) == png
    assert Request(rest).raw_body == png
    text = _rest(app, "POST", f"/ping/{UUID}", headers={"Content-Type": "text/plain"}, body=b"ok")
    assert (text["body"], text["isBase64Encoded"]) == ("ok", False)


def test_head_and_options_reach_the_ping_routes(app):
    for method in ("HEAD", "OPTIONS", "POST"):
        rest = _rest(app, method, f"/ping/{UUID}")
        assert rest["httpMethod"] == rest["requestContext"]["httpMethod"] == method


def test_cookies_come_back_together_as_the_cookie_header(app):
    event = _event("GET", "/ping?username=x", headers={"Cookie": "a=1; b=2"})
    assert event["cookies"] == ["a=1", "b=2"] and "cookie" not in event["headers"]
    assert function_url.rest_event(app, event)["headers"]["cookie"] == "a=1; b=2"


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/monitors"),
        ("GET", "/ping-keys"),
        ("GET", "/"),
        ("PUT", "/ping"),  # a ping route, not a ping method
        ("DELETE", f"/ping/{UUID}"),
        ("GET", "/ping/a/b/c/d/e"),
        ("GET", "/PING"),
    ],
)
def test_anything_but_a_ping_is_heralds_404_as_the_rest_api_answers_it(app, method, path):
    from herald.local.api import unknown_route

    reply = function_url.handle(app, _event(method, path), None)
    status, headers, body = unknown_route()  # the REST API's gateway response
    assert reply["statusCode"] == status == 404
    assert reply["headers"]["Content-Type"] == "application/json"
    assert reply["headers"]["Access-Control-Allow-Origin"] == headers["Access-Control-Allow-Origin"]
    assert (
        json.loads(reply["body"])
        == json.loads(body)
        == {
            "Code": "NotFoundError",
            "Message": function_url.NO_ROUTE,
        }
    )
    assert function_url.handle(app, {}, None)["statusCode"] == 404  # not from a URL at all


def test_a_reply_folds_multi_valued_headers_and_puts_set_cookie_in_cookies():
    reply = function_url.function_url_reply(
        {
            "statusCode": 302,
            "headers": {"Location": "/x", "Set-Cookie": "a=1; Path=/"},
            "multiValueHeaders": {"set-cookie": ["b=2", "c=3; HttpOnly"], "Vary": ["A", "B"]},
            "body": "",
        }
    )
    assert reply == {
        "statusCode": 302,
        "headers": {"Location": "/x", "Vary": "A, B"},
        "body": "",
        "isBase64Encoded": False,
        "cookies": ["a=1; Path=/", "b=2", "c=3; HttpOnly"],
    }


def test_a_cookie_setting_view_answers_through_the_door():
    """A route under /ping of another app, to show the whole trip: routes are the app's own."""
    other = Chalice(app_name="door-test")

    @other.route("/ping/{a}", methods=["GET"])
    def sets_cookies(a):
        cookies = [f"seen={a}; Secure", "n=1"]
        return Response(body={"a": a}, headers={"Set-Cookie": cookies, "X-One": "1"})

    reply = function_url.handle(other, _event("GET", "/ping/k%C3%BC"), None)
    assert reply["statusCode"] == 200
    assert reply["cookies"] == ["seen=k%C3%BC; Secure", "n=1"]
    assert reply["headers"]["X-One"] == "1" and "multiValueHeaders" not in reply
    assert json.loads(reply["body"]) == {"a": "k%C3%BC"}
    assert function_url.handle(other, _event("GET", "/monitors"), None)["statusCode"] == 404
