"""Healthchecks' API v3 on Herald: updating, pausing, resuming, deleting, and status over time."""

# ruff: noqa: F811 - the fixtures imported below are test arguments of the same name

import json

from tests.monitors.test_monitors_hc_api_support import (  # noqa: F401 - fixtures
    BACKUPS,
    hc,
    hc_app,
    ping_uuid,
)

CHECKS = "/api/v3/checks/"


def test_it_updates_only_the_fields_given_as_documented(hc):
    code = hc.create({**BACKUPS, "desc": "old"})["uuid"]

    # "Update an Existing Check", example request
    reply = hc.post(f"{CHECKS}{code}", {"name": "Backups", "tags": "prod www", "timeout": 3600})
    desc = hc.post(f"{CHECKS}{code}", {"desc": "Runs ~/db-backup.sh"})

    assert reply.status == desc.status == 200
    check = desc.body
    assert (check["name"], check["tags"], check["timeout"], check["grace"]) == (
        "Backups",
        "prod www",
        3600,
        60,
    )
    assert check["desc"] == "Runs ~/db-backup.sh"
    assert check["uuid"] == code


def test_it_takes_the_key_from_the_body_of_an_update(hc):
    code = hc.create(BACKUPS)["uuid"]

    reply = hc.post(f"{CHECKS}{code}", {"api_key": hc.keys["rw"], "desc": "x"}, key=None)

    assert (reply.status, reply.body["desc"]) == (200, "x")


def test_it_turns_a_simple_check_into_a_cron_one_and_back_keeping_its_grace(hc):
    code = hc.create(BACKUPS)["uuid"]

    cron = hc.post(f"{CHECKS}{code}", {"schedule": "15 5 * * *", "tz": "Europe/Riga"}).body
    zone = hc.post(f"{CHECKS}{code}", {"tz": "UTC"}).body
    simple = hc.post(f"{CHECKS}{code}", {"timeout": 600}).body

    assert (cron["schedule"], cron["tz"], cron["grace"]) == ("15 5 * * *", "Europe/Riga", 60)
    assert "timeout" not in cron
    assert (zone["schedule"], zone["tz"]) == ("15 5 * * *", "UTC")
    assert (simple["timeout"], simple["grace"]) == (600, 60)
    assert "schedule" not in simple and "tz" not in simple


def test_it_takes_the_schedule_over_the_timeout_when_given_both(hc):
    check = hc.create({"timeout": 300, "schedule": "0 * * * *"})

    assert check["schedule"] == "0 * * * *" and "timeout" not in check


def test_it_refuses_to_change_a_slug_and_takes_the_same_or_an_empty_one(hc):
    code = hc.create({"name": "Backups", "slug": "backups"})["uuid"]

    moved = hc.post(f"{CHECKS}{code}", {"slug": "elsewhere"})
    same = hc.post(f"{CHECKS}{code}", {"slug": "backups", "desc": "a"})
    empty = hc.post(f"{CHECKS}{code}", {"slug": "", "desc": "b"})

    assert moved.status == 400 and "slug" in moved.body["error"]
    assert (same.status, empty.status, empty.body["slug"]) == (200, 200, "backups")


def test_it_answers_404_to_an_update_of_a_check_it_does_not_have(hc):
    reply = hc.post(f"{CHECKS}4d1e8b6c-22b1-4b4b-9a1a-6e7c1c0d2f00", {"desc": "x"})

    assert reply.status == 404 and set(reply.body) == {"error"}


def test_it_keeps_http_body_keywords_as_heralds_keyword_lists(hc, client, api_key, ping_uuid):
    body = {"filter_http_body": True, "success_kw": "SUCCESS, COMPLETED", "failure_kw": "ERROR"}
    check = hc.create({"slug": "filtered", **body})

    assert (check["success_kw"], check["failure_kw"]) == ("SUCCESS,COMPLETED", "ERROR")
    assert check["filter_http_body"] is True
    monitor = json.loads(client.http.get("/monitors/filtered", headers=api_key).body)
    assert monitor["success_keywords"] == ["SUCCESS", "COMPLETED"]
    assert monitor["failure_keywords"] == ["ERROR"]

    ping_uuid(check["uuid"], body=b"backup: ERROR disk full", method="POST")
    assert hc.get(f"{CHECKS}{check['uuid']}").body["status"] == "down"

    off = hc.post(f"{CHECKS}{check['uuid']}", {"filter_http_body": False}).body
    assert (off["success_kw"], off["failure_kw"], off["filter_http_body"]) == ("", "", False)


