"""`herald monitors import-healthchecks`: how a Healthchecks check maps to a monitor.

Pure, no AWS; the command itself is tested against a stand-in Healthchecks in
test_import_healthchecks_command.py.
"""

import pytest

from chalicelib.monitors import hc_import
from tests.herald import healthchecks_standin as standin

UUID = "31365bce-8da9-4729-8ff3-aaa71d56b712"
PING_KEY = "Xq3bK9-fA1t6ZpLmN0vRw2"  # Healthchecks' ping keys: 22 URL-safe characters


# ---- the mapping (pure) -------------------------------------------------------


def test_it_maps_a_simple_check_with_its_settings():
    check = standin.check(
        "Filesystem Backup", "filesystem-backup", uuid_text=UUID, timeout=3600, grace=600,
        tags="backup fs backup", desc="Runs incremental backup every hour", methods="POST",
        manual_resume=True,
    )  # fmt: skip
    planned = hc_import.to_plan(check)
    assert (planned.name, planned.uuid, planned.paused) == ("filesystem-backup", UUID, False)
    assert planned.settings == {
        "schedule_kind": "simple",
        "timeout": 3600,
        "grace": 600,
        "title": "Filesystem Backup",
        "desc": "Runs incremental backup every hour",
        "tags": ["backup", "fs"],
        "manual_resume": True,
        "methods": "POST",
        "success_keywords": [],
        "failure_keywords": [],
    }
    assert "recipients" not in planned.settings


def test_it_maps_a_cron_check_with_its_time_zone():
    check = standin.check(
        "Nightly", "nightly", schedule="15  5 * * *", tz="Europe/Riga", grace=1200
    )
    settings = hc_import.to_plan(check).settings
    assert (settings["schedule_kind"], settings["schedule"]) == ("cron", "15 5 * * *")
    assert (settings["tz"], settings["grace"]) == ("Europe/Riga", 1200)
    assert "timeout" not in settings


def test_it_reads_a_paused_check_as_paused():
    assert hc_import.to_plan(standin.check("Laptop", "laptop", status="paused")).paused is True
    assert hc_import.to_plan(standin.check("Laptop", "laptop", status="down")).paused is False


@pytest.mark.parametrize("schedule", ["*-*~1 12:00", "Mon..Fri 09:00", "daily", "0 5 * * * *"])
def test_it_skips_an_oncalendar_schedule_with_the_reason(schedule):
    with pytest.raises(hc_import.Skip, match="OnCalendar schedule .* has no Herald equivalent"):
        hc_import.to_plan(standin.check("Month end", "month-end", schedule=schedule, tz="UTC"))


def test_it_slugifies_the_name_of_a_check_without_a_slug():
    assert hc_import.to_plan(standin.check("Déjà Vu: DB backup!", "")).name == "deja-vu-db-backup"
    with pytest.raises(hc_import.Skip, match="name slugified to '' is not a Herald name"):
        hc_import.to_plan(standin.check("!!!", ""))
    with pytest.raises(hc_import.Skip, match="is not a Herald name"):
        hc_import.to_plan(standin.check("Long", "x" * 65))


def test_it_takes_keywords_only_where_healthchecks_applies_them_to_http_pings():
    fields = {"success_kw": "SUCCESS, COMPLETED,", "failure_kw": "ERROR", "start_kw": "GO"}
    off = hc_import.to_plan(standin.check("Off", "off", **fields))
    assert off.settings["success_keywords"] == [] and off.notes == []
    on = hc_import.to_plan(standin.check("On", "on", filter_http_body=True, **fields))
    assert on.settings["success_keywords"] == ["SUCCESS", "COMPLETED"]
    assert on.settings["failure_keywords"] == ["ERROR"]
    assert on.notes == ["start keywords are not carried over"]
    mail = hc_import.to_plan(standin.check("Mail", "mail", filter_subject=True, **fields))
    assert mail.settings["success_keywords"] == []
    assert "e-mail pings is not carried over" in mail.notes[0]


def test_it_notes_that_integrations_are_not_carried_over():
    planned = hc_import.to_plan(standin.check("A", "a", channels=standin.CHANNELS))
    assert planned.notes == ["its integrations are not carried over: add recipients in Herald"]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"timeout": "soon"}, "timeout: expected a number of seconds"),
        ({"grace": -1}, "grace: expected a number of seconds"),
        ({"uuid": "not-a-uuid"}, "is not a UUID"),
        ({"tags": ["a"]}, "tags: expected text"),
    ],
)
def test_it_skips_a_check_with_a_malformed_field(fields, reason):
    with pytest.raises(hc_import.Skip, match=reason):
        hc_import.to_plan(standin.check("Odd", "odd", **fields))


def test_it_skips_a_second_check_of_the_same_name_or_uuid():
    planned = hc_import.plan(
        [
            standin.check("First", "same", uuid_text=UUID),
            standin.check("Second", "same"),
            standin.check("Third", "other", uuid_text=UUID),
            "not a check",
        ]
    )
    assert [type(p).__name__ for p in planned] == ["Planned", "Skipped", "Skipped", "Skipped"]
    assert planned[1].reason == "the check 'First' already maps to 'same'"
    assert planned[2].reason == f"its UUID {UUID} is listed twice"
    assert planned[3].reason == "not a check object"


@pytest.mark.parametrize(
    "site",
    [
        "https://hc.example",
        "https://hc.example/",
        "https://hc.example/api/v3/",
        "https://hc.example/api/v3/checks/",
    ],
)
def test_it_finds_the_listing_from_the_instance_address(site):
    assert hc_import.checks_url(site) == "https://hc.example/api/v3/checks/"


@pytest.mark.parametrize(
    ("status", "body", "said"),
    [
        (401, b'{"error": "wrong api key"}', "refused the API key (HTTP 401: wrong api key)"),
        (500, b"<h1>Server Error</h1>", "answered HTTP 500, not the list of checks"),
        (200, b"<html>nginx</html>", "did not answer JSON"),
        (200, b'{"checks": {}}', "without a list of checks"),
        (200, b'{"checks": [{"name": "a", "unique_key": "124f"}]}', "a read-only API key"),
    ],
)
def test_it_explains_a_reply_that_holds_no_checks(status, body, said):
    with pytest.raises(hc_import.Unreadable, match=said.replace("(", r"\(").replace(")", r"\)")):
        hc_import.decode(status, body, "https://hc.example/api/v3/checks/")
