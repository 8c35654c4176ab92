"""/health: the version, and whether each table answers (no key needed)."""

from chalice import Blueprint

from chalicelib.core import http

blueprint = Blueprint(__name__)


@http.route(blueprint, "/health", methods=["GET"])
def health():
    from chalicelib.core import health

    return http.reply(*health.report())
