"""`herald monitors import-healthchecks`: a Healthchecks project's checks become monitors.

The mapping is tested alone first (pure, no AWS); then the command against a
stand-in Healthchecks on loopback (tests/herald/healthchecks_standin.py),
with pings on the URLs the jobs used before the move.
"""

import pytest
from click.testing import CliRunner

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


# ---- the command, against a stand-in Healthchecks -----------------------------


@pytest.fixture
def healthchecks(aws, monkeypatch):
    """A stand-in instance on loopback; local mode, as the SSRF guard allows loopback only there."""
    monkeypatch.setenv("HERALD_LOCAL", "1")
    instance = standin.Healthchecks()
    yield instance
    instance.stop()


def herald(*args):
    import herald.cli.healthchecks  # noqa: F401 - registers the command on `monitors`
    from herald.cli import main

    return CliRunner().invoke(main, ["--stage", "dev", *args])


def import_from(instance, *extra, key=standin.READ_WRITE_KEY):
    return herald(
        "monitors", "import-healthchecks", "--url", instance.url, "--api-key", key, *extra
    )


@pytest.fixture
def project(healthchecks):
    """A simple check, a cron one with a time zone, a paused one, an OnCalendar one, tags."""
    healthchecks.add("Backups", "backups", timeout=3600, grace=600, tags="prod db")
    healthchecks.add("Nightly report", "nightly-report", schedule="15 5 * * *", tz="Europe/Riga")
    healthchecks.add("Laptop", "laptop", timeout=600, status="paused")
    healthchecks.add("Month end", "month-end", schedule="*-*~1 12:00", tz="UTC")
    return healthchecks


def test_it_imports_each_check_and_reports_the_one_it_cannot_map(project):
    result = import_from(project, "--ping-key", PING_KEY)
    assert result.exit_code == 0, result.output
    assert "4 checks read" in result.output
    for name in ("backups", "nightly-report", "laptop"):
        assert f"{name}: created" in result.output
    assert "skipped 'Month end': its OnCalendar schedule" in result.output
    assert "3 created, 0 updated, 0 unchanged, 1 skipped" in result.output
    from chalicelib.monitors import store

    backups, nightly = store.get("backups"), store.get("nightly-report")
    assert (backups["schedule_kind"], backups["timeout"], backups["grace"]) == ("simple", 3600, 600)
    assert backups["tags"] == ["prod", "db"]
    assert (nightly["schedule_kind"], nightly["tz"]) == ("cron", "Europe/Riga")
    assert "laptop: created (paused)" in result.output
    assert store.get("laptop")["paused"] is True
    assert store.get("month-end") is None


def test_it_records_pings_on_the_urls_the_jobs_used_before(project, client, clock):
    assert import_from(project, "--ping-key", PING_KEY).exit_code == 0
    from chalicelib.monitors import store

    backups = project.checks[0]
    assert client.http.get(f"/ping/{backups['uuid']}").status_code == 200
    assert client.http.post(f"/ping/{PING_KEY}/nightly-report", body=b"").status_code == 200
    assert store.get("backups")["pings"] == 1
    assert store.get("nightly-report")["pings"] == 1


def test_it_changes_nothing_when_run_a_second_time(project):
    assert import_from(project, "--ping-key", PING_KEY).exit_code == 0
    from chalicelib.monitors import store

    before = {item["name"]: item for item in store.list_all()}
    result = import_from(project, "--ping-key", PING_KEY)
    assert result.exit_code == 0, result.output
    for name in ("backups", "nightly-report", "laptop"):
        assert f"{name}: unchanged" in result.output
    assert "0 created, 0 updated, 3 unchanged, 1 skipped" in result.output
    assert "shared ping key: exists already" in result.output
    assert {item["name"]: item for item in store.list_all()} == before


def test_it_keeps_what_was_set_in_herald_since_the_last_import(project):
    from chalicelib.monitors import admin, store

    assert import_from(project).exit_code == 0
    admin.upsert("backups", {"recipients": ["ops@example.com"]}, merge=True)
    project.checks[0]["grace"] = 900
    result = import_from(project)
    assert "backups: updated" in result.output
    assert "nightly-report: unchanged" in result.output
    item = store.get("backups")
    assert (item["grace"], item["recipients"]) == (900, ["ops@example.com"])


def test_it_never_takes_over_a_monitor_it_did_not_make(project):
    from chalicelib.monitors import admin, store

    admin.upsert("backups", {"schedule_kind": "simple", "timeout": 60})
    result = import_from(project)
    assert result.exit_code == 0
    assert "skipped 'Backups': Herald already has a monitor named 'backups'" in result.output
    assert store.get("backups")["timeout"] == 60
    assert store.find_by_uuid(project.checks[0]["uuid"]) is None


def test_it_follows_a_check_whose_slug_changed_only_by_saying_so(project):
    assert import_from(project).exit_code == 0
    project.checks[0]["slug"] = "db-backups"
    result = import_from(project)
    assert "its UUID already leads to Herald monitor 'backups'" in result.output


def test_it_says_unchanged_in_a_dry_run_after_an_import(project):
    assert import_from(project, "--ping-key", PING_KEY).exit_code == 0
    result = import_from(project, "--ping-key", PING_KEY, "--dry-run")
    assert "0 would create, 0 would update, 3 unchanged, 1 skipped" in result.output, result.output


def test_it_writes_nothing_in_a_dry_run(project):
    result = import_from(project, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "backups: would create" in result.output
    assert "dry run: nothing was changed" in result.output
    from chalicelib.monitors import ping_keys, store

    assert store.list_all() == []
    assert import_from(project, "--dry-run", "--ping-key", PING_KEY).exit_code == 0
    assert ping_keys.list_keys() == []


def test_it_refuses_a_malformed_ping_key_before_writing_anything(project):
    from chalicelib.monitors import store

    result = import_from(project, "--ping-key", "short")
    assert result.exit_code == 2
    assert "--ping-key" in result.output and "a ping key is 16-64 letters" in result.output
    assert store.list_all() == []


def test_it_refuses_a_wrong_key_clearly(healthchecks):
    result = import_from(healthchecks, key="w" * 32)
    assert result.exit_code == 1
    assert "refused the API key (HTTP 401: wrong api key)" in result.output
    assert "read-write API key" in result.output
    assert "Traceback" not in result.output


def test_it_refuses_a_read_only_key_whose_listing_has_no_uuids(project):
    result = import_from(project, key=standin.READ_ONLY_KEY)
    assert result.exit_code == 1
    assert "read-only API key: its listing has no check UUIDs" in result.output
    from chalicelib.monitors import store

    assert store.list_all() == []


def test_it_explains_an_answer_that_is_not_healthchecks(healthchecks):
    healthchecks.garbage = True
    result = import_from(healthchecks)
    assert result.exit_code == 1
    assert "did not answer JSON: is it a Healthchecks instance?" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_it_sends_the_key_in_the_header_healthchecks_reads(project):
    import_from(project, "--dry-run")
    (request,) = project.requests
    assert request["path"] == "/api/v3/checks/"
    assert request["headers"]["X-Api-Key"] == standin.READ_WRITE_KEY


def test_it_refuses_loopback_outside_local_mode(project, monkeypatch):
    monkeypatch.delenv("HERALD_LOCAL")
    result = import_from(project)
    assert result.exit_code == 1
    assert "cannot read" in result.output and "nothing was changed" in result.output
    assert project.requests == []
