"""`herald monitors import-healthchecks` against a stand-in Healthchecks on loopback
(tests/herald/healthchecks_standin.py), with pings on the URLs the jobs used
before the move.
"""

import pytest
from click.testing import CliRunner

from tests.herald import healthchecks_standin as standin

UUID = "31365bce-8da9-4729-8ff3-aaa71d56b712"
PING_KEY = "Xq3bK9-fA1t6ZpLmN0vRw2"  # Healthchecks' ping keys: 22 URL-safe characters


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
