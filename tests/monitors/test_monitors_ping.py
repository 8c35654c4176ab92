import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Every ping here arrives through the REST API and through the ping door's
# function URL, each in its own event format (tests/ping_door.py).
pytestmark = pytest.mark.both_doors


def test_it_answers_the_original_form_with_the_time(client, make_monitor, clock):
    monitor = make_monitor()
    reply = client.http.get(f"/ping?username=backup&key={monitor['key']}")
    assert reply.status_code == 200
    assert reply.body.decode() == "26/11/02 09:00:00"


@pytest.mark.parametrize("method", ["GET", "POST", "HEAD"])
def test_it_accepts_get_post_and_head_on_every_form(client, make_monitor, clock, method):
    monitor = make_monitor()
    for path in (
        f"/ping/{monitor['uuid']}",
        f"/ping/{monitor['key']}/backup",
        f"/ping?username=backup&key={monitor['key']}",
    ):
        reply = client.http.request(method, path, body=b"")
        assert reply.status_code == 200, (path, reply.body)
        assert reply.headers["Access-Control-Allow-Origin"] == "*"
        assert reply.headers["Ping-Body-Limit"] == "10000"


def test_it_answers_ok_on_healthchecks_forms(client, make_monitor, clock):
    monitor = make_monitor()
    for suffix in ("", "/start", "/fail", "/log", "/0", "/1", "/255"):
        for prefix in (f"/ping/{monitor['uuid']}", f"/ping/{monitor['key']}/backup"):
            reply = client.http.get(prefix + suffix)
            assert (reply.status_code, reply.body) == (200, b"OK"), prefix + suffix


def test_it_takes_the_key_from_a_header(client, make_monitor, clock):
    make_monitor()
    from chalicelib.monitors import store as monitors

    reply = client.http.get(
        "/ping?username=backup", headers={"X-Ping-Key": monitors.ping_key("backup")}
    )
    assert reply.status_code == 200


def _error(reply):
    body = json.loads(reply.body)
    assert reply.headers["Content-Type"] == "application/json"
    return reply.status_code, body["Message"]


def test_it_answers_404_for_an_unknown_monitor_only_to_whoever_holds_its_key(client, make_monitor):
    from chalicelib.monitors import store

    monitor, key = make_monitor(), store.ping_key("nobody")
    assert _error(client.http.get(f"/ping?username=nobody&key={key}"))[0] == 404
    assert _error(client.http.get("/ping/6f1e0b8e-2d55-4e8a-9a3c-2b9f0c1d2e3f"))[0] == 404
    assert _error(client.http.get(f"/ping/{key}/nobody"))[0] == 404
    # Without it, an unknown name and a known one look alike: no list of names.
    for unknown, known in [
        ("/ping?username=nobody", "/ping?username=backup"),
        ("/ping?username=nobody&key=x", "/ping?username=backup&key=x"),
        (f"/ping/{monitor['key']}/nobody", "/ping/x/backup"),
    ]:
        assert _error(client.http.get(unknown))[0] == _error(client.http.get(known))[0] == 403


def test_it_answers_403_for_a_missing_or_wrong_key(client, make_monitor):
    monitor = make_monitor()
    status, message = _error(client.http.get("/ping?username=backup"))
    assert status == 403 and "missing ping key" in message
    status, message = _error(client.http.get("/ping?username=backup&key=wrong"))
    assert status == 403 and "wrong ping key" in message
    assert _error(client.http.get(f"/ping/{monitor['key']}x/backup"))[0] == 403


def test_it_lets_anyone_ping_a_monitor_created_without_key(client, make_monitor):
    make_monitor(require_key=False)
    assert client.http.get("/ping?username=backup").status_code == 200


def test_it_answers_400_for_a_bad_exit_status_or_url(client, make_monitor):
    monitor = make_monitor()
    status, message = _error(client.http.get(f"/ping/{monitor['uuid']}/256"))
    assert status == 400 and "exit status 256" in message
    assert _error(client.http.get(f"/ping/{monitor['key']}/backup/nope"))[0] == 400
    assert _error(client.http.get(f"/ping/{monitor['key']}/backup/-1"))[0] == 400
    assert _error(client.http.get("/ping/not-a-uuid"))[0] == 400
    assert _error(client.http.get("/ping"))[0] == 400


def test_a_wrong_key_changes_nothing(client, make_monitor):
    from chalicelib.monitors import store as monitors

    make_monitor()
    before = monitors.get("backup")
    client.http.get("/ping?username=backup&key=wrong")
    assert monitors.get("backup") == before


def _entries(name):
    from datetime import date

    from chalicelib.monitors import logs as ping_log
    from chalicelib.monitors import store

    return ping_log.entries(store.get(name), date(2026, 11, 2))


def test_it_logs_each_ping_with_its_details(client, make_monitor, clock):
    monitor = make_monitor()
    client.http.request(
        "POST",
        f"/ping/{monitor['uuid']}/3",
        body=b"x" * 12000,
        headers={"User-Agent": "cron/1.0", "Content-Type": "text/plain"},
    )
    [entry] = _entries("backup")
    assert entry["kind"] == "fail"
    assert entry["exit_status"] == 3
    assert entry["method"] == "POST"
    assert entry["user_agent"] == "cron/1.0"
    from chalicelib.monitors import ping_bodies

    assert len(ping_bodies.text(entry)) == 10000 and entry["body_bytes"] == 10001
    assert entry["source_ip"]
    assert entry["t"] == 1793610000


