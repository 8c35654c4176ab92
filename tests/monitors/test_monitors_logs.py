"""GET /logs (the original's form) and GET /monitors/NAME/pings."""

import pytest


@pytest.fixture
def pinged(make_monitor, ping, clock):
    monitor = make_monitor()
    ping(monitor)
    clock.shift(3661)
    ping(monitor)
    return monitor


def test_it_lists_the_days_ping_times_oldest_first(client, pinged):
    reply = client.http.get(f"/logs?username=backup&year=26&month=11&day=02&key={pinged['key']}")
    assert reply.status_code == 200
    assert reply.json_body == ["09:00:00", "10:01:01"]


@pytest.mark.parametrize(
    "query", ["year=2026&month=11&day=2", "year=26&month=11&day=02", "year=2026&month=11&day=02"]
)
def test_it_accepts_two_or_four_digit_years_and_optional_zeros(client, pinged, query):
    reply = client.http.get(f"/logs?username=backup&{query}", headers={"X-Ping-Key": pinged["key"]})
    assert reply.json_body == ["09:00:00", "10:01:01"]


def test_a_day_without_pings_is_an_empty_list(client, pinged):
    reply = client.http.get(f"/logs?username=backup&year=26&month=11&day=3&key={pinged['key']}")
    assert (reply.status_code, reply.json_body) == (200, [])


def test_an_unknown_monitor_is_404_and_an_impossible_date_400(client, pinged):
    from chalicelib.monitors import store

    reply = client.http.get("/logs?username=nobody&year=26&month=11&day=3&key=x")
    assert reply.status_code == 403  # no credential for it: unknown and known look alike
    key = store.ping_key("nobody")
    reply = client.http.get(f"/logs?username=nobody&year=26&month=11&day=3&key={key}")
    assert reply.status_code == 404
    reply = client.http.get(f"/logs?username=backup&year=26&month=2&day=30&key={pinged['key']}")
    assert reply.status_code == 400 and "no such date" in reply.json_body["Message"]
    reply = client.http.get(f"/logs?username=backup&year=026&month=2&day=3&key={pinged['key']}")
    assert reply.status_code == 400


def test_it_needs_a_key_an_api_key_or_a_signed_link(client, pinged, read_only_key, clock):
    from datetime import date

    from chalicelib.monitors import links as logs_links

    base = "/logs?username=backup&year=26&month=11&day=2"
    assert client.http.get(base).status_code == 403
    assert client.http.get(base + "&key=wrong").status_code == 403
    assert client.http.get(base, headers=read_only_key).status_code == 200
    link = logs_links.link("backup", date(2026, 11, 2)).removeprefix("http://herald.test")
    assert client.http.get(link).status_code == 200
    assert client.http.get(link.replace("sig=", "sig=0")).status_code == 403
    other_day = logs_links.link("backup", date(2026, 11, 1)).removeprefix("http://herald.test")
    assert client.http.get(other_day.replace("day=01", "day=02")).status_code == 403
    clock.shift(31 * 86400)
    assert client.http.get(link).status_code == 403


def test_it_skips_entries_past_their_expiry(client, pinged, clock, read_only_key):
    clock.shift(91 * 86400)
    reply = client.http.get("/logs?username=backup&year=26&month=11&day=2", headers=read_only_key)
    assert reply.json_body == []


def test_the_api_gives_the_full_entries(client, pinged, read_only_key):
    reply = client.http.get("/monitors/backup/pings?date=2026-11-02", headers=read_only_key)
    assert reply.status_code == 200
    pings = reply.json_body["pings"]
    assert [p["time"] for p in pings] == [
        "2026-11-02T09:00:00.000000Z",
        "2026-11-02T10:01:01.000000Z",
    ]
    assert pings[0]["kind"] == "success" and pings[0]["method"] == "GET"
    assert (
        client.http.get("/monitors/backup/pings?date=nope", headers=read_only_key).status_code
        == 400
    )
    assert client.http.get("/monitors/backup/pings").status_code == 401
