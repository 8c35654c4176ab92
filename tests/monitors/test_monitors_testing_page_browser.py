"""The testing page in a real browser: headless Debian Chromium driven by Playwright.

The app is served by Chalice's own local server in a thread, against a moto
server on a free loopback port with Herald's stack deployed, as `make run`
does. The page's timers run on Playwright's fake clock, so the test moves
the page's time forward instead of waiting.
"""

import pytest

from tests.browser import chromium, needs_chromium, served

pytestmark = needs_chromium


@pytest.fixture
def site(aws_env, monkeypatch):
    """The app with the testing page on and one monitor, raspberry."""

    def setup():
        from chalicelib.monitors import admin as monitor_admin

        settings = {"max_sleep": 4, "email_frequency": 60, "device_email": "o@example.com"}
        monitor_admin.upsert("raspberry", settings)

    monkeypatch.setenv("HERALD_TESTING_PASSWORD", "correct horse")
    with served(monkeypatch, setup) as url:
        yield url + "/"


def _pings() -> int:
    from chalicelib.monitors import store as monitors

    return int(monitors.get("raspberry")["pings"])


def test_a_tester_logs_in_pings_and_toggles_auto_ping(site):
    from playwright.sync_api import expect

    with chromium() as browser:
        page = browser.new_page()
        page.clock.install()
        page.goto(site)
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
