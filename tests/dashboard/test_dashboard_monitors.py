"""The monitors page and one monitor's page, as a signed-in operator sees them."""

import json
import re
from datetime import UTC, datetime
from html import unescape

import pytest

from tests.helpers import dynamodb_requests, lambda_failed


@pytest.fixture
def backup(make_monitor, clock):
    return make_monitor("backup", tags=["db", "nightly"], title="Nightly backup")


def _row(html: str, name: str) -> str:
    return re.search(rf'<tr data-name="{name}".*?</tr>', html, re.S).group(0)


def test_it_sends_a_visitor_without_a_session_to_sign_in(client, backup):
    for path in ("/dashboard", "/dashboard/monitors/backup", "/dashboard/channels"):
        reply = client.http.get(path)
        assert reply.status_code == 303
        assert reply.headers["Location"] == "/dashboard/sign-in"


def test_it_lists_each_monitor_with_status_word_last_ping_schedule_and_tags(
    admin, backup, ping, clock
):
    ping(backup)
    clock.shift(180)
    html = admin.get("/dashboard").body.decode()
    row = _row(html, "backup")
    assert 'class="status up">up<' in row  # the word, not colour alone
    assert "3 min ago" in row
    assert "no ping for over 5 min" in row
    assert ">db<" in row and ">nightly<" in row
    assert "Nightly backup" in row
    assert '<svg class="bars"' in row and "100.00 % up" in row


def test_a_missed_deadline_shows_down_and_a_red_day_in_the_bar(
    admin, backup, ping, run_checker, clock
):
    ping(backup)
    clock.shift(400)
    run_checker()
    row = _row(admin.get("/dashboard").body.decode(), "backup")
    assert 'class="status down">down<' in row
    assert 'class="some"' in row or 'class="down"' in row


def test_down_monitors_come_first(admin, make_monitor, ping, run_checker, clock):
    for name in ("alpha", "omega"):
        ping(make_monitor(name))
    clock.shift(200)
    ping(make_monitor("alpha"))  # alpha stays up, omega goes down
    clock.shift(200)
    run_checker()
    html = admin.get("/dashboard").body.decode()
    assert html.index('data-name="omega"') < html.index('data-name="alpha"')


def test_every_control_has_a_label(admin, backup):
    html = admin.get("/dashboard").body.decode()
    for control in ("search", "filter-status", "filter-tag", "sort"):
        assert f'<label for="{control}">' in html


def test_the_status_feed_is_small_and_current(admin, backup, ping, clock):
    ping(backup)
    clock.shift(60)
    reply = admin.api("GET", "/dashboard/status.json")
    assert reply.status_code == 200
    monitors = reply.json_body["monitors"]
    assert monitors == [
        {
            "name": "backup",
            "status": "up",
            "rank": "4backup",
            "last_ping": "2026-11-02T09:00:00.000000Z",
            "last_ping_ago": "1 min ago",
            "next_deadline_in": "in 4 min",
        }
    ]
    assert len(reply.body) < 400


def test_the_monitors_page_costs_the_same_dynamodb_requests_for_3_or_30_monitors(
    admin, make_monitor, ping
):
    def requests_for_page() -> list[str]:
        with dynamodb_requests() as calls:
            assert admin.get("/dashboard").status_code == 200
        return calls

    for index in range(3):
        ping(make_monitor(f"m{index}"))
    few = requests_for_page()
    for index in range(3, 30):
        ping(make_monitor(f"m{index}"))
    assert requests_for_page() == few
    # the session's account, the directory, the monitors (a BatchGetItem per 100), flips
    assert "Scan" not in few and sorted(few) == ["BatchGetItem", "GetItem", "Query", "Query"]


# ---- one monitor ---------------------------------------------------------------------


def test_its_page_shows_ping_urls_snippets_and_the_ping_log(admin, backup, ping):
    ping(backup, method="POST", body=b"42 files copied", headers={"User-Agent": "backup-script/2"})
    ping(backup, "3")
    html = admin.get("/dashboard/monitors/backup").body.decode()
    assert f"/ping/{backup['uuid']}" in html
    assert "data-copy=" in html and "crontab" in html and "PowerShell" in html
    log = re.search(r'<table id="log">.*?</table>', html, re.S).group(0)
    assert "backup-script/2" in log and "42 files copied" in log
    assert "<td>3</td>" in log  # the exit status


