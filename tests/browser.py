"""Herald served on loopback for the browser tests: headless Debian Chromium, Playwright.

The app is served by Chalice's own local server in a thread, against a moto
server on a free loopback port with Herald's stack deployed, as `make run`
does. The server runs in the test's process, so time-machine moves its
clock; the page's timers run on Playwright's own fake clock.
"""

import contextlib
import threading
from pathlib import Path

import pytest

from tests.helpers import free_port

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make browser)"
)


@contextlib.contextmanager
def served(monkeypatch, setup=lambda: None):
    """The app on http://127.0.0.1:<port> with moto behind it; yields the base URL."""
    from chalice.cli.factory import CLIFactory
    from chalice.local import create_local_server
    from moto.server import ThreadedMotoServer

    from app import app
    from chalicelib.core import aws
    from herald import environment
    from herald.local import stack

    moto_port, port = free_port(), free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{moto_port}")
    monkeypatch.setenv("HERALD_PUBLIC_URL", f"http://127.0.0.1:{port}")
    aws.reset()
    original_class = app.__class__
    server = None
    try:
        stack.deploy("dev")
        setup()
        config = CLIFactory(project_dir=str(environment.ROOT)).create_config_obj(
            chalice_stage_name="dev"
        )
        server = create_local_server(app, config, "127.0.0.1", port)
        threading.Thread(target=server.server.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{port}"
    finally:
        if server is not None:
            server.shutdown()
            server.server.server_close()
        app.__class__ = original_class
        _reset(moto_port)  # moto's state is per process: the next test starts empty
        moto.stop()
        aws.reset()


def _reset(port: int) -> None:
    import urllib.request

    reset = urllib.request.Request(f"http://127.0.0.1:{port}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=10).close()  # noqa: S310 - our loopback moto


@contextlib.contextmanager
def chromium():
    """A headless Chromium; closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
