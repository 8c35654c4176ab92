"""Public status pages and their badges: what anyone with the URL sees, and
how an operator makes and ends them (API, dashboard, command line)."""

import json
import re
import xml.etree.ElementTree as ElementTree

from click.testing import CliRunner

SVG = "{http://www.w3.org/2000/svg}"


def _create(client, headers, **body):
    return client.http.post(
        "/status-pages",
        headers={**headers, "content-type": "application/json"},
        body=json.dumps(body),
    )


def _page(client, headers, **body) -> dict:
    reply = _create(client, headers, **body)
    assert reply.status_code in (200, 201), reply.body
    return json.loads(reply.body)


def _path(url: str) -> str:
    return url.removeprefix("http://herald.test")


def _up(client, name="backup"):
    from chalicelib.monitors import store

    assert client.http.get(f"/ping/{store.uuid_for(name)}").status_code == 200


def _down(clock):
    from chalicelib.monitors import checker

    clock.shift(3600)
    checker.run()


def _badge_text(client, page: dict) -> list[str]:
    reply = client.http.get(_path(page["badges"]["svg"]))
    assert reply.status_code == 200, reply.body
    root = ElementTree.fromstring(reply.body)  # noqa: S314 (Herald's own reply)
    assert root.tag == f"{SVG}svg"
    return [text.text for text in root.iter(f"{SVG}text")]


# ---- what the public sees ------------------------------------------------------------


def test_it_shows_a_monitor_by_its_unguessable_url_without_sign_in(client, clock, api_key, monitor):
    _up(client)
    page = _page(client, api_key, monitor="backup", title="Nightly backup")
    assert re.fullmatch(r"http://herald\.test/status/[A-Za-z0-9_-]{24}", page["url"])
    reply = client.http.get(_path(page["url"]))
    assert reply.status_code == 200
    html = reply.body.decode()
    assert "Nightly backup" in html and ">up<" in html
    assert 'class="bars"' in html and "just now" in html
    assert reply.headers["X-Robots-Tag"] == "noindex"


def test_a_monitor_page_is_headed_by_the_monitors_title_unless_it_has_its_own(
    client, clock, api_key, make_monitor
):
    make_monitor("cellar", title="Cellar sensor")
    page = _page(client, api_key, monitor="cellar")
    html = client.http.get(_path(page["url"])).body.decode()
    assert "<title>Cellar sensor · Herald</title>" in html
    assert _badge_text(client, page) == ["cellar", "new"]


def test_it_never_shows_ping_urls_addresses_or_settings(client, clock, api_key, monitor):
    from chalicelib.monitors import store

    _up(client)
    page = _page(client, api_key, monitor="backup")
    html = client.http.get(_path(page["url"])).body.decode()
    for secret in ("o@example.com", "/ping/", store.uuid_for("backup"), store.ping_key("backup")):
        assert secret not in html
    assert "600" not in html and "email" not in html.lower()
    badge = client.http.get(_path(page["badges"]["json"])).body.decode()
    assert "o@example.com" not in badge and "/ping/" not in badge


def test_its_html_has_no_inline_script_or_style(client, clock, api_key, monitor):
    page = _page(client, api_key, tag="db")
    html = client.http.get(_path(page["url"])).body.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(" src=" in script for script in scripts)
    assert "style=" not in html and "<style" not in html
    assert (
        "default-src 'none'"
        in client.http.get(_path(page["url"])).headers["Content-Security-Policy"]
    )


def test_it_answers_404_for_an_unknown_or_deleted_page(client, clock, api_key, monitor):
    page = _page(client, api_key, monitor="backup")
    token = page["token"]
    deleted = client.http.delete(f"/status-pages/{token}", headers=api_key)
    assert deleted.status_code == 200 and json.loads(deleted.body) == {"deleted": token}
    for path in (f"/status/{token}", "/status/nothing-here", "/status/" + "x" * 300):
        gone = client.http.get(path)
        assert gone.status_code == 404 and "text/html" in gone.headers["Content-Type"]
        assert "Not found" in gone.body.decode()
    for form in ("badge.svg", "badge.json", "shields.json"):
        gone = client.http.get(f"/status/{token}/{form}")
        assert gone.status_code == 404
        assert json.loads(gone.body)["Code"] == "NotFoundError"
    again = client.http.delete(f"/status-pages/{token}", headers=api_key)
    assert again.status_code == 404