def test_it_keeps_post_only_and_manual_resume(hc):
    check = hc.create({"methods": "POST", "manual_resume": True})

    assert (check["methods"], check["manual_resume"]) == ("POST", True)
    back = hc.post(f"{CHECKS}{check['uuid']}", {"methods": ""}).body
    assert (back["methods"], back["manual_resume"]) == ("", True)


def test_it_pauses_and_resumes_as_documented(hc, ping_uuid):
    code = hc.create(BACKUPS)["uuid"]
    ping_uuid(code)

    paused = hc.post(f"{CHECKS}{code}/pause")
    again = hc.post(f"{CHECKS}{code}/pause", b"")
    resumed = hc.post(f"{CHECKS}{code}/resume")
    not_paused = hc.post(f"{CHECKS}{code}/resume")

    assert (paused.status, paused.body["status"], paused.body["next_ping"]) == (200, "paused", None)
    assert (again.status, again.body["status"]) == (200, "paused")
    assert (resumed.status, resumed.body["status"]) == (200, "new")
    assert (not_paused.status, not_paused.body) == (409, {"error": "check is not paused"})


def test_it_pauses_with_the_key_in_the_body(hc):
    code = hc.create(BACKUPS)["uuid"]

    reply = hc.post(f"{CHECKS}{code}/pause", {"api_key": hc.keys["rw"]}, key=None)

    assert (reply.status, reply.body["status"]) == (200, "paused")


def test_it_deletes_a_check_and_answers_with_it_as_it_was(hc, ping_uuid):
    check = hc.create(BACKUPS)
    code = check["uuid"]

    reply = hc.delete(f"{CHECKS}{code}")

    assert reply.status == 200
    assert (reply.body["uuid"], reply.body["name"]) == (code, "Backups")
    assert hc.get(f"{CHECKS}{code}").status == 404
    assert hc.delete(f"{CHECKS}{code}").status == 404
    assert ping_uuid(code).status_code == 404
    assert hc.get(CHECKS).body == {"checks": []}


def test_it_shows_up_then_grace_then_down_as_time_passes(hc, clock, ping_uuid):
    code = hc.create(BACKUPS)["uuid"]  # timeout 3600, grace 60
    ping_uuid(code)

    def status():
        return hc.get(f"{CHECKS}{code}").body["status"]

    assert status() == "up"
    clock.shift(3600)
    assert status() == "up"
    clock.shift(1)
    assert status() == "grace"
    assert hc.get(f"{CHECKS}{code}").body["next_ping"] == "2026-11-02T10:00:00+00:00"
    clock.shift(60)
    assert status() == "down"


def test_it_shows_started_while_a_run_is_on(hc, clock, ping_uuid):
    code = hc.create(BACKUPS)["uuid"]

    ping_uuid(code, "start")
    started = hc.get(f"{CHECKS}{code}").body
    clock.shift(30)
    ping_uuid(code)
    done = hc.get(f"{CHECKS}{code}").body

    assert (started["started"], started["status"]) == (True, "new")
    assert (done["started"], done["status"], done["n_pings"]) == (False, "up", 2)


def test_it_shows_a_cron_checks_next_expected_ping(hc, clock, ping_uuid):
    code = hc.create({"schedule": "15 5 * * *", "tz": "Europe/Riga", "grace": 60})["uuid"]

    ping_uuid(code)

    # 05:15 in Riga (UTC+2 in November) is 03:15 UTC, the next morning.
    assert hc.get(f"{CHECKS}{code}").body["next_ping"] == "2026-11-03T03:15:00+00:00"
