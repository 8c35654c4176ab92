"""Healthchecks' Management API v3 on Herald: keys, checks, their fields and errors.

What a Healthchecks client sees, asserted against Healthchecks' documented
examples (field names, types, status codes, {"error": ...}), not against
Herald's own serializer.
"""

# ruff: noqa: F811 - the fixtures imported below are test arguments of the same name

import json
import re
import uuid

from tests.monitors.test_monitors_hc_api_support import (  # noqa: F401 - fixtures
    BACKUPS,
    DOCUMENTED_CHECK,
    READ_WRITE_ONLY,
    hc,
    hc_app,
    ping_uuid,
)

CHECKS = "/api/v3/checks/"


# ---- keys -------------------------------------------------------------------------


def test_it_answers_401_missing_api_key_without_a_key(hc):
    for method, path in (("GET", CHECKS), ("POST", CHECKS), ("GET", "/api/v3/badges/")):
        reply = hc.request(method, path, {} if method == "POST" else None, key=None)
        assert (reply.status, reply.body) == (401, {"error": "missing api key"})


def test_it_answers_401_wrong_api_key_for_a_key_it_does_not_know(hc):
    for key in ("hk_0123456789ab_nope", "a" * 32):
        reply = hc.get(CHECKS, key=key)
        assert (reply.status, reply.body) == (401, {"error": "wrong api key"})


def test_it_takes_the_key_from_the_json_body_of_a_post_as_documented(hc):
    # The documented alternative: curl --data '{"api_key": "your-api-key", ...}'
    body = {"api_key": hc.keys["rw"], **BACKUPS}

    reply = hc.post(CHECKS, body, key=None)

    assert reply.status == 201
    assert reply.body["name"] == "Backups"
    assert "api_key" not in json.dumps(reply.body)


def test_it_refuses_a_read_only_key_everything_but_reading(hc):
    check = hc.create(BACKUPS)
    code = check["uuid"]
    changes = [
        ("POST", CHECKS, {"name": "x"}),
        ("POST", f"{CHECKS}{code}", {"desc": "x"}),
        ("POST", f"{CHECKS}{code}/pause", None),
        ("POST", f"{CHECKS}{code}/resume", None),
        ("DELETE", f"{CHECKS}{code}", None),
        ("GET", f"{CHECKS}{code}/pings/", None),
        ("GET", "/api/v3/channels/", None),
    ]
    for method, path, body in changes:
        reply = hc.request(method, path, body, key="ro")
        assert reply.status == 401, (method, path)
        assert reply.body["error"].startswith("wrong api key")
    # A read-only key in the body of a POST is no better.
    assert hc.post(CHECKS, {"api_key": hc.keys["ro"]}, key=None).status == 401
    assert hc.get(f"{CHECKS}{code}").body["desc"] == ""
    assert len(hc.get(CHECKS).body["checks"]) == 1


# ---- create -------------------------------------------------------------------------


def test_it_creates_the_documented_example_check_and_its_ping_url_works(hc, clock, ping_uuid):
    reply = hc.post(CHECKS, BACKUPS)

    assert reply.status == 201
    check = reply.body
    assert set(check) == DOCUMENTED_CHECK | READ_WRITE_ONLY | {"timeout"}
    assert {k: check[k] for k in ("name", "tags", "grace", "timeout", "n_pings")} == {
        "name": "Backups",
        "tags": "prod www",
        "grace": 60,
        "timeout": 3600,
        "n_pings": 0,
    }
    assert (check["status"], check["started"], check["last_ping"], check["next_ping"]) == (
        "new",
        False,
        None,
        None,
    )
    code = check["uuid"]
    assert str(uuid.UUID(code)) == code
    assert check["ping_url"] == f"http://herald.test/ping/{code}"
    assert check["update_url"] == f"http://herald.test/api/v3/checks/{code}"
    assert check["pause_url"] == check["update_url"] + "/pause"
    assert check["resume_url"] == check["update_url"] + "/resume"
    assert check["channels"] == ""

    assert ping_uuid(code).status_code == 200
    pinged = hc.get(f"{CHECKS}{code}").body
    assert (pinged["status"], pinged["n_pings"]) == ("up", 1)
    assert pinged["last_ping"] == "2026-11-02T09:00:00+00:00"
    assert pinged["next_ping"] == "2026-11-02T10:00:00+00:00"