def test_its_page_shows_the_ping_doors_url_when_the_stack_names_it(admin, backup, monkeypatch):
    monkeypatch.setenv("HERALD_PING_URL", "https://door.lambda-url.us-east-1.on.aws/")
    html = admin.get("/dashboard/monitors/backup").body.decode()
    assert f"https://door.lambda-url.us-east-1.on.aws/ping/{backup['uuid']}" in html
    assert f"http://herald.test/ping/{backup['uuid']}" not in html


def test_a_read_only_account_sees_no_ping_url_and_no_edit_form(reader, backup):
    html = reader.get("/dashboard/monitors/backup").body.decode()
    assert backup["uuid"] not in html and backup["key"] not in html
    assert "data-api=" not in html


def test_runs_with_durations_are_drawn_as_a_chart(admin, backup, ping, clock):
    for seconds in (30, 90):
        ping(backup, "start")
        clock.shift(seconds)
        ping(backup)
    html = admin.get("/dashboard/monitors/backup").body.decode()
    chart = re.search(r'<svg class="chart".*?</svg>', html, re.S).group(0)
    assert chart.count("<rect") == 2
    assert "1 min 30 s" in chart


def test_outages_and_downtime_are_listed(admin, backup, ping, run_checker, clock):
    ping(backup)
    clock.shift(400)
    run_checker()
    clock.shift(600)
    ping(backup)
    html = admin.get("/dashboard/monitors/backup").body.decode()
    assert "No outages" not in html
    assert "still down" not in html
    assert re.search(r"<td>day of 2026-11-02</td><td>1\d min", html)


def test_it_says_when_an_alert_was_held_for_heralds_own_intake(
    admin, make_monitor, ping, run_checker, clock, monkeypatch
):
    monkeypatch.setenv("INTAKE_WATCH", "on")
    ping(make_monitor("hourly", timeout=3600, grace=600))  # 09:00: expected 10:00
    lambda_failed(datetime(2026, 11, 2, 10, 0, 20, tzinfo=UTC))
    clock.shift(4300)  # 10:11:40, past the deadline
    run_checker()
    html = unescape(admin.get("/dashboard/monitors/hourly").body.decode())
    held = re.search(r'<dd id="intake-held">(.*?)</dd>', html).group(1)
    assert "Herald's own ping intake failed until" in held and "10:01" in held
    assert 'class="status late">late<' in _row(admin.get("/dashboard").body.decode(), "hourly")


def test_an_unknown_monitor_is_a_404_page(admin):
    reply = admin.get("/dashboard/monitors/nothing")
    assert reply.status_code == 404
    assert "no monitor named 'nothing'" in unescape(reply.body.decode())


def test_a_bad_log_day_is_a_400_page_not_a_500(admin, backup):
    reply = admin.get("/dashboard/monitors/backup?day=yesterday")
    assert reply.status_code == 400
    assert "YYYY-MM-DD" in reply.body.decode()


# ---- changes, through the API with the session --------------------------------------


def test_an_admin_edits_settings_as_the_api_validates_them(admin, backup):
    from chalicelib.monitors import store

    settings = {"max_sleep": 900, "email_frequency": 3600, "device_email": "ops@example.com"}
    assert admin.api("PUT", "/monitors/backup", settings).status_code == 200
    assert store.get("backup")["max_sleep"] == 900
    refused = admin.api("PUT", "/monitors/backup", {**settings, "max_sleep": "soon"})
    assert refused.status_code == 400 and "max_sleep" in refused.json_body["Message"]
    assert store.get("backup")["max_sleep"] == 900


def test_an_admin_pauses_and_resumes(admin, backup):
    assert admin.api("POST", "/monitors/backup/pause").json_body["status"] == "paused"
    assert 'class="status paused">paused<' in admin.get("/dashboard").body.decode()
    assert admin.api("POST", "/monitors/backup/resume").json_body["status"] == "new"


