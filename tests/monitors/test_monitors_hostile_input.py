"""Hostile input on every route: a 4xx with a JSON body saying what is wrong, never a 500."""

import json

import pytest

SETTINGS = {"max_sleep": 120, "email_frequency": 600, "device_email": "ops@example.com"}
ODD = ["é", "\u202e", "²", "٣", "a" * 5000, "%00", "%ff", "💥", "1e999"]


@pytest.fixture
def known(make_monitor, ping, clock):
    monitor = make_monitor()
    ping(monitor)
    return monitor


def _refused(reply, method="GET"):
    assert 400 <= reply.status_code < 500, (reply.status_code, reply.body[:300])
    if method != "HEAD":
        assert json.loads(reply.body)["Message"]


@pytest.mark.parametrize("odd", ODD)
def test_logs_refuse_odd_parameters(client, known, odd):
    base = {"username": "backup", "year": "26", "month": "11", "day": "2", "key": known["key"]}
    for field in ("username", "year", "month", "day"):
        query = "&".join(f"{k}={odd if k == field else v}" for k, v in base.items())
        reply = client.http.get(f"/logs?{query}")
        assert reply.status_code < 500, (field, reply.body[:300])
    for extra in (f"expires={odd}&sig=x", f"expires=9999999999&sig={odd}", f"key={odd}"):
        reply = client.http.get(f"/logs?username=backup&year=26&month=11&day=2&{extra}")
        _refused(reply)


@pytest.mark.both_doors  # the REST API and the ping door's function URL refuse alike
@pytest.mark.parametrize("odd", ODD)
def test_pings_refuse_odd_names_keys_and_suffixes(client, known, odd):
    for path in (
        f"/ping?username={odd}&key={known['key']}",
        f"/ping?username=backup&key={odd}",
        f"/ping/{known['key']}/{odd}",
        f"/ping/{known['uuid']}/{odd}",
        f"/ping/{odd}",
    ):
        _refused(client.http.get(path))
    reply = client.http.get("/ping?username=backup", headers={"X-Ping-Key": odd[:100]})
    _refused(reply)


BAD_SETTINGS = [
    [],
    "text",
    None,
    42,
    {**SETTINGS, "max_sleep": "60"},
    {**SETTINGS, "max_sleep": 1e308},
    {**SETTINGS, "max_sleep": 10**40},
    {**SETTINGS, "max_sleep": True},
    {**SETTINGS, "email_frequency": -5},
    {**SETTINGS, "device_email": []},
    {**SETTINGS, "device_email": [1, 2]},
    {**SETTINGS, "device_email": {"a": "b"}},
    {**SETTINGS, "device_email": ["a@example.com"] * 1000 + [f"x{i}@e.com" for i in range(900)]},
    {**SETTINGS, "device_email": "a" * 100_000 + "@example.com"},
    {**SETTINGS, "device_email": "a\ud800@example.com"},
    {**SETTINGS, "device_email": "a\u0000b@example.com"},
    {**SETTINGS, "device_email": "a b@example.com"},
    {**SETTINGS, "device_email": "é@example.com"},
    {**SETTINGS, "device_email": ["x@[1.2.3.4", "ops@example.com"]},
    {**SETTINGS, "device_email": "ops@example.com, evil@example.org"},
    {**SETTINGS, "monitor": "perhaps"},
    {**SETTINGS, "monitor": [1]},
    {**SETTINGS, "require_key": {}},
    {**SETTINGS, "surprise": 1},
    {**SETTINGS, "schedule_kind": []},  # found by the API fuzzer: was a 500
    {**SETTINGS, "maintenance": [{"start": "x", "end": "y"}]},
    {**SETTINGS, "quiet_hours": {"days": "mon"}},
    {**SETTINGS, "quiet_summary": "sometimes"},
    {**SETTINGS, "realert_limit": 1.5},
    {"max_sleep": 60},
]


@pytest.mark.parametrize("body", BAD_SETTINGS, ids=range(len(BAD_SETTINGS)))
def test_monitor_writes_refuse_bad_settings_and_change_nothing(client, api_key, known, body):
    from chalicelib.monitors import store as monitors

    before = monitors.get("backup")
    headers = {**api_key, "Content-Type": "application/json"}
    _refused(client.http.put("/monitors/backup", body=json.dumps(body), headers=headers))
    post = {"name": "backup", **body} if isinstance(body, dict) else body
    _refused(client.http.post("/monitors", body=json.dumps(post), headers=headers))
    assert monitors.get("backup") == before


@pytest.mark.parametrize("odd", [o for o in ODD if o != "1e999"] + ["a%2Fb", "..", "%20x", "x%20"])
def test_monitor_routes_refuse_odd_names(client, api_key, known, odd):
    headers = {**api_key, "Content-Type": "application/json"}
    _refused(client.http.get(f"/monitors/{odd}", headers=api_key))
    _refused(client.http.put(f"/monitors/{odd}", body=json.dumps(SETTINGS), headers=headers))
    _refused(client.http.delete(f"/monitors/{odd}", headers=api_key))
    _refused(client.http.post(f"/monitors/{odd}/pause", headers=api_key))
    _refused(client.http.get(f"/monitors/{odd}/pings", headers=api_key))
    _refused(client.http.get(f"/monitors/backup/pings?date={odd}", headers=api_key))
    _refused(client.http.post("/monitors", body=json.dumps({"name": odd}), headers=headers))


@pytest.mark.parametrize("odd", ODD)
def test_the_testing_routes_refuse_odd_cookies_and_bodies(client, known, odd, monkeypatch):
    monkeypatch.setenv("HERALD_TESTING_PASSWORD", "secret")
    headers = {"X-Herald-Testing": "1", "Content-Type": "application/json"}
    for cookie in (
        f"herald_testing={odd}",
        f"herald_testing={odd}.{odd}",
        f"herald_testing=1.{odd}",
    ):
        _refused(client.http.get("/testing/monitors", headers={**headers, "Cookie": cookie}))
        reply = client.http.post(
            "/testing/monitors/backup/ping", headers={**headers, "Cookie": cookie}
        )
        _refused(reply)
    for body in (
        json.dumps({"password": "\ud800"}),
        json.dumps({"password": odd}),
        json.dumps([odd]),
        odd,
        json.dumps({"password": 5}),
    ):
        _refused(client.http.post("/testing/login", body=body, headers=headers))


def test_a_tiny_number_is_rounded_to_milliseconds_not_a_500(client, api_key):
    headers = {**api_key, "Content-Type": "application/json"}
    body = json.dumps({**SETTINGS, "max_sleep": 1e-300, "email_frequency": 0.0004})
    reply = client.http.put("/monitors/tiny", body=body, headers=headers)
    assert reply.status_code == 201, reply.body
    assert (reply.json_body["max_sleep"], reply.json_body["email_frequency"]) == (0, 0)
