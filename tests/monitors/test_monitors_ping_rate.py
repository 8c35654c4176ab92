"""One monitor pinged in a loop: 429 past its burst, nothing written, no one else slowed."""

import json
from datetime import date

import pytest

from tests.helpers import dynamodb_requests


@pytest.fixture
def limited(monkeypatch, clock):
    """The deployment's default limit (1 ping a second, 5 at once), fresh memory."""
    from chalicelib.monitors import ping_rate

    monkeypatch.setenv("HERALD_PING_RATE", "1")
    ping_rate._refused.clear()
    yield clock
    ping_rate._refused.clear()


def _stored(name="backup"):
    from chalicelib.monitors import store

    return store.get(name)


def test_it_answers_429_with_retry_after_once_the_burst_is_spent(make_monitor, ping, limited):
    monitor = make_monitor()
    assert [ping(monitor).status_code for _ in range(5)] == [200] * 5
    reply = ping(monitor)
    assert reply.status_code == 429
    assert reply.headers["Retry-After"] == "5"
    assert "at most 5 pings in 5 seconds" in json.loads(reply.body)["Message"]


def test_it_lets_a_job_start_log_and_finish_within_one_second(make_monitor, ping, limited):
    monitor = make_monitor()
    for suffix in ("start", "log", ""):
        assert ping(monitor, suffix).status_code == 200
        limited.shift(0.1)


def test_a_refused_ping_writes_nothing(make_monitor, ping, limited):
    from chalicelib.monitors import logs

    monitor = make_monitor()
    for _ in range(5):
        ping(monitor, body=b"ok")
    before = _stored()
    assert ping(monitor, "fail", body=b"boom").status_code == 429
    assert _stored() == before  # not down, not counted, no excerpt
    assert [entry["kind"] for entry in logs.entries(before, date(2026, 11, 2))] == ["success"] * 5


def test_it_costs_one_dynamodb_request_then_none(make_monitor, ping, limited):
    monitor = make_monitor()
    for _ in range(5):
        ping(monitor)
    with dynamodb_requests() as calls:
        assert ping(monitor).status_code == 429
    assert calls == ["UpdateItem"]
    with dynamodb_requests() as calls:
        assert ping(monitor).status_code == 429
    assert calls == []  # this process remembers the refusal until its Retry-After


def test_it_takes_pings_again_after_the_window(make_monitor, ping, limited):
    monitor = make_monitor()
    for _ in range(6):
        ping(monitor)
    limited.shift(5)
    assert ping(monitor).status_code == 200
    assert _stored()["pings"] == 6


def test_it_never_slows_another_monitor(make_monitor, ping, limited):
    busy, quiet = make_monitor("busy"), make_monitor("quiet")
    for _ in range(20):
        ping(busy)
    assert ping(quiet).status_code == 200
    assert _stored("busy")["pings"] == 5


def test_a_wrong_key_still_gets_403_while_the_monitor_is_limited(make_monitor, limited, client):
    monitor = make_monitor()
    for _ in range(6):
        client.http.get(f"/ping/{monitor['key']}/backup")
    wrong = client.http.get("/ping/aaaaaaaaaaaaaaaaaaaaaa/backup")
    assert wrong.status_code == 403
    assert client.http.get(f"/ping/{monitor['key']}/backup").status_code == 429