def test_a_read_only_account_cannot_change_anything(reader, backup):
    from chalicelib.monitors import store

    before = store.get("backup")
    for method, path, body in (
        ("POST", "/monitors/backup/pause", None),
        ("PUT", "/monitors/backup", {"max_sleep": 60, "email_frequency": 60}),
        ("POST", "/monitors/backup/snooze", {"seconds": 3600}),
        ("DELETE", "/monitors/backup", None),
    ):
        reply = reader.api(method, path, body)
        assert reply.status_code == 403, (method, path)
        assert reply.json_body["Message"] == "this account is read-only"
    assert store.get("backup") == before


def test_a_change_without_the_csrf_token_is_refused(admin, backup):
    from chalicelib.monitors import store

    for token in ("", "forged"):
        reply = admin.api("POST", "/monitors/backup/pause", csrf=token)
        assert reply.status_code == 403 and "CSRF" in reply.json_body["Message"]
    assert not store.get("backup").get("paused")


# ---- what every page sends -----------------------------------------------------------


def test_pages_forbid_inline_scripts_and_framing(admin, backup):
    signed_out = admin.client.http.get
    for path, get in (
        ("/dashboard", admin.get),
        ("/dashboard/monitors/backup", admin.get),
        ("/dashboard/sign-in", signed_out),
    ):
        reply = get(path)
        policy = reply.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        page = reply.body.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), path
        assert " style=" not in page and " onclick=" not in page, path


def test_assets_are_cached_for_a_year_under_their_version(admin):
    html = admin.get("/dashboard").body.decode()
    css = re.search(r'href="(/dashboard/static/[0-9a-f]{12}/dashboard.css)"', html).group(1)
    reply = admin.client.http.get(css)
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("text/css")
    assert "max-age=31536000" in reply.headers["Cache-Control"]
    stale = admin.client.http.get("/dashboard/static/000000000000/dashboard.css")
    assert stale.headers["Cache-Control"] == "no-cache"
    assert admin.client.http.get("/dashboard/static/x/..%2Fapp.py").status_code == 404


def test_an_unknown_section_is_a_404_page(admin):
    reply = admin.get("/dashboard/nothing")
    assert reply.status_code == 404 and reply.headers["Content-Type"].startswith("text/html")


def test_the_status_feed_wants_a_session_with_its_csrf_token_or_an_api_key(
    client, admin, backup, api_key
):
    assert client.http.get("/dashboard/status.json").status_code == 401
    assert admin.get("/dashboard/status.json").status_code == 403  # no X-CSRF-Token
    assert client.http.get("/dashboard/status.json", headers=api_key).status_code == 200


def test_a_busy_day_shows_the_newest_100_pings_with_bodies_cut(admin, backup, ping, monkeypatch):
    from chalicelib.dashboard import monitor_pages

    monkeypatch.setattr(monitor_pages, "LOG_ROWS", 3)
    for number in range(5):
        ping(backup, method="POST", body=f"run {number} ".encode() + b"x" * 2000)
    page = admin.get("/dashboard/monitors/backup").body.decode()
    log = re.search(r'<table id="log">.*?</table>', page, re.S).group(0)
    assert "run 4 " in log and "run 2 " in log and "run 1 " not in log
    assert "x" * 1000 not in log and "(the first 1000 characters)" in log
    assert "The newest 3 of 5 pings" in page


def test_it_says_who_the_monitor_tells_by_name_defaults_included(admin, backup, api_key):
    channel = {"kind": "email", "name": "on call", "config": {"recipients": ["c@example.com"]}}
    made = admin.client.http.post(
        "/channels",
        headers={**api_key, "content-type": "application/json"},
        body=json.dumps({**channel, "default": True}),
    ).json_body
    told = re.search(
        r'<dd id="told">.*?</dd>', admin.get("/dashboard/monitors/backup").body.decode(), re.S
    )
    assert "ops@example.com" in told.group(0)
    assert "the default channels" in told.group(0) and "on call" in told.group(0)
    assert f"/dashboard/channels#{made['id']}" in told.group(0)
