"""Healthchecks' check fields as Herald settings (chalicelib.monitors.hc_spec), no AWS."""

import pytest

from chalicelib.core.errors import Invalid
from chalicelib.monitors import hc_spec


def test_it_slugifies_names_as_healthchecks_slugs():
    assert hc_spec.slugify("Filesystem Backup") == "filesystem-backup"
    assert hc_spec.slugify("  Crème brûlée: nightly!  ") == "creme-brulee-nightly"
    assert hc_spec.slugify("db_backup--2") == "db_backup-2"
    assert hc_spec.slugify("!!!") == ""
    assert len(hc_spec.slugify("x" * 200)) == 64


def test_it_reads_keywords_and_tags_as_healthchecks_does():
    assert hc_spec.keyword_list("FAILED, ERROR,,") == ["FAILED", "ERROR"]
    assert hc_spec.keyword_list("") == []
    assert hc_spec.tag_list("prod  www prod") == ["prod", "www"]


def test_it_makes_a_new_check_simple_with_healthchecks_defaults():
    settings = hc_spec.settings(hc_spec.check({"name": "Backups", "tags": "prod www"}), None)

    assert settings == {
        "title": "Backups",
        "tags": ["prod", "www"],
        "schedule_kind": "simple",
        "timeout": 86400,
        "grace": 3600,
    }


def test_it_makes_a_cron_check_when_a_schedule_is_given_even_with_a_timeout():
    spec = hc_spec.check({"schedule": "0,30 * * * *", "timeout": 300, "tz": "Europe/Riga"})

    assert hc_spec.settings(spec, None) == {
        "schedule_kind": "cron",
        "schedule": "0,30 * * * *",
        "tz": "Europe/Riga",
        "grace": 3600,
    }


def test_it_changes_only_what_an_update_names():
    item = {"schedule_kind": "cron", "schedule": "0 5 * * *", "tz": "Europe/Riga", "grace": 120}

    assert hc_spec.settings(hc_spec.check({"desc": "x"}), item) == {"desc": "x"}
    assert hc_spec.settings(hc_spec.check({"tz": "UTC"}), item) == {"tz": "UTC"}
    assert hc_spec.settings(hc_spec.check({"timeout": 600}), item) == {
        "schedule_kind": "simple",
        "timeout": 600,
        "grace": 120,
    }


def test_it_turns_heralds_own_kind_into_a_simple_check_when_given_a_grace():
    item = {"max_sleep": 300, "email_frequency": 3600}

    assert hc_spec.settings(hc_spec.check({"grace": 60}), item) == {
        "schedule_kind": "simple",
        "timeout": 300,
        "grace": 60,
    }


def test_it_keeps_keywords_only_while_http_body_filtering_is_on():
    on = {"filter_http_body": True, "success_kw": "OK", "failure_kw": "FAILED, ERROR"}
    item = {"success_keywords": ["OK"], "failure_keywords": ["FAILED"]}

    assert hc_spec.settings(hc_spec.check(on), None)["failure_keywords"] == ["FAILED", "ERROR"]
    assert hc_spec.settings(hc_spec.check({"success_kw": "DONE"}), item) == {
        "success_keywords": ["DONE"],
        "failure_keywords": ["FAILED"],
    }
    assert hc_spec.settings(hc_spec.check({"filter_http_body": False}), item) == {
        "success_keywords": [],
        "failure_keywords": [],
    }
    # The deprecated subject fields clear keywords as in Healthchecks ("" only).
    assert hc_spec.settings(hc_spec.check({"subject": ""}), item)["success_keywords"] == []


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"timeout": 300.5}, "timeout is not a whole number"),
        ({"timeout": float("nan")}, "timeout is not a whole number"),
        ({"grace": 31536001}, "grace is too large"),
        ({"desc": ["x"]}, "desc is not a string"),
        ({"unique": ["name", 1]}, "an item in 'unique' has unexpected value"),
        ({"failure_kw": "x" * 201}, "failure_kw is too long"),
        ({"filter_http_body": "true"}, "filter_http_body is not a boolean"),
    ],
)
def test_it_words_refusals_as_healthchecks_does(body, words):
    with pytest.raises(Invalid) as refused:
        hc_spec.settings(hc_spec.check(body), None)

    assert str(refused.value).startswith("json validation error: ")
    assert words in str(refused.value)


def test_it_ignores_fields_healthchecks_does_not_know():
    spec = hc_spec.check({"api_key": "k", "name": "n", "colour": "red"})

    assert spec == {"name": "n"}
