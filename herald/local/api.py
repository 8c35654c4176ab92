"""`chalice local`, answering unknown routes as the deployed API does.

Chalice's local gateway answers a path no route has with API Gateway's bare
403 "Missing Authentication Token"; the deployed API turns that into Herald's
404 through a gateway response (infra/chalice-merge.yaml). This server reads
that same response from the template, so both answer alike.

    python -m herald.local.api --host 127.0.0.1 --port 8000 --stage dev
"""

import argparse
import functools
import json
import logging
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler

import yaml
from chalice.local import ChaliceRequestHandler, ForbiddenError, LocalDevServer, LocalGateway

from herald.environment import ROOT


@functools.cache
def unknown_route() -> tuple[int, dict, bytes]:
    """Status, headers and body of the deployed API's answer to an unknown route."""
    merge = yaml.safe_load((ROOT / "infra" / "chalice-merge.yaml").read_text())
    response = merge["Resources"]["RestAPI"]["Properties"]["GatewayResponses"][
        "MISSING_AUTHENTICATION_TOKEN"
    ]
    headers = {
        name: value.strip("'")  # API Gateway's header values are quoted literals
        for name, value in response.get("ResponseParameters", {}).get("Headers", {}).items()
    }
    body = response["ResponseTemplates"]["application/json"].strip()
    json.loads(body)  # the template must stay valid JSON
    return int(response["StatusCode"]), headers, body.encode()


class NotFound(ForbiddenError):
    def __init__(self, headers: dict, body: bytes, status: int):
        super().__init__(headers, body)
        self.CODE = status


class Gateway(LocalGateway):
    def handle_request(self, method, path, headers, body):
        try:
            return super().handle_request(method, path, headers, body)
        except ForbiddenError as error:
            if b"Missing Authentication Token" not in (error.body or b""):
                raise
            status, extra, reply = unknown_route()
            raise NotFound({**error.headers, **extra}, reply, status) from None


class RequestHandler(ChaliceRequestHandler):
    def __init__(self, request, client_address, server, app_object, config):
        # As ChaliceRequestHandler.__init__, with Herald's gateway: the base
        # class handles the request inside __init__, so it is set up first.
        self.local_gateway = Gateway(app_object, config)
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)


def create_server(host: str, port: int, stage: str) -> LocalDevServer:
    """What `chalice local --no-autoreload` builds, with Herald's request handler."""
    from chalice.cli.factory import CLIFactory
    from chalice.deploy.validate import validate_routes

    os.environ["AWS_CHALICE_CLI_MODE"] = "true"  # as the chalice command sets it
    config = CLIFactory(project_dir=str(ROOT)).create_config_obj(chalice_stage_name=stage)
    validate_routes(config.chalice_app.routes)
    return LocalDevServer(config.chalice_app, config, host, port, handler_cls=RequestHandler)


def _exit_at_end_of_input() -> None:
    # The runner holds the other end of stdin: it closes when the runner ends in
    # any way, kill -9 included, so the server never outlives it holding its port.
    sys.stdin.buffer.read()
    os._exit(0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--stage", default="dev")
    parser.add_argument(
        "--exit-with-parent", action="store_true", help="exit when standard input closes"
    )
    options = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    if options.exit_with_parent:
        threading.Thread(target=_exit_at_end_of_input, daemon=True).start()
    create_server(options.host, options.port, options.stage).serve_forever()


if __name__ == "__main__":
    main()
