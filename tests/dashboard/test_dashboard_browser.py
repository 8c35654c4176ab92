"""The dashboard in a real browser: headless Debian Chromium driven by Playwright.

Herald is served on loopback (tests/browser.py); time-machine moves the
server's clock (a missed deadline without waiting for it) and Playwright's
fake clock the page's 15-second refresh. HERALD_SCREENSHOTS=1 (make
screenshots) writes the pages' screenshots into docs/screenshots/.
"""

import json
import os
import re
from pathlib import Path

import pytest

from herald import environment
from tests.browser import chromium, needs_chromium, served

pytestmark = needs_chromium
PASSWORD = "correct horse battery"
START = "2026-11-02 09:00:00+00:00"
DAY = 86400


@pytest.fixture
def shots(tmp_path) -> Path:
    if os.environ.get("HERALD_SCREENSHOTS") == "1":
        return environment.ROOT / "docs" / "screenshots"
    return tmp_path


def _seed():
    """Accounts, and monitors with some history for the bars."""
    from chalicelib.core import accounts, clock
    from chalicelib.monitors import admin, flips, store

    accounts.create("admin@example.com", password=PASSWORD)
    accounts.create("viewer@example.com", password=PASSWORD, read_only=True)
    mail = {"device_email": "ops@example.com", "email_frequency": 3600}
    admin.upsert("backup", {**mail, "max_sleep": 60, "tags": ["db"], "title": "Nightly backup"})
    admin.upsert(
        "etl",
        {**mail, "schedule": "0 2 * * *", "tz": "Europe/Berlin", "grace": 3600, "tags": ["etl"]},
    )
    admin.upsert("certificates", {**mail, "max_sleep": 86400 * 7, "tags": ["web"]})
    now = clock.epoch()
    for name, outages in (("etl", [(40, 0.3), (12, 1.5)]), ("certificates", [(70, 0.05)])):
        item = store.get(name)
        item["created_at"] = clock.iso(clock.from_epoch(now - 89 * DAY))
        for days_ago, length in outages:
            flips.record(item, "down", now - days_ago * DAY, "missed deadline")
            flips.record(item, "up", now - (days_ago - length) * DAY, "recovered")
        store.update_if_unchanged(item, {"created_at": item["created_at"]})


@pytest.fixture
def site(aws_env, monkeypatch, time_machine):
    time_machine.move_to(START, tick=True)
    with served(monkeypatch, _seed) as url:
        yield url


def _sign_in(page, site: str, email: str) -> None:
    page.goto(f"{site}/dashboard")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in with password").click()
    page.wait_for_url(f"{site}/dashboard")


def _mailed_link() -> str:
    from chalicelib.core import aws

    sqs = aws.client("sqs")
    messages = sqs.receive_message(QueueUrl=aws.queue_url("outbox"), MaxNumberOfMessages=10)
    texts = [json.loads(m["Body"])["text"] for m in messages.get("Messages", [])]
    return re.search(r"http://\S+/dashboard/sign-in/\S+", texts[-1]).group(0)


def _ping(site: str, name: str, suffix: str = "", body: bytes = b"") -> None:
    import urllib.request

    from chalicelib.monitors import store

    url = f"{site}/ping/{store.uuid_for(name)}{suffix}"
    request = urllib.request.Request(url, data=body or None, headers={"User-Agent": "nightly.sh"})
    with urllib.request.urlopen(request, timeout=10) as reply:  # noqa: S310 - our loopback server
        assert reply.status == 200


def test_an_operator_signs_in_by_a_mailed_link_once(site):
    from playwright.sync_api import expect

    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{site}/dashboard/sign-in")
        page.get_by_label("E-mail address").fill("admin@example.com")
        page.get_by_role("button", name="Mail me a sign-in link").click()
        expect(page.locator("#sent")).to_contain_text("sign-in link is on its way")
        link = _mailed_link()

        page.goto(link)  # opening the link does not spend it: the button does
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{site}/dashboard")
        expect(page.get_by_role("heading", name=re.compile("Monitors"))).to_be_visible()

        other = browser.new_page()  # the same link again, in another browser tab
        other.goto(link)
        other.get_by_role("button", name="Sign in").click()
        expect(other.locator("#error")).to_have_text(
            "this sign-in link was used already or has expired"
        )


def test_a_wrong_password_is_refused_and_the_right_one_signs_in(site):
    from playwright.sync_api import expect

    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{site}/dashboard")
        page.get_by_label("E-mail address").fill("admin@example.com")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in with password").click()
        expect(page.locator("#error")).to_have_text("wrong e-mail address or password")
        _sign_in(page, site, "admin@example.com")
        expect(page.locator("header")).to_contain_text("admin@example.com")


def test_a_monitor_goes_down_after_a_missed_deadline_and_its_log_opens(site, time_machine, shots):
    from playwright.sync_api import expect

    from chalicelib.monitors import checker

    _ping(site, "backup", body=b"copied 1,204 files")
    _ping(site, "etl")
    _ping(site, "certificates")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.clock.install()
        _sign_in(page, site, "admin@example.com")
        row = page.locator('tr[data-name="backup"]')
        expect(row.locator(".status")).to_have_text("up")

        time_machine.shift(120)  # the server's clock passes backup's deadline
        checker.run()
        with page.expect_response(lambda r: r.url.endswith("/dashboard/status.json")):
            page.clock.run_for(15_000)  # the page refreshes itself, no reload
        expect(row.locator(".status")).to_have_text("down")
        expect(page.locator("#counts")).to_contain_text("1 down")
        page.screenshot(path=shots / "monitors.png", full_page=True)

        page.get_by_label("Status").select_option("down")
        expect(page.locator("#shown")).to_have_text("1")
        page.get_by_label("Status").select_option("")
        page.get_by_label("Search by name").fill("cert")
        expect(page.locator("#shown")).to_have_text("1")

        page.goto(f"{site}/dashboard/monitors/backup")
        log = page.locator("#log")
        expect(log).to_contain_text("nightly.sh")
        log.get_by_text("18 bytes").click()
        expect(log.get_by_text("copied 1,204 files")).to_be_visible()
        page.screenshot(path=shots / "monitor.png", full_page=True)


