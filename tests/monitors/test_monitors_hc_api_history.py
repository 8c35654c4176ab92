"""Healthchecks' API v3 on Herald: a check's pings and flips, the channels, the badges."""

# ruff: noqa: F811 - the fixtures imported below are test arguments of the same name

import uuid

import pytest

from tests.monitors.test_monitors_hc_api_support import (  # noqa: F401 - fixtures
    BACKUPS,
    DOCUMENTED_PING,
    ISO,
    ISO_MICRO,
    hc,
    hc_app,
    ping_uuid,
)

CHECKS = "/api/v3/checks/"


# ---- pings --------------------------------------------------------------------------


def test_it_lists_pings_newest_first_as_documented(hc, clock, ping_uuid):
    code = hc.create(BACKUPS)["uuid"]
    rid = "123e4567-e89b-12d3-a456-426614174000"
    ping_uuid(code, "start", query=f"rid={rid}")
    clock.shift(2.9)
    ping_uuid(code, body=b"all good", method="POST", query=f"rid={rid}")
    clock.shift(60)
    ping_uuid(code, "fail")
    ping_uuid(code, "log", body=b"a note", method="POST")

    reply = hc.get(f"{CHECKS}{code}/pings/")

    assert reply.status == 200
    pings = reply.body["pings"]
    assert [(p["type"], p["n"]) for p in pings] == [
        ("log", 4),
        ("fail", 3),
        ("success", 2),
        ("start", 1),
    ]
    for ping in pings:
        assert set(ping) - {"duration"} == DOCUMENTED_PING
        assert ISO_MICRO.fullmatch(ping["date"])
        assert (ping["scheme"], ping["ua"]) == ("http", "curl/7.68.0")
    start, success = pings[3], pings[2]
    assert (start["rid"], success["rid"], pings[1]["rid"]) == (rid, rid, None)
    assert success["duration"] == 2.9 and "duration" not in start
    assert (success["method"], start["method"]) == ("POST", "GET")
    assert start["date"] == "2026-11-02T09:00:00+00:00"
    assert success["body_url"] == f"http://herald.test/api/v3/checks/{code}/pings/2/body"
    assert (start["body_url"], pings[1]["body_url"]) == (None, None)


def test_it_serves_a_pings_body_as_plain_text(hc, ping_uuid):
    code = hc.create(BACKUPS)["uuid"]
    ping_uuid(code, body="Sauvegarde réussie\n".encode(), method="POST")
    ping_uuid(code)

    body = hc.get(f"{CHECKS}{code}/pings/1/body")

    assert body.status == 200
    assert body.headers["Content-Type"].startswith("text/plain")
    assert body.text == "Sauvegarde réussie\n"
    for n in ("2", "3", "x", "-1"):  # no body, no such ping, not a number
        missing = hc.get(f"{CHECKS}{code}/pings/{n}/body")
        assert missing.status == 404 and set(missing.body) == {"error"}, n


def test_it_lists_the_newest_hundred_pings(hc, ping_uuid):
    code = hc.create(BACKUPS)["uuid"]
    for _ in range(103):
        ping_uuid(code)

    pings = hc.get(f"{CHECKS}{code}/pings/").body["pings"]

    assert [p["n"] for p in pings] == list(range(103, 3, -1))


def test_it_shows_a_get_on_a_post_only_check_as_ignored(hc, ping_uuid):
    code = hc.create({"methods": "POST"})["uuid"]
    ping_uuid(code)

    assert hc.get(f"{CHECKS}{code}/pings/").body["pings"][0]["type"] == "ign"
    assert hc.get(f"{CHECKS}{code}").body["status"] == "new"


# ---- flips ----------------------------------------------------------------------------


@pytest.fixture
def flipped(hc, clock, ping_uuid, run_checker):
    """A check up at 09:00, late at 10:00, down at 10:01, up again at 10:30."""
    code = hc.create(BACKUPS)["uuid"]  # timeout 3600, grace 60
    ping_uuid(code)
    clock.shift(3600 + 5)
    run_checker()
    clock.shift(60)
    run_checker()
    clock.shift(1800)
    ping_uuid(code)
    run_checker()
    return code