def test_a_monitor_page_ends_with_its_monitor(client, clock, api_key, monitor):
    from chalicelib.monitors import admin

    page = _page(client, api_key, monitor="backup")
    assert admin.delete("backup")
    assert client.http.get(_path(page["url"])).status_code == 404
    assert client.http.get(_path(page["badges"]["svg"])).status_code == 404


# ---- badges --------------------------------------------------------------------------


def test_its_svg_badge_is_valid_xml_naming_the_status(client, clock, api_key, monitor):
    _up(client)
    page = _page(client, api_key, monitor="backup")
    reply = client.http.get(_path(page["badges"]["svg"]))
    assert reply.headers["Content-Type"] == "image/svg+xml"
    assert reply.headers["Cache-Control"] == "public, max-age=60"
    assert _badge_text(client, page) == ["backup", "up"]
    _down(clock)
    assert _badge_text(client, page) == ["backup", "down"]


def test_its_shields_endpoint_matches_the_shields_schema(client, clock, api_key, monitor):
    _up(client)
    page = _page(client, api_key, tag="db", title="Databases")
    reply = client.http.get(_path(page["badges"]["shields"]))
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.headers["Cache-Control"] == "public, max-age=60"
    body = json.loads(reply.body)
    assert body == {"schemaVersion": 1, "label": "Databases", "message": "up", "color": "1f8a4c"}
    assert page["badges"]["shields_io"].startswith("https://img.shields.io/endpoint?url=http%3A")


def test_a_tag_badge_turns_down_when_one_of_its_monitors_is_down(
    client, clock, api_key, monitor, make_monitor
):
    make_monitor("restore", max_sleep=86400, tags=["db"])
    make_monitor("elsewhere", max_sleep=60, tags=["web"])
    _up(client)
    _up(client, "restore")
    _up(client, "elsewhere")
    page = _page(client, api_key, tag="db")
    badge = json.loads(client.http.get(_path(page["badges"]["json"])).body)
    assert badge == {"status": "up", "total": 2, "late": 0, "down": 0}
    _down(clock)
    badge = json.loads(client.http.get(_path(page["badges"]["json"])).body)
    assert badge == {"status": "down", "total": 2, "late": 0, "down": 1}
    assert _badge_text(client, page) == ["db", "down"]
    html = client.http.get(_path(page["url"])).body.decode()
    assert "restore" in html and "backup" in html and "elsewhere" not in html


def test_a_tag_nobody_carries_says_no_monitors(client, clock, api_key, aws):
    page = _page(client, api_key, tag="nobody")
    assert _badge_text(client, page) == ["nobody", "no monitors"]
    assert json.loads(client.http.get(_path(page["badges"]["json"])).body)["total"] == 0
    assert "No monitor carries this tag" in client.http.get(_path(page["url"])).body.decode()


# ---- the management API ----------------------------------------------------------------


def test_it_creates_a_page_once_per_monitor_or_tag(client, clock, api_key, monitor):
    first = _create(client, api_key, monitor="backup")
    assert first.status_code == 201
    again = _create(client, api_key, monitor="backup", title="other")
    assert again.status_code == 200 and json.loads(again.body) == json.loads(first.body)
    tag = _page(client, api_key, tag="backup")  # a tag of the same name is another page
    listed = json.loads(client.http.get("/status-pages", headers=api_key).body)["status_pages"]
    assert sorted(p["token"] for p in listed) == sorted(
        [json.loads(first.body)["token"], tag["token"]]
    )


