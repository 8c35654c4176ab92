"""`make run`'s API answers an unknown route as the deployed one: Herald's 404."""

import json
import threading
import urllib.error
import urllib.request

import pytest

from herald.local import api


@pytest.fixture
def served(aws):
    server = api.create_server("127.0.0.1", 0, "dev")
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server.server_address
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server.server_close()


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:  # noqa: S310 - loopback
            return reply.status, dict(reply.headers), reply.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_an_unknown_route_is_a_404_in_heralds_error_shape(served):
    from chalicelib.core import errors

    status, headers, body = _get(served + "/nope")

    assert status == 404
    assert headers["Content-Type"] == "application/json"
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert json.loads(body) == {
        "Code": errors.NotFound.code,
        "Message": "no route for this method and path",
    }


def test_known_routes_are_served_as_before(served):
    status, _headers, body = _get(served + "/health")

    assert status == 200
    assert json.loads(body)["status"] == "ok"


def test_the_local_answer_is_the_deployed_gateway_response():
    from herald.environment import ROOT

    text = (ROOT / "infra" / "chalice-merge.yaml").read_text()
    status, _headers, body = api.unknown_route()
    assert status == 404 and b"NotFoundError" in body and "MISSING_AUTHENTICATION_TOKEN" in text