def test_it_lists_flips_newest_first_as_healthchecks_records_them(hc, flipped):
    reply = hc.get(f"{CHECKS}{flipped}/flips/")

    assert reply.status == 200
    flips = reply.body["flips"]
    assert [f["up"] for f in flips] == [1, 0, 1]
    assert all(set(f) == {"timestamp", "up"} and ISO.fullmatch(f["timestamp"]) for f in flips)
    assert flips[2]["timestamp"] == "2026-11-02T09:00:00+00:00"
    assert flips[0]["timestamp"] == "2026-11-02T10:31:05+00:00"


def test_it_filters_flips_by_seconds_start_and_end(hc, clock, flipped):
    at_ten = 1793613600  # 2026-11-02T10:00:00Z

    def ups(query):
        return [f["up"] for f in hc.get(f"{CHECKS}{flipped}/flips/?{query}").body["flips"]]

    assert ups("seconds=60") == [1]
    assert ups("seconds=3600") == [1, 0]
    assert ups(f"start={at_ten}") == [1, 0]
    assert ups(f"end={at_ten}") == [1]
    assert ups(f"start={at_ten}&end={at_ten + 600}") == [0]
    assert ups("seconds=0") == [1, 0, 1]  # 0 is no filter, as in Healthchecks


def test_it_refuses_flip_filters_out_of_healthchecks_bounds(hc, flipped):
    for query in ("seconds=-1", "seconds=abc", "seconds=31536001", "start=10000000001", "end=1.5"):
        reply = hc.get(f"{CHECKS}{flipped}/flips/?{query}")
        assert reply.status == 400, query
        assert set(reply.body) == {"error"}


def test_it_lists_flips_for_a_read_only_key_by_unique_key(hc, flipped):
    unique_key = hc.get(f"{CHECKS}{flipped}", key="ro").body["unique_key"]

    by_key = hc.get(f"{CHECKS}{unique_key}/flips/", key="ro")
    by_uuid = hc.get(f"{CHECKS}{flipped}/flips/", key="ro")

    assert by_key.status == by_uuid.status == 200
    assert by_key.body == by_uuid.body == hc.get(f"{CHECKS}{flipped}/flips/").body


def test_it_shows_pause_and_resume_as_flips_down(hc, clock, ping_uuid):
    code = hc.create(BACKUPS)["uuid"]
    assert hc.get(f"{CHECKS}{code}/flips/").body == {"flips": []}  # a creation is no flip
    ping_uuid(code)
    clock.shift(10)
    hc.post(f"{CHECKS}{code}/pause")
    clock.shift(10)
    hc.post(f"{CHECKS}{code}/resume")

    assert [f["up"] for f in hc.get(f"{CHECKS}{code}/flips/").body["flips"]] == [0, 0, 1]


# ---- channels and badges --------------------------------------------------------------


def test_it_lists_one_email_channel_per_set_of_recipients(hc, make_monitor):
    make_monitor("a", device_email=["ops@example.com", "dev@example.com"])
    make_monitor("b", device_email=["dev@example.com", "ops@example.com"])
    make_monitor("c", device_email=["night@example.com"])
    hc.create({"slug": "d"})  # no recipients: no channel

    channels = hc.get("/api/v3/channels/").body["channels"]
    checks = {c["slug"]: c for c in hc.get(CHECKS).body["checks"]}

    assert sorted(c["name"] for c in channels) == [
        "dev@example.com, ops@example.com",
        "night@example.com",
    ]
    assert {c["kind"] for c in channels} == {"email"}
    assert all(str(uuid.UUID(c["id"])) == c["id"] for c in channels)
    assert checks["a"]["channels"] == checks["b"]["channels"] != checks["c"]["channels"]
    assert checks["a"]["channels"] in {c["id"] for c in channels}
    assert checks["d"]["channels"] == ""


def test_it_accepts_and_ignores_channels_on_a_change(hc):
    check = hc.create({"name": "x", "channels": "*"})
    changed = hc.post(f"{CHECKS}{check['uuid']}", {"channels": "4ec5a071-2d08-4baa-898a"})

    assert (check["channels"], changed.status, changed.body["channels"]) == ("", 200, "")


def test_it_lists_no_badges_for_either_key(hc):
    hc.create({"tags": "backup db"})

    for key in ("rw", "ro"):
        assert hc.get("/api/v3/badges/", key=key).body == {"badges": {}}
    assert hc.get(CHECKS).body["checks"][0]["badge_url"] is None  # Herald serves no badges
