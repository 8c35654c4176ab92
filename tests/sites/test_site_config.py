"""Site configuration: SITES per stage, tokens as secrets, the original's gs.config INI."""

import json

import pytest

from chalicelib.sites import config as sites


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
        '[{"name": "x", "url": "http://h", "throttle": NaN}]',
        '[{"name": "x", "url": "http://h", "throttle": Infinity}]',
        '[{"name": "x", "url": "http://h", "throttle": "2"}]',
        '[{"name": "x", "url": "http://h", "jobs": [["digest"]]}]',
        '[{"name": "x", "url": "http://h", "jobs": "digest"}]',
        '[{"name": "x", "url": 7}]',
        '[{"name": "x", "url": "http://[::1"}]',
        '[{"name": "' + "x" * 3 + '\u00e9", "url": "http://h"}]',
        '[{"name": "x", "url": "http://h"}, {"name": "x", "url": "http://i"}]',
    ],
)
def test_it_rejects_malformed_sites(monkeypatch, value):
    monkeypatch.setenv("SITES", value)

    with pytest.raises(sites.ConfigError):
        sites.configured()


@pytest.mark.parametrize(
    "url",
    [
        "https://alice:hunter2@gs.example.com",
        "https://alice@gs.example.com/",
        "https://:hunter2@gs.example.com:8443/x",
        "https://alice:hunter2@[::1",  # unparseable too: still never echoed
    ],
)
def test_it_refuses_a_url_with_credentials_without_repeating_them(monkeypatch, url):
    monkeypatch.setenv("SITES", json.dumps([{"name": "secretive", "url": url}]))

    with pytest.raises(sites.ConfigError) as raised:
        sites.configured()

    assert "site secretive" in str(raised.value)
    assert "hunter2" not in str(raised.value) and "alice" not in str(raised.value)


def test_it_keeps_only_scheme_host_and_port_of_the_url(monkeypatch):
    monkeypatch.setenv(
        "SITES",
        json.dumps(
            [
                {"name": "one", "url": "https://GS.Example.com:8443/page?x=1#top"},
                {"name": "two", "url": "http://[::1]:8080/"},
            ]
        ),
    )

    assert sites.named("one").url == "https://gs.example.com:8443"
    assert sites.named("two").url == "http://[::1]:8080"


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


def test_it_rejects_a_gs_config_that_is_not_text(tmp_path):
    path = tmp_path / "gsconfig.ini"
    path.write_bytes(b"\xff\xfe[config-default]\x00")

    with pytest.raises(sites.ConfigError, match="cannot read"):
        sites.from_gs_config(str(path))


def test_it_rejects_a_missing_gs_config(tmp_path):
    with pytest.raises(sites.ConfigError, match="cannot read"):
        sites.from_gs_config(str(tmp_path / "absent.ini"))


@pytest.fixture
def ssm_token(aws, monkeypatch):
    """The sample site's token as an SSM SecureString, as a deployed stage keeps it."""
    from aws_lambda_powertools.utilities import parameters

    from chalicelib.core import aws as clients

    monkeypatch.setenv("SITES", json.dumps([{"name": "sample", "url": "http://h"}]))
    monkeypatch.delenv("HERALD_SITE_SAMPLE_TOKEN", raising=False)
    parameters.clear_caches()
    ssm = clients.client("ssm")

    def put(value: str) -> None:
        ssm.put_parameter(
            Name="/herald/dev/site-sample-token", Value=value, Type="SecureString", Overwrite=True
        )

    put("from-ssm")
    yield put
    parameters.clear_caches()


def test_it_reads_the_token_from_ssm_and_caches_it(ssm_token):
    site = sites.named("sample")

    assert site.token() == "from-ssm"
    ssm_token("rotated")
    assert site.token() == "from-ssm"  # cached by powertools: no SSM call per message


def test_it_says_when_the_ssm_token_is_missing(aws, monkeypatch):
    from aws_lambda_powertools.utilities import parameters

    parameters.clear_caches()
    monkeypatch.setenv("SITES", json.dumps([{"name": "lost", "url": "http://h"}]))

    with pytest.raises(sites.ConfigError, match="/herald/dev/site-lost-token"):
        sites.named("lost").token()


def test_it_refuses_a_plain_text_token_in_a_deployed_lambda(ssm_token, monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "herald-prod-site_jobs_trigger")
    monkeypatch.setenv("HERALD_SITE_SAMPLE_TOKEN", "plain")

    with pytest.raises(sites.ConfigError, match="must be in SSM"):
        sites.named("sample").token()
    monkeypatch.delenv("HERALD_SITE_SAMPLE_TOKEN")
    assert sites.named("sample").token() == "from-ssm"


def test_it_keeps_no_site_token_in_any_stages_configuration():
    from herald import environment

    config = json.loads((environment.ROOT / ".chalice" / "config.json").read_text())
    for variables in [config, *config["stages"].values()]:
        assert variables["environment_variables"]
        assert not [name for name in variables["environment_variables"] if "TOKEN" in name]
