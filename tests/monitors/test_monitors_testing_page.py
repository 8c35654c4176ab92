"""The testing page's HTTP side: on/off, login, slowing down, actions."""

import json

import pytest

H = {"X-Herald-Testing": "1", "Content-Type": "application/json"}


@pytest.fixture
def testing_on(monkeypatch):
    monkeypatch.setenv("HERALD_TESTING_PASSWORD", "correct horse")


PASSWORD = "correct horse"


def login(client, password=PASSWORD, headers=H):
    return client.http.post(
        "/testing/login", body=json.dumps({"password": password}), headers=headers
    )


def cookie(reply):
    return reply.headers["Set-Cookie"].split(";")[0]


def test_when_off_the_page_says_so_and_actions_are_404(client, make_monitor):
    make_monitor()
    reply = client.http.get("/")
    assert reply.status_code == 200 and b"Testing mode is off" in reply.body
    assert login(client).status_code == 404
    assert client.http.get("/testing/monitors", headers=H).status_code == 404
    assert client.http.post("/testing/monitors/backup/ping", headers=H).status_code == 404


def test_it_serves_the_page_and_needs_a_login(client, testing_on):
    reply = client.http.get("/")
    assert reply.status_code == 200 and b"Testing password" in reply.body
    assert client.http.get("/testing/monitors", headers=H).status_code == 401


def test_a_wrong_password_is_401_and_a_right_one_gives_a_session(client, testing_on, make_monitor):
    make_monitor()
    assert login(client, "wrong").status_code == 401
    reply = login(client)
    assert reply.status_code == 200
    assert "HttpOnly" in reply.headers["Set-Cookie"]
    assert "SameSite=Strict" in reply.headers["Set-Cookie"]
    listed = client.http.get("/testing/monitors", headers={**H, "Cookie": cookie(reply)})
    assert listed.status_code == 200
    [row] = listed.json_body["monitors"]
    assert set(row) == {"name", "status", "last_ping", "next_deadline", "max_sleep"}


def test_actions_need_the_header_and_a_valid_session(client, testing_on, make_monitor, clock):
    make_monitor()
    session = cookie(login(client))
    assert client.http.get("/testing/monitors", headers={"Cookie": session}).status_code == 401
    forged = session[:-1] + ("0" if session[-1] != "0" else "1")
    assert client.http.get("/testing/monitors", headers={**H, "Cookie": forged}).status_code == 401
    clock.shift(13 * 3600)
    assert client.http.get("/testing/monitors", headers={**H, "Cookie": session}).status_code == 401


def test_changing_the_password_ends_sessions(client, testing_on, make_monitor, monkeypatch):
    session = cookie(login(client))
    monkeypatch.setenv("HERALD_TESTING_PASSWORD", "another")
    assert client.http.get("/testing/monitors", headers={**H, "Cookie": session}).status_code == 401


def test_repeated_failures_are_slowed_down(client, testing_on, clock):
    for _ in range(5):
        assert login(client, "guess").status_code == 401
    reply = login(client)  # even the right password must wait now
    assert reply.status_code == 429
    first_wait = int(reply.headers["Retry-After"])
    clock.shift(first_wait)
    assert login(client, "guess").status_code == 401
    reply = login(client)
    assert reply.status_code == 429
    assert int(reply.headers["Retry-After"]) > first_wait  # waits grow
    clock.shift(int(reply.headers["Retry-After"]))
    assert login(client).status_code == 200
    assert login(client, "guess").status_code == 401  # a success resets the count


def test_ping_now_pings_the_monitor(client, testing_on, make_monitor, clock):
    from chalicelib.monitors import store as monitors

    make_monitor()
    session = cookie(login(client))
    reply = client.http.post("/testing/monitors/backup/ping", headers={**H, "Cookie": session})
    assert reply.status_code == 200
    assert monitors.get("backup")["status"] == "up"
    reply = client.http.post("/testing/monitors/nobody/ping", headers={**H, "Cookie": session})
    assert reply.status_code == 404
