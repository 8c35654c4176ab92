"""Site configuration: SITES per stage, tokens as secrets, the original's gs.config INI."""

import json

import pytest

from chalicelib import sites


def test_it_reads_several_sites_and_their_jobs(monkeypatch):
    monkeypatch.setenv(
        "SITES",
        json.dumps(
            [
                {"name": "one", "url": "https://one.example.com/x", "jobs": ["digest"]},
                {"name": "two-b", "url": "http://two.example.com", "throttle": 2.5},
            ]
        ),
    )

    assert [s.name for s in sites.for_job("digest")] == ["one", "two-b"]
    assert [s.name for s in sites.for_job("profile-status")] == ["two-b"]
    assert sites.named("one").url == "https://one.example.com"
    assert sites.named("two-b").throttle == 2.5


def test_it_reads_the_token_from_the_secret_named_for_the_site(monkeypatch):
    monkeypatch.setenv("SITES", json.dumps([{"name": "two-b", "url": "http://h"}]))
    monkeypatch.setenv("HERALD_SITE_TWO_B_TOKEN", "s3cret")

    site = sites.named("two-b")

    assert site.secret_name == "site-two-b-token"
    assert site.token() == "s3cret"
    assert "s3cret" not in repr(site)


def test_it_says_when_the_token_is_missing(monkeypatch):
    monkeypatch.setenv("HERALD_LOCAL", "1")
    monkeypatch.setenv("SITES", json.dumps([{"name": "lost", "url": "http://h"}]))

    with pytest.raises(sites.ConfigError, match="HERALD_SITE_LOST_TOKEN"):
        sites.named("lost").token()


@pytest.mark.parametrize(
    "value",
    [
        "not json",
        '{"name": "x"}',
        '[{"name": "Bad Name", "url": "http://h"}]',
        '[{"name": "x", "url": "no-host"}]',
        '[{"name": "x", "url": "http://h", "jobs": ["mail"]}]',
        '[{"name": "x", "url": "http://h", "throttle": -1}]',
        '[{"name": "x", "url": "http://h"}, {"name": "x", "url": "http://i"}]',
    ],
)
def test_it_rejects_malformed_sites(monkeypatch, value):
    monkeypatch.setenv("SITES", value)

    with pytest.raises(sites.ConfigError):
        sites.configured()


def test_it_reads_the_token_of_an_instance_from_gs_config(tmp_path):
    path = tmp_path / "gsconfig.ini"
    path.write_text(
        "[config-default]\nwebservice = default\n\n"
        "[config-other]\nwebservice = other\n\n"
        "[webservice-default]\ntoken = tok-default\n\n"
        "[webservice-other]\ntoken = tok-other\n"
    )

    assert sites.from_gs_config(str(path)) == "tok-default"
    assert sites.from_gs_config(str(path), "other") == "tok-other"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[config-default]\n",
        "[config-default]\nwebservice = x\n",
        "[config-default]\nwebservice = x\n[webservice-x]\ntoken =\n",
        "not an ini file",
    ],
)
def test_it_rejects_a_gs_config_without_a_token(tmp_path, text):
    path = tmp_path / "gsconfig.ini"
    path.write_text(text)

    with pytest.raises(sites.ConfigError):
        sites.from_gs_config(str(path))


def test_it_rejects_a_missing_gs_config(tmp_path):
    with pytest.raises(sites.ConfigError, match="cannot read"):
        sites.from_gs_config(str(tmp_path / "absent.ini"))
