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
    assert set(row) == {
        "name",
        "status",
        "last_ping",
        "next_deadline",
        "max_sleep",
        "schedule",
        "ping_every",
    }


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


class _Request:
    """What login() reads of a request, for callers outside Chalice's one
    shared current_request (threads would overwrite each other's)."""

    def __init__(self, password):
        self.headers = {"x-herald-testing": "1"}
        self.raw_body = json.dumps({"password": password}).encode()
        self.context = {"identity": {"sourceIp": "203.0.113.9"}}


def _answer(password):
    from chalicelib.core import errors, http
    from chalicelib.monitors import testing_page

    try:
        return testing_page.login(_Request(password))
    except errors.HeraldError as error:
        return http.error_reply(error)


@pytest.fixture
def compared(testing_on, monkeypatch):
    """Every password the login compares, in order."""
    from chalicelib.monitors import testing_page

    seen, original = [], testing_page._matches

    def counting(given, secret):
        seen.append(given)
        return original(given, secret)

    monkeypatch.setattr(testing_page, "_matches", counting)
    return seen


@pytest.fixture
def first_calls_together(moto_one_call_at_a_time, monkeypatch):
    """Each of 40 threads' first AWS call waits until all 40 have made theirs:
    every guess reaches DynamoDB at once, the interleaving a read-then-write
    count loses, on every run (threads alone hit it only sometimes)."""
    import threading

    from moto.core.botocore_stubber import BotocoreStubber

    together, first, serialised = threading.Barrier(40), threading.local(), BotocoreStubber.__call__

    def wait_for_all(self, event_name, request, **kwargs):
        if not getattr(first, "done", False):
            first.done = True
            together.wait(timeout=60)  # a broken barrier fails the test, never hangs it
        return serialised(self, event_name, request, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", wait_for_all)


def test_it_compares_at_most_5_of_40_parallel_guesses(aws, compared, clock, first_calls_together):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(40) as pool:
        replies = list(pool.map(lambda number: _answer(f"guess {number}"), range(40)))
    statuses = sorted(reply.status_code for reply in replies)
    assert len(compared) <= 5
    assert statuses.count(401) == len(compared)
    refused = [reply for reply in replies if reply.status_code == 429]
    assert len(refused) == 40 - len(compared)
    assert all(int(reply.headers["Retry-After"]) >= 1 for reply in refused)


def test_a_guess_made_while_another_is_compared_is_counted_first(aws, compared, clock, monkeypatch):
    # The interleaving that read-then-write lost: every guess arrives while
    # the one before it is still being compared.
    from chalicelib.monitors import testing_page

    replies, guesses, counting = [], iter(range(1, 40)), testing_page._matches

    def meanwhile(given, secret):
        for number in guesses:
            replies.append(_answer(f"guess {number}"))
        return counting(given, secret)

    monkeypatch.setattr(testing_page, "_matches", meanwhile)
    replies.append(_answer("guess 0"))
    assert len(compared) == 5
    assert sorted(reply.status_code for reply in replies) == [401] * 5 + [429] * 35


def test_refused_attempts_never_compare_the_password_even_the_right_one(client, compared, clock):
    for _ in range(5):
        assert login(client, "guess").status_code == 401
    reply = login(client)
    assert reply.status_code == 429 and int(reply.headers["Retry-After"]) == 2
    assert compared == ["guess"] * 5
    clock.shift(2)
    assert login(client).status_code == 200
    assert compared == ["guess"] * 5 + [PASSWORD]


def test_failures_are_forgotten_an_hour_after_the_last_attempt(client, testing_on, clock):
    for _ in range(6):
        login(client, "guess")
    assert login(client, "guess").status_code == 429
    clock.shift(3600)
    for _ in range(5):
        assert login(client, "guess").status_code == 401
    assert login(client, "guess").status_code == 429
