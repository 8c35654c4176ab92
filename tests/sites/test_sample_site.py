"""The sample GroupServer site `make run` starts, and how it configures Herald."""

import json

from chalicelib.sites import config as sites
from chalicelib.sites import groupserver as gs
from herald.local import sample_site
from tests.helpers import free_port


def test_it_starts_on_its_port_and_points_herald_at_it(monkeypatch):
    port = free_port()
    monkeypatch.setenv("HERALD_SAMPLE_SITE_PORT", str(port))
    monkeypatch.setenv("HERALD_LOCAL", "1")  # as `make run` sets it: loopback is reachable

    companion = sample_site.start({})
    try:
        for name, value in companion.env.items():
            monkeypatch.setenv(name, value)
        (site,) = sites.configured()
        assert companion.url == site.url == f"http://127.0.0.1:{port}"
        assert site.jobs == ("digest", "profile-status")
        assert len(gs.get_digest_groups(site.url, site.token())) == 4
    finally:
        companion.stop()


def test_it_refuses_a_body_that_is_not_multipart(site):
    import requests

    reply = requests.post(site.url + gs.PROFILE_URI, data={"token": site.token, "get": ""})

    assert reply.status_code == 400
    assert json.loads(reply.content) == {"error": "expected multipart/form-data"}
