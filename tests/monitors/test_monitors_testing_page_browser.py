"""The testing page in a real browser: headless Debian Chromium driven by Playwright.

The app is served by Chalice's own local server in a thread, against a moto
server on a free loopback port with Herald's stack deployed, as `make run`
does. The page's timers run on Playwright's fake clock, so the test moves
the page's time forward instead of waiting.
"""

import socket
import threading
from pathlib import Path

import pytest

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
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make browser)"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(aws_env, monkeypatch):
    """The app on http://127.0.0.1:<port>/ with moto behind it; yields the URL."""
    from chalice.cli.factory import CLIFactory
    from chalice.local import create_local_server
    from moto.server import ThreadedMotoServer

    from app import app
    from chalicelib.core import aws
    from herald import environment
    from herald.local import stack

    moto_port = _free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{moto_port}")
    monkeypatch.setenv("HERALD_TESTING_PASSWORD", "correct horse")
    aws.reset()
    original_class = app.__class__
    server = None
    try:
        stack.deploy("dev")
        from chalicelib.monitors import admin as monitor_admin

        settings = {"max_sleep": 4, "email_frequency": 60, "device_email": "o@example.com"}
        monitor_admin.upsert("raspberry", settings)
        config = CLIFactory(project_dir=str(environment.ROOT)).create_config_obj(
            chalice_stage_name="dev"
        )
        port = _free_port()
        server = create_local_server(app, config, "127.0.0.1", port)
        thread = threading.Thread(target=server.server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{port}/"
    finally:
        if server is not None:
            server.shutdown()
            server.server.server_close()
        app.__class__ = original_class
        moto.stop()
        aws.reset()


def _pings() -> int:
    from chalicelib.monitors import store as monitors

    return int(monitors.get("raspberry")["pings"])


def test_a_tester_logs_in_pings_and_toggles_auto_ping(served):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.clock.install()
            page.goto(served)
            page.fill("#password", "wrong")
            page.click("button[type=submit]")
            expect(page.locator("#message")).to_have_text("wrong password")

            page.fill("#password", "correct horse")
            page.click("button[type=submit]")
            row = page.locator("tr[data-monitor=raspberry]")
            expect(row).to_contain_text("new")
            assert "o@example.com" not in page.content()

            with page.expect_response(lambda r: r.url.endswith("/raspberry/ping")):
                row.get_by_role("button", name="Ping now").click()
            expect(row.locator("td").nth(1)).to_have_text("up")
            assert _pings() == 1

            # Auto-ping is on: every max_sleep / 2 = 2 s the page pings by itself.
            toggle = row.locator("input.auto")
            expect(toggle).to_be_checked()
            for expected in (2, 3):
                with page.expect_response(lambda r: r.url.endswith("/raspberry/ping")):
                    page.clock.run_for(2000)
                assert _pings() == expected

            toggle.uncheck()  # a simulated outage: the page stops pinging
            with page.expect_response(lambda r: r.url.endswith("/testing/monitors")):
                page.clock.run_for(10_000)  # two list refreshes, no ping
            assert _pings() == 3

            toggle.check()
            with page.expect_response(lambda r: r.url.endswith("/raspberry/ping")):
                page.clock.run_for(2000)
            assert _pings() == 4
        finally:
            browser.close()