def test_an_admin_edits_a_setting_and_pauses_the_monitor(site):
    from playwright.sync_api import expect

    from chalicelib.monitors import store

    with chromium() as browser:
        page = browser.new_page()
        _sign_in(page, site, "admin@example.com")
        page.goto(f"{site}/dashboard/monitors/backup")
        settings = page.get_by_label(re.compile("Settings"))
        text = settings.input_value()
        settings.fill(text.replace('"max_sleep": 60', '"max_sleep": "soon"'))
        page.get_by_role("button", name="Save settings").click()
        expect(page.locator("p[data-result]")).to_contain_text("max_sleep")
        assert store.get("backup")["max_sleep"] == 60  # refused, nothing changed

        settings.fill(text.replace('"max_sleep": 60', '"max_sleep": 120'))
        page.get_by_role("button", name="Save settings").click()
        expect(page.get_by_text("no ping for over 2 min")).to_be_visible()
        assert store.get("backup")["max_sleep"] == 120

        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Pause").click()
        expect(page.locator("#status")).to_have_text("paused")
        assert store.get("backup")["paused"] is True


def test_an_admin_creates_and_tests_a_channel_and_revokes_an_api_key(site, shots):
    from playwright.sync_api import expect

    from chalicelib.core import auth

    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        _sign_in(page, site, "admin@example.com")
        page.goto(f"{site}/dashboard/channels")
        page.get_by_label("Kind", exact=True).select_option("email")
        page.get_by_label("Name", exact=True).fill("ops mail")
        page.get_by_label(re.compile("^Settings")).fill(
            '{"config": {"recipients": ["ops@example.com"]}}'
        )
        page.get_by_role("button", name="Create channel").click()
        row = page.locator("#channels tbody tr", has_text="ops mail")
        expect(row).to_contain_text("email")
        row.get_by_role("button", name="Send test to ops mail").click()
        expect(row.locator("[data-result]").first).to_contain_text("Test: ")
        page.screenshot(path=shots / "channels.png", full_page=True)

        page.goto(f"{site}/dashboard/keys")
        page.get_by_label(re.compile("^Label")).fill("ci")
        page.get_by_role("button", name="Create key").click()
        shown = page.locator("#create [data-result]")
        expect(shown).to_contain_text("shown once")
        key = re.search(r"hk_\S+", shown.inner_text()).group(0)
        assert auth.lookup(key) is not None
        page.reload()
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name=re.compile("^Revoke key")).click()
        expect(page.locator("#empty")).to_be_visible()
        assert auth.lookup(key) is None  # refused from now on


def test_a_read_only_account_sees_no_forms_and_the_server_refuses_its_writes(site):
    from chalicelib.monitors import store

    with chromium() as browser:
        page = browser.new_page()
        _sign_in(page, site, "viewer@example.com")
        page.goto(f"{site}/dashboard/monitors/backup")
        assert page.locator("form[data-api]").count() == 0
        assert page.get_by_role("button", name="Pause").count() == 0
        # What the page would have sent, sent anyway: the server says no.
        statuses = page.evaluate(
            """async () => {
              const csrf = document.querySelector('meta[name="csrf-token"]').content;
              const calls = [["POST", "/monitors/backup/pause"], ["DELETE", "/monitors/backup"],
                             ["POST", "/api-keys"], ["POST", "/channels"]];
              const out = [];
              for (const [method, path] of calls) {
                const reply = await fetch(path, {method, headers: {"X-CSRF-Token": csrf,
                  "Content-Type": "application/json"}, body: method === "POST" ? "{}" : undefined});
                out.push(reply.status);
              }
              return out;
            }"""
        )
        assert statuses == [403, 403, 403, 403]
        assert not store.get("backup").get("paused")


def test_a_public_status_page_needs_no_sign_in_and_shows_no_secret(site, shots):
    from playwright.sync_api import expect

    from chalicelib.dashboard import status_pages
    from chalicelib.monitors import store

    item, _ = status_pages.create("tag", "etl", "Data pipeline")
    _ping(site, "etl")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1000, "height": 600})
        page.goto(f"{site}/status/{status_pages.token_of(item)}")
        expect(page.get_by_role("heading", name="Data pipeline")).to_be_visible()
        expect(page.locator("main")).to_contain_text("up")
        assert store.uuid_for("etl") not in page.content()
        assert "ops@example.com" not in page.content()
        page.screenshot(path=shots / "status-page.png", full_page=True)


def test_the_monitors_page_fits_a_phone(site, shots):
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 360, "height": 740})
        _sign_in(page, site, "admin@example.com")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=shots / "monitors-phone.png", full_page=True)
        for path in ("/monitors/backup", "/channels", "/keys", "/status-pages", "/accounts"):
            page.goto(f"{site}/dashboard{path}")
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        page.goto(f"{site}/dashboard/monitors/backup")
        page.screenshot(path=shots / "monitor-phone.png", full_page=True)
