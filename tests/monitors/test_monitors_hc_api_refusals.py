"""Healthchecks' API v3 on Herald: what it refuses, said as Healthchecks says it.

Every refusal is a 400 with Healthchecks' {"error": "..."} naming the field,
and nothing is stored. Some fields Healthchecks takes are refused because
Herald would do something else with them (e-mail filters, start keywords,
OnCalendar schedules, keywords without filter_http_body).
"""

# ruff: noqa: F811 - the fixtures imported below are test arguments of the same name

import pytest

from tests.monitors.test_monitors_hc_api_support import (  # noqa: F401 - fixtures
    BACKUPS,
    hc,
    hc_app,
)

CHECKS = "/api/v3/checks/"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timeout": 59}, "timeout is too small"),
        ({"timeout": 31536001}, "timeout is too large"),
        ({"grace": "60"}, "grace is not a number"),
        ({"grace": True}, "grace is not a number"),
        ({"name": 5}, "name is not a string"),
        ({"name": None}, "name is not a string"),
        ({"name": "n" * 101}, "name is too long"),
        ({"slug": "Has Caps"}, "slug"),
        ({"slug": "s" * 65}, "slug"),
        ({"methods": "GET"}, "methods"),
        ({"manual_resume": "yes"}, "manual_resume is not a boolean"),
        ({"unique": "name"}, "unique is not an array"),
        ({"unique": ["desc"]}, "unique"),
        ({"schedule": "every day"}, "schedule"),
        ({"schedule": "*-*~1 12:00"}, "schedule"),  # OnCalendar
        ({"tz": "Mars/Olympus"}, "tz is not a valid timezone"),
        ({"tags": "t" * 65}, "tags"),
        ({"filter_subject": True, "success_kw": "SUCCESS,COMPLETED"}, "filter_subject"),
        ({"filter_body": True}, "filter_body"),
        ({"subject": "SUCCESS"}, "subject"),
        ({"start_kw": "START"}, "start_kw"),
        ({"success_kw": "SUCCESS"}, "filter_http_body"),
        (
            {"filter_http_body": True, "filter_default_fail": True, "success_kw": "Backup ok"},
            "filter_default_fail",
        ),
    ],
)
def test_it_refuses_a_bad_field_with_400_naming_it_and_stores_nothing(hc, body, field):
    reply = hc.post(CHECKS, body)

    assert reply.status == 400
    assert set(reply.body) == {"error"}
    assert field in reply.body["error"]
    assert hc.get(CHECKS).body == {"checks": []}


def test_it_refuses_a_body_that_is_not_a_json_object(hc):
    for raw, error in (
        (b"name=Backups", "could not parse request body"),
        (b"[1, 2]", "json validation error: value is not an object"),
        (b'{"a": ' * 5000, "could not parse request body (it is nested too deeply)"),
        (b'{"a": "%s"}' % (b"x" * 300_000), "could not parse request body (it must be at most"),
    ):
        reply = hc.post(CHECKS, raw)
        assert reply.status == 400 and set(reply.body) == {"error"}
        assert reply.body["error"].startswith(error)


def test_it_refuses_a_bad_update_and_leaves_the_check_as_it_was(hc):
    code = hc.create(BACKUPS)["uuid"]

    reply = hc.post(f"{CHECKS}{code}", {"desc": "new", "grace": 10})

    assert reply.status == 400 and "grace is too small" in reply.body["error"]
    assert hc.get(f"{CHECKS}{code}").body["desc"] == ""