def test_it_creates_a_check_with_healthchecks_defaults_when_given_nothing(hc):
    check = hc.create({})

    assert (check["timeout"], check["grace"]) == (86400, 3600)
    assert check["name"] == check["slug"]
    assert re.fullmatch(r"check-[0-9a-f]{8}", check["slug"])


def test_it_creates_a_cron_check_with_its_time_zone(hc):
    check = hc.create({"name": "Half-hourly", "schedule": "0,30 * * * *", "tz": "Europe/Riga"})

    assert (check["schedule"], check["tz"]) == ("0,30 * * * *", "Europe/Riga")
    assert "timeout" not in check
    assert check["grace"] == 3600


def test_it_names_the_monitor_by_the_slug_and_keeps_the_name_as_title(hc, client, api_key):
    check = hc.create({"name": "My Custom Check!", "slug": "my-custom-slug"})

    assert (check["name"], check["slug"]) == ("My Custom Check!", "my-custom-slug")
    monitor = json.loads(client.http.get("/monitors/my-custom-slug", headers=api_key).body)
    assert monitor["title"] == "My Custom Check!"
    assert monitor["schedule_kind"] == "simple"


def test_it_slugifies_the_name_when_no_slug_is_given_and_numbers_a_second_one(hc):
    first = hc.create({"name": "Nightly Backup (db)"})
    second = hc.create({"name": "Nightly Backup (db)"})

    assert first["slug"] == "nightly-backup-db"
    assert second["slug"] == "nightly-backup-db-2"
    assert first["uuid"] != second["uuid"]
    assert [c["name"] for c in hc.get(CHECKS).body["checks"]] == ["Nightly Backup (db)"] * 2


def test_it_answers_409_when_the_given_slug_names_another_check(hc):
    hc.create({"slug": "backups"})

    reply = hc.post(CHECKS, {"name": "Other", "slug": "backups"})

    assert reply.status == 409
    assert "slug" in reply.body["error"]
    assert len(hc.get(CHECKS).body["checks"]) == 1


def test_it_updates_and_answers_200_when_unique_matches_as_documented(hc):
    created = hc.post(CHECKS, {"name": "Backups", "unique": ["name"]})
    again = hc.post(CHECKS, {"name": "Backups", "tags": "prod", "unique": ["name"]})

    assert (created.status, again.status) == (201, 200)
    assert again.body["uuid"] == created.body["uuid"]
    assert again.body["tags"] == "prod"
    assert len(hc.get(CHECKS).body["checks"]) == 1


def test_it_matches_every_field_unique_names(hc):
    hc.create({**BACKUPS, "unique": ["name", "tags", "timeout", "grace"]})
    same = hc.post(CHECKS, {**BACKUPS, "unique": ["name", "tags", "timeout", "grace"]})
    other = hc.post(CHECKS, {**BACKUPS, "grace": 120, "unique": ["name", "grace"]})
    slug = hc.post(CHECKS, {"slug": "backups", "desc": "found", "unique": ["slug"]})

    assert (same.status, other.status, slug.status) == (200, 201, 200)
    assert slug.body["desc"] == "found"
    assert len(hc.get(CHECKS).body["checks"]) == 2


def test_it_creates_when_unique_names_a_field_the_request_lacks(hc):
    hc.create({"name": "Backups"})

    reply = hc.post(CHECKS, {"name": "Backups", "unique": ["name", "tags"]})

    assert reply.status == 201
    assert len(hc.get(CHECKS).body["checks"]) == 2


# ---- reading ------------------------------------------------------------------------------


def test_it_answers_404_for_a_check_it_does_not_have(hc):
    for code in (str(uuid.uuid4()), "not-a-uuid", "0" * 40):
        for method, path in (("GET", f"{CHECKS}{code}"), ("POST", f"{CHECKS}{code}/pause")):
            reply = hc.request(method, path)
            assert reply.status == 404, (method, code)
            assert set(reply.body) == {"error"}