def test_log_entries_expire_after_the_retention(client, make_monitor, clock, monkeypatch):
    from chalicelib.core import clock as herald_clock
    from chalicelib.monitors import pings

    monitor = make_monitor()
    client.http.get(f"/ping/{monitor['uuid']}")
    [entry] = _entries("backup")
    assert entry["expires_at"] == int(herald_clock.epoch()) + 90 * 86400
    monkeypatch.setenv("PING_LOG_RETENTION_DAYS", "7")
    assert pings.retention_days() == 7


def test_a_start_then_success_records_the_duration(client, make_monitor, clock):
    monitor = make_monitor()
    client.http.get(f"/ping/{monitor['uuid']}/start")
    clock.shift(42)
    client.http.get(f"/ping/{monitor['uuid']}")
    start, done = sorted(_entries("backup"), key=lambda e: e["seq"])
    assert start["kind"] == "start" and "duration" not in start
    assert done["duration"] == 42


def test_a_log_ping_changes_no_state(client, make_monitor, clock):
    from chalicelib.monitors import store as monitors

    monitor = make_monitor()
    client.http.get(f"/ping/{monitor['uuid']}")
    before = monitors.get("backup")
    clock.shift(10)
    client.http.get(f"/ping/{monitor['uuid']}/log")
    after = monitors.get("backup")
    ignore = {"pings", "last_ping_kind"}
    assert {k: v for k, v in after.items() if k not in ignore} == {
        k: v for k, v in before.items() if k not in ignore
    }
    assert len(_entries("backup")) == 2


def test_it_accepts_names_with_spaces_in_every_form(client, make_monitor, clock):
    monitor = make_monitor("kitchen pi")
    assert client.http.get(f"/ping/{monitor['key']}/kitchen%20pi").status_code == 200
    assert client.http.get(f"/ping/{monitor['key']}/kitchen%20pi/fail").status_code == 200
    reply = client.http.get(f"/ping?username=kitchen%20pi&key={monitor['key']}")
    assert reply.status_code == 200


segments = st.lists(
    st.one_of(
        st.sampled_from(
            ["start", "fail", "log", "0", "255", "256", "-1", "%20", "..", "UUID", "KEY"]
        ),
        st.text(alphabet="abcXYZ019-_.~%", min_size=1, max_size=12),
    ),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(parts=segments, method=st.sampled_from(["GET", "POST", "HEAD"]))
def test_no_ping_url_gives_a_server_error(client, make_monitor, parts, method):
    monitor = make_monitor()
    path = "/".join(
        monitor["uuid"] if p == "UUID" else monitor["key"] if p == "KEY" else p for p in parts
    )
    reply = client.http.request(method, f"/ping/{path}", body=b"")
    assert reply.status_code in (200, 400, 403, 404), (path, reply.body)
    if reply.status_code != 200 and method != "HEAD":
        assert json.loads(reply.body)["Message"]


def test_require_key_false_opens_only_the_original_form(client, make_monitor, clock):
    make_monitor(require_key=False)
    assert client.http.get("/ping?username=backup").status_code == 200
    assert client.http.get("/ping?username=backup&key=wrong").status_code == 403
    assert _error(client.http.get("/ping/wrong/backup"))[0] == 403
    assert _error(client.http.get("/ping/wrong/backup/fail"))[0] == 403


def test_a_head_ping_answers_headers_only(client, make_monitor, clock):
    monitor = make_monitor()
    reply = client.http.request("HEAD", f"/ping/{monitor['uuid']}", body=b"")
    assert (reply.status_code, reply.body) == (200, b"")
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert len(_entries("backup")) == 1


def test_error_replies_carry_the_ping_headers(client, make_monitor):
    make_monitor()
    for path in ("/ping?username=nobody&key=x", "/ping?username=backup", "/ping/x/backup/999"):
        reply = client.http.get(path)
        assert reply.headers["Access-Control-Allow-Origin"] == "*", path
        assert reply.headers["Ping-Body-Limit"] == "10000", path


@pytest.mark.parametrize(
    "content_type", ["text/html", "application/xml", "text/csv", "image/png", "nonsense"]
)
def test_it_accepts_a_ping_whatever_its_content_type(client, make_monitor, clock, content_type):
    monitor = make_monitor()
    reply = client.http.post(
        f"/ping/{monitor['uuid']}", body=b"<p>done</p>", headers={"Content-Type": content_type}
    )
    assert reply.status_code == 200
    assert reply.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "form", ["/ping?username=backup", "/ping/{uuid}", "/ping/{key}/backup/fail"]
)
def test_it_answers_a_browsers_preflight_on_every_ping_url(client, make_monitor, form):
    monitor = make_monitor()
    path = form.format(uuid=monitor["uuid"], key=monitor["key"])
    reply = client.http.request(
        "OPTIONS",
        path,
        body=b"",
        headers={"Origin": "https://example.org", "Access-Control-Request-Headers": "x-ping-key"},
    )
    assert reply.status_code == 204
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Ping-Key" in reply.headers["Access-Control-Allow-Headers"]
    assert "POST" in reply.headers["Access-Control-Allow-Methods"]
    assert _entries("backup") == []  # a preflight is not a ping