def test_it_refuses_unknown_fields_and_bad_targets(client, clock, api_key, monitor):
    cases = [
        ({"monitor": "backup", "colour": "red"}, 400, "colour"),
        ({}, 400, "monitor"),
        ({"monitor": "backup", "tag": "db"}, 400, "monitor"),
        ({"monitor": 7}, 400, "monitor"),
        ({"monitor": "nobody"}, 404, "monitor"),
        ({"tag": "two words"}, 400, "tag"),
        ({"tag": "db", "title": "x" * 101}, 400, "title"),
        ({"tag": "db", "title": "one\nline"}, 400, "title"),
    ]
    for body, status, field in cases:
        reply = _create(client, api_key, **body)
        assert reply.status_code == status, (body, reply.body)
        assert json.loads(reply.body)["field"] == field, body
    assert json.loads(client.http.get("/status-pages", headers=api_key).body) == {
        "status_pages": []
    }


def test_read_only_callers_may_list_but_not_change(client, clock, api_key, read_only_key, monitor):
    assert _create(client, read_only_key, monitor="backup").status_code == 403
    page = _page(client, api_key, monitor="backup")
    assert client.http.get("/status-pages", headers=read_only_key).status_code == 200
    refused = client.http.delete(f"/status-pages/{page['token']}", headers=read_only_key)
    assert refused.status_code == 403
    assert client.http.get("/status-pages").status_code == 401


# ---- the dashboard -------------------------------------------------------------------


def test_the_dashboard_lists_pages_with_urls_badges_and_forms(client, admin, monitor):
    made = admin.api("POST", "/status-pages", {"monitor": "backup"})
    assert made.status_code == 201, made.body
    page = json.loads(made.body)
    html = admin.get("/dashboard/status-pages").body.decode()
    assert f'<code id="url-{page["token"]}">{page["url"]}</code>' in html
    assert f'data-copy="svg-{page["token"]}"' in html
    assert f'<img src="{page["badges"]["svg"]}"' in html
    assert 'data-api="POST /status-pages"' in html
    assert f'data-api="DELETE /status-pages/{page["token"]}"' in html
    assert "style=" not in html
    assert admin.api("DELETE", f"/status-pages/{page['token']}").status_code == 200


def test_a_read_only_account_sees_pages_but_no_forms_and_cannot_create(
    client, admin, reader, monitor
):
    admin.api("POST", "/status-pages", {"tag": "db"})
    html = reader.get("/dashboard/status-pages").body.decode()
    assert "/status/" in html and "data-api" not in html
    assert reader.api("POST", "/status-pages", {"monitor": "backup"}).status_code == 403


# ---- the command line ----------------------------------------------------------------


def _cli(*args):
    from herald.cli.status_pages import status_pages

    return CliRunner().invoke(status_pages, list(args), obj={"stage": "dev"})


def test_the_cli_creates_lists_and_deletes(client, clock, monitor):
    made = _cli("create", "--monitor", "backup", "--title", "Backups")
    assert made.exit_code == 0, made.output
    token = re.match(r"^([A-Za-z0-9_-]{24})  monitor backup  'Backups'", made.output).group(1)
    assert f"/status/{token}/badge.svg" in made.output
    assert "exists already" in _cli("create", "--monitor", "backup").output
    assert token in _cli("list").output
    assert client.http.get(f"/status/{token}").status_code == 200
    assert _cli("delete", token).output == f"{token}: deleted\n"
    assert client.http.get(f"/status/{token}").status_code == 404
    assert _cli("list").output == ""


def test_the_cli_says_what_is_wrong(client, clock, monitor):
    both = _cli("create", "--monitor", "backup", "--tag", "db")
    assert both.exit_code == 2 and "one of them" in both.output
    nobody = _cli("create", "--monitor", "nobody")
    assert nobody.exit_code == 1 and "no monitor named 'nobody'" in nobody.output
    gone = _cli("delete", "x" * 24)
    assert gone.exit_code == 1 and "no status page" in gone.output


def test_a_page_asked_again_within_a_minute_costs_one_read_then_is_worked_out_anew(
    client, api_key, monitor, clock
):
    from tests.helpers import dynamodb_requests

    page = _page(client, api_key, tag="db")
    path = _path(page["url"])
    with dynamodb_requests() as first:
        assert client.http.get(path).status_code == 200
    with dynamodb_requests() as again:
        assert client.http.get(path).status_code == 200
    assert again == ["GetItem"] and len(first) > 1  # only the page's own record
    _up(client)
    clock.shift(61)
    assert ">up<" in client.http.get(path).body.decode()
