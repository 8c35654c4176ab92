"""/health and /openapi.json: what any caller may ask without a key."""

import functools

from chalice import Blueprint

from chalicelib.core import http

blueprint = Blueprint(__name__)


@http.route(blueprint, "/health", methods=["GET"])
def health():
    from chalicelib.core import health

    return http.reply(*health.report())


@http.route(blueprint, "/openapi.json", methods=["GET"])
def openapi():
    return http.reply(200, _document())


@functools.cache
def _document() -> dict:
    """The API's OpenAPI 3.1 document, read on the first request, not at import:
    a cold start that serves a ping never pays for 100 KB of JSON."""
    import json
    from pathlib import Path

    return json.loads((Path(__file__).parent / "openapi.json").read_text())
