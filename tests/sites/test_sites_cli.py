"""`herald digest send` and `herald profile-status send`: the originals' behaviour
and exit codes, against the sample site over loopback."""

import pytest
from click.testing import CliRunner

from chalicelib.sites import groupserver as gs
from herald.cli import sites as cli_sites
from herald.cli.sites import digest, profile_status


@pytest.fixture
def config(tmp_path, site):
    path = tmp_path / "gsconfig.ini"
    path.write_text(
        "[config-default]\nwebservice = default\n"
        f"[webservice-default]\ntoken = {site.token}\n"
        "[config-broken]\nwebservice = nothing\n"
    )
    return str(path)


def run(group, *args):
    return CliRunner().invoke(group, ["send", *args])


def test_it_sends_every_digest_and_exits_0_even_when_one_group_fails(site, config):
    result = run(digest, "-c", config, site.url + "/any/path")

    assert result.exit_code == 0
    sent = site.sent(gs.SEND_DIGEST_URI)
    assert [(f["form.siteId"], f["form.groupId"]) for f in sent] == [
        ("ethel", "announce"),
        ("ethel", "development"),
        ("example", "broken"),
        ("example", "chat"),
    ]
    assert all(f["form.token"] == site.token and f["form.actions.send"] == "Send" for f in sent)
    # The failure names the group and its site the right way round.
    assert "the group broken on the site example" in result.stderr
    assert "Internal Server Error (500 <127.0.0.1:" in result.stderr
    assert result.stdout == ""  # silent without -v


def test_it_shows_progress_and_a_summary_with_verbose(site, config):
    result = run(digest, "-c", config, "-v", site.url)

    assert result.exit_code == 0
    assert "Sending digests" in result.stderr
    assert "Digests: 4 groups, 3 sent, 1 failed." in result.stdout


def test_it_sends_profile_status_and_summarises_the_statuses(site, config):
    result = run(profile_status, "-c", config, "-v", site.url)

    assert result.exit_code == 0
    sent = [f["profileId"] for f in site.sent(gs.SEND_STATUS_URI)]
    assert sent == sorted(set(site.profiles) - site.opted_out)
    assert "3 sent" in result.stdout and "1 in no groups" in result.stdout


def test_it_pauses_after_each_sent_status_only(site, config, monkeypatch):
    pauses = []
    monkeypatch.setattr(cli_sites, "_sleep", pauses.append)

    result = run(profile_status, "-c", config, "-t", "2.5", site.url)

    assert result.exit_code == 0
    assert pauses == [2.5, 2.5, 2.5]  # alice, bob, carol: the skips are not throttled


def test_it_reports_a_failed_profile_send_and_goes_on(site, config):
    site.failing_profiles = {"bob"}

    result = run(profile_status, "-c", config, site.url)

    assert result.exit_code == 0
    assert "Failed to send the profile status to bob: Internal Server Error (500" in result.stderr
    assert len(site.sent(gs.SEND_STATUS_URI)) == len(site.profiles)


@pytest.mark.parametrize("group", [digest, profile_status])
def test_it_exits_76_when_the_list_fails(site, config, group):
    site.list_status = 500

    result = run(group, "-c", config, site.url)

    assert result.exit_code == 76
    assert "Could not get the list" in result.stderr and "(500 <127.0.0.1:" in result.stderr
    assert len(site.requests) == 1


@pytest.mark.parametrize("group", [digest, profile_status])
def test_it_exits_76_on_a_malformed_list(site, config, group):
    site.list_body = b"<html>maintenance</html>"

    assert run(group, "-c", config, site.url).exit_code == 76


@pytest.mark.parametrize("group", [digest, profile_status])
def test_it_exits_78_on_a_configuration_error(site, config, tmp_path, group):
    assert run(group, "-c", config, "-i", "broken", site.url).exit_code == 78
    assert run(group, "-c", config, "-i", "absent", site.url).exit_code == 78
    result = run(group, "-c", str(tmp_path / "absent.ini"), site.url)
    assert result.exit_code == 78
    assert "Configuration error" in result.stderr
    assert site.requests == []


@pytest.mark.parametrize("group", [digest, profile_status])
def test_it_exits_64_for_a_url_without_a_host(site, config, group):
    result = run(group, "-c", config, "groups.example.com")

    assert result.exit_code == 64
    assert "No host" in result.stderr
    assert site.requests == []


@pytest.mark.parametrize("group", [digest, profile_status])
def test_it_exits_130_on_ctrl_c(site, config, group, monkeypatch):
    def interrupt(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(gs, "send_digest", interrupt)
    monkeypatch.setattr(gs, "send_profile_status", interrupt)

    result = run(group, "-c", config, site.url)

    assert result.exit_code == 130
    assert "Interrupted" in result.stderr


@pytest.mark.parametrize("group", [digest, profile_status])
def test_it_documents_the_options_and_exit_codes(group):
    text = " ".join(run(group, "--help").stdout.split())

    for option in ("-c, --config", "-i, --instance", "-v, --verbose", "URL", "etc/gsconfig.ini"):
        assert option in text
    for code in ("0 when done", "64", "76", "78", "130"):
        assert code in text
    assert ("-t, --throttle" in text) == (group is profile_status)
