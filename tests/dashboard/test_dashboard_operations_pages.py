"""Channels, site runs, subscriptions and hooks pages, as a signed-in user sees them."""

import html
import json
import re

import pytest

SLACK = "https://hooks.slack.com/services/T000/B000/SECRETsecretSECRET1234"


@pytest.fixture
def call(client, api_key):
    """call(method, path, body) through the JSON API with a read-write key; the reply's JSON."""

    def do(method, path, body=None):
        headers = {**api_key, "Content-Type": "application/json"}
        payload = b"" if body is None else json.dumps(body).encode()
        reply = client.http.request(method, path, headers=headers, body=payload)
        assert reply.status_code < 300, reply.body
        return json.loads(reply.body or b"null")

    return do


def page(session, path: str) -> str:
    reply = session.get(path)
    assert reply.status_code == 200, reply.body
    return reply.body.decode()


def forms(text: str) -> list[str]:
    """The data-api attribute of every form, unescaped ("POST /channels/ID/test")."""
    return [html.unescape(value) for value in re.findall(r'data-api="([^"]+)"', text)]


def email_channel(call, name="ops") -> str:
    body = {"kind": "email", "name": name, "config": {"recipients": ["ops@example.com"]}}
    return call("POST", "/channels", body)["id"]


# ---- channels ----------------------------------------------------------------------


def test_it_lists_channels_with_the_hints_of_their_secrets_only(admin, call):
    slack = call("POST", "/channels", {"kind": "slack", "name": "alerts", "config": {"url": SLACK}})

    text = page(admin, "/dashboard/channels")

    assert f'<tr id="{slack["id"]}">' in text
    assert "alerts" in text and "slack" in text and "...1234" in text
    assert "SECRETsecret" not in text
    assert "T000/B000" not in text
    assert '<span class="status up">enabled</span>' in text


def test_it_offers_a_test_button_posting_to_the_channels_test_route(admin, call):
    channel = email_channel(call)

    text = page(admin, "/dashboard/channels")

    assert f"POST /channels/{channel}/test" in forms(text)
    assert 'data-show="status" data-show-label="Test: "' in text
    assert f"PATCH /channels/{channel}" in forms(text)
    assert 'data-base="{&#34;enabled&#34;: false}"' in text
    delete = re.search(rf'<form data-api="DELETE /channels/{channel}"[^>]*>', text).group(0)
    assert "data-confirm=" in delete


def test_it_shows_a_channels_latest_deliveries(admin, call, clock):
    channel = email_channel(call)
    assert call("POST", f"/channels/{channel}/test")["status"] == "queued"

    text = page(admin, "/dashboard/channels")

    row = text[text.index(f'<tr id="{channel}">') :]
    assert '<span class="status new">queued</span>' in row
    assert "2026-11-02 09:00:00 UTC" in row and "1 mails on the outbox" in row


def test_it_has_a_create_form_whose_settings_merge_into_the_api_body(admin):
    text = page(admin, "/dashboard/channels")

    assert "POST /channels" in forms(text)
    assert re.search(r'<select id="new-kind" name="kind">.*<option>slack</option>', text)
    assert '<textarea id="new-settings" name="settings" data-json data-merge' in text
    for control in ("new-kind", "new-name", "new-default", "new-settings"):
        assert f'<label for="{control}">' in text
    # What the form sends (kind, name, default and the merged settings), through the session.
    body = {"kind": "email", "name": "team", "default": False}
    created = admin.api("POST", "/channels", {**body, "config": {"recipients": ["t@example.com"]}})
    assert created.status_code == 201
    assert "team" in page(admin, "/dashboard/channels")


def test_it_shows_a_disabled_channel_and_offers_to_enable_it(admin, call):
    channel = email_channel(call)
    assert admin.api("PATCH", f"/channels/{channel}", {"enabled": False}).status_code == 200

    text = page(admin, "/dashboard/channels")

    assert '<span class="status paused">disabled</span>' in text
    assert 'data-base="{&#34;enabled&#34;: true}"' in text


def test_it_says_how_to_create_a_channel_when_there_is_none(admin):
    text = page(admin, "/dashboard/channels")

    assert 'id="empty"' in text and "herald channels create" in text


def test_it_reads_deliveries_for_the_first_channels_only_and_links_the_others(
    admin, call, monkeypatch
):
    from chalicelib.core.channels import sending
    from chalicelib.dashboard import operations_pages

    first, second = email_channel(call, "a-first"), email_channel(call, "b-second")
    read = []
    original = sending.deliveries
    monkeypatch.setattr(sending, "deliveries", lambda i, n=100: read.append(i) or original(i, n))
    monkeypatch.setattr(operations_pages, "DETAILED", 1)

    text = page(admin, "/dashboard/channels")
    assert read == [first]
    assert f'href="/dashboard/channels?show={second}#{second}"' in text

    call("POST", f"/channels/{second}/test")
    shown = page(admin, f"/dashboard/channels?show={second}")
    assert read == [first, first, second]
    assert '<span class="status new">queued</span>' in shown[shown.index(f'<tr id="{second}">') :]


def test_it_hides_write_forms_from_a_read_only_account(reader, call):
    channel = email_channel(call)

    text = page(reader, "/dashboard/channels")

    assert channel in text and forms(text) == []
    assert reader.api("POST", f"/channels/{channel}/test").status_code == 403
    assert reader.api("PATCH", f"/channels/{channel}", {"enabled": False}).status_code == 403


# ---- site runs ---------------------------------------------------------------------