def test_it_shows_a_read_only_key_a_unique_key_instead_of_uuids_and_urls(hc):
    code = hc.create(BACKUPS)["uuid"]

    listed = hc.get(CHECKS, key="ro").body["checks"]

    assert set(listed[0]) == DOCUMENTED_CHECK | {"unique_key", "timeout"}
    assert code not in json.dumps(listed)
    unique_key = listed[0]["unique_key"]
    assert re.fullmatch(r"[0-9a-f]{40}", unique_key)
    assert hc.get(CHECKS, key="ro").body["checks"][0]["unique_key"] == unique_key
    one = hc.get(f"{CHECKS}{unique_key}", key="ro")
    assert one.status == 200 and one.body["name"] == "Backups" and "uuid" not in one.body
    by_uuid = hc.get(f"{CHECKS}{code}", key="ro").body
    assert "ping_url" not in by_uuid and by_uuid["unique_key"] == unique_key


def test_it_filters_the_list_by_every_tag_given_and_by_slug(hc):
    hc.create({"name": "a", "tags": "prod db"})
    hc.create({"name": "b", "tags": "prod www"})
    hc.create({"name": "c", "tags": "staging db"})

    def names(query):
        return [c["name"] for c in hc.get(f"{CHECKS}?{query}").body["checks"]]

    assert names("tag=prod") == ["a", "b"]
    assert names("tag=prod&tag=db") == ["a"]
    assert names("tag=nothing") == []
    assert names("slug=c") == ["c"]
    assert names("slug=") == ["a", "b", "c"]


def test_it_answers_with_and_without_the_trailing_slash(hc):
    code = hc.create(BACKUPS)["uuid"]

    for path in ("/api/v3/checks", f"/api/v3/checks/{code}/flips", "/api/v3/badges"):
        with_slash, without = hc.get(path + "/"), hc.get(path)
        assert with_slash.status == without.status == 200, path
        assert with_slash.body == without.body
    assert hc.get(f"/api/v3/checks/{code}/").body["uuid"] == code


def test_it_shows_monitors_made_in_herald_as_checks(hc, make_monitor):
    make_monitor("Backup DB")  # the seed's kind: max_sleep 300
    make_monitor("nightly", timeout=600, grace=120, tags=["prod"])

    checks = {c["name"]: c for c in hc.get(CHECKS).body["checks"]}

    assert (checks["Backup DB"]["slug"], checks["Backup DB"]["timeout"]) == ("", 300)
    assert checks["Backup DB"]["grace"] == 0
    assert (checks["nightly"]["slug"], checks["nightly"]["tags"]) == ("nightly", "prod")
    assert (checks["nightly"]["timeout"], checks["nightly"]["grace"]) == (600, 120)
    assert [c["next_ping"] for c in checks.values()] == [None, None]  # never pinged


def test_it_answers_405_to_a_method_the_api_does_not_have(hc):
    reply = hc.request("PUT", CHECKS, {})

    assert reply.status == 405
    assert "GET" in reply.headers["Allow"] and "POST" in reply.headers["Allow"]


def test_it_answers_a_trailing_slash_under_chalice_local_as_well(hc_app, hc):
    """herald/local/api.py's gateway (what `make run` serves) routes it too."""
    from chalice.config import Config

    from herald.local import api

    gateway = api.Gateway(hc_app, Config.create())
    for path in ("/api/v3/checks/", "/api/v3/checks"):
        reply = gateway.handle_request("GET", path, {"x-api-key": hc.keys["ro"]}, b"")
        assert reply["statusCode"] == 200, path
        assert json.loads(reply["body"]) == {"checks": []}


def test_its_ping_url_is_on_the_ping_door_and_its_api_urls_on_the_api(hc, monkeypatch):
    monkeypatch.setenv("HERALD_PING_URL", "https://door.lambda-url.us-east-1.on.aws/")
    check = hc.post(CHECKS, BACKUPS).body
    code = check["uuid"]
    assert check["ping_url"] == f"https://door.lambda-url.us-east-1.on.aws/ping/{code}"
    assert check["update_url"] == f"http://herald.test/api/v3/checks/{code}"