def a_run(run_id: str, failed: list[str], triggered: list[str], opted_out=()) -> str:
    """A finished run of the digest job on the site "sample" (runs have no API to create them)."""
    from chalicelib.sites import runs

    runs.create(run_id, site="sample", job="digest", period="2026-11-02")
    runs.set_listed(run_id, len(failed) + len(triggered) + len(opted_out))
    for item in failed:
        runs.outcome(run_id, item, "failed", error=f"{item}: the site answered 500")
    for item in opted_out:
        runs.outcome(run_id, item, "skipped", status=-32)
    for item in triggered:
        runs.outcome(run_id, item, "triggered", status=0)
    return run_id


def test_it_lists_runs_newest_first_with_their_failures(admin, clock):
    older = a_run("digest-sample-20261102T090000Z", [], ["alice"], opted_out=["dave"])
    clock.shift(60)
    newer = a_run("digest-sample-20261102T090100Z", ["bob"], ["carol"])

    text = page(admin, "/dashboard/runs")

    assert text.index(f'<tr id="{newer}">') < text.index(f'<tr id="{older}">')
    newest = text[text.index(f'<tr id="{newer}">') : text.index(f'<tr id="{older}">')]
    assert '<span class="status down">failed</span>' in newest
    assert "<details><summary>1 failed</summary>" in newest
    assert "bob: the site answered 500" in newest
    oldest = text[text.index(f'<tr id="{older}">') :]
    assert '<span class="status up">finished</span>' in oldest
    assert "1 skipped" in oldest and "-32 opted out" in oldest


def test_it_shows_one_run_and_refuses_a_run_id_that_is_not_one(admin, clock):
    run = a_run("digest-sample-20261102T090000Z", ["bob"], [])

    text = page(admin, f"/dashboard/runs?show={run}")
    assert '<section class="card" id="run">' in text and "bob: the site answered 500" in text

    for bad in ("digest-sample-20261102T100000Z", "..%2F..%2Fx", "a" * 300):
        assert admin.get(f"/dashboard/runs?show={bad}").status_code == 404


def test_it_says_how_to_start_a_run_when_there_is_none(admin):
    assert "herald fire send_digests" in page(admin, "/dashboard/runs")


# ---- subscriptions -----------------------------------------------------------------


@pytest.fixture
def subscription(call):
    call("POST", "/subscribers", {"id": "alice", "name": "Alice", "contacts": ["a@example.org"]})
    resources = [{"name": "Incidents", "url": "https://example.org/incidents/changes"}]
    return call("POST", "/subscriptions", {"subscriber": "alice", "resources": resources})["id"]


def test_it_lists_subscribers_and_subscriptions_with_delete_buttons(admin, subscription):
    text = page(admin, "/dashboard/subscriptions")

    assert "Alice" in text and "a@example.org" in text
    assert "Incidents" in text and "https://example.org/incidents/changes" in text
    assert "daily" in text
    assert "DELETE /subscribers/alice" in forms(text)
    assert f"DELETE /subscriptions/{subscription}" in forms(text)


def test_it_shows_subscriptions_read_only_to_a_reader(reader, subscription):
    text = page(reader, "/dashboard/subscriptions")

    assert "Alice" in text and forms(text) == []
    assert reader.api("DELETE", f"/subscriptions/{subscription}").status_code == 403


def test_it_says_how_to_subscribe_when_there_is_nobody(admin):
    text = page(admin, "/dashboard/subscriptions")

    assert "herald subscriptions subscribers create" in text and "POST /subscriptions" in text


# ---- hooks -------------------------------------------------------------------------


@pytest.fixture
def hook(call, monkeypatch, clock):
    """A web-hook on monitor.down with one successful delivery; returns its create reply."""
    from chalicelib.core import ssrf
    from chalicelib.hooks import delivery, webhooks

    monkeypatch.setattr(ssrf, "resolve", lambda host, port: ["93.184.215.14"])
    body = {"node": "monitor.down", "type": "webhook", "arg": "https://hooks.example/in"}
    created = call("POST", "/hooks", {**body, "persistent": True})
    clock.shift(5)
    event = {"id": "ev1", "type": "monitor.down", "source": "backups"}
    message = {"event": event, "delivery_id": "d1", "attempt": 1}
    delivery.record(created["id"], message, webhooks.Outcome("success", 200), "success", None)
    return created


def test_it_lists_hooks_with_their_deliveries_and_never_their_secret(admin, hook):
    text = page(admin, "/dashboard/hooks")

    row = text[text.index(f'<tr id="{hook["id"]}">') :]
    assert "monitor.down" in row and "https://hooks.example/in" in row
    assert '<span class="status up">success</span>' in row and "backups" in row
    assert hook["secret"] not in text and hook["secret"][len("whsec_") :] not in text


def test_it_offers_admins_to_disable_and_delete_a_hook(admin, hook):
    text = page(admin, "/dashboard/hooks")

    assert f"PATCH /hooks/{hook['id']}" in forms(text)
    assert f"DELETE /hooks/{hook['id']}" in forms(text)
    assert admin.api("PATCH", f"/hooks/{hook['id']}", {"enabled": False}).status_code == 200
    assert '<span class="status paused">disabled</span>' in page(admin, "/dashboard/hooks")


def test_it_shows_hooks_read_only_to_a_reader(reader, hook):
    text = page(reader, "/dashboard/hooks")

    assert hook["id"] in text and forms(text) == []
    assert reader.api("PATCH", f"/hooks/{hook['id']}", {"enabled": False}).status_code == 403


def test_it_says_how_to_create_a_hook_when_there_is_none(admin):
    assert "herald hook create" in page(admin, "/dashboard/hooks")
