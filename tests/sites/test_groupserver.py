"""The web-hook protocol against the sample site, over real HTTP."""

import pytest

from chalicelib.sites import groupserver as gs


def test_it_lists_digest_groups_with_token_and_empty_get(site):
    groups = gs.get_digest_groups(site.url + "/ignored/path?x=1", site.token)

    assert groups == [
        ("ethel", "announce"),
        ("ethel", "development"),
        ("example", "broken"),
        ("example", "chat"),
    ]
    (request,) = site.requests
    assert request.path == gs.DIGEST_GROUPS_URI
    assert request.content_type.startswith("multipart/form-data; boundary=")
    assert request.fields == {"token": site.token, "get": ""}


def test_it_sends_a_digest_with_the_form_fields_the_site_expects(site):
    gs.send_digest(site.url, "ethel", "announce", site.token)

    (request,) = site.requests
    assert request.path == gs.SEND_DIGEST_URI
    assert request.content_type.startswith("multipart/form-data")
    assert request.fields == {
        "form.siteId": "ethel",
        "form.groupId": "announce",
        "form.token": site.token,
        "form.actions.send": "Send",
    }


def test_it_lists_profiles_without_those_who_opted_out(site):
    profiles = gs.get_profile_ids(site.url, site.token)

    assert "oscar" not in profiles and "olive" not in profiles
    assert profiles == sorted(profiles) and "alice" in profiles
    assert site.requests[0].path == gs.PROFILE_URI
    assert site.requests[0].fields == {"token": site.token, "get": ""}


def test_it_sends_profile_status_and_reads_the_reply(site):
    assert gs.send_profile_status(site.url, "alice", site.token) == (0, "sent")
    assert gs.send_profile_status(site.url, "erin", site.token) == (-8, "no verified address")

    assert site.requests[0].path == gs.SEND_STATUS_URI
    assert site.requests[0].fields == {"profileId": "alice", "token": site.token, "send": "Send"}


def test_it_raises_not_ok_with_reason_status_and_host_on_a_failed_send(site):
    with pytest.raises(gs.NotOk) as raised:
        gs.send_digest(site.url, "example", "broken", site.token)

    assert str(raised.value) == f"Internal Server Error (500 <127.0.0.1:{site.port}>)"
    assert (raised.value.reason, raised.value.status) == ("Internal Server Error", 500)
    assert raised.value.host == f"127.0.0.1:{site.port}"


def test_it_raises_not_ok_when_the_list_fails(site):
    site.list_status = 503

    with pytest.raises(gs.NotOk, match=r"Service Unavailable \(503 <127.0.0.1:\d+>\)"):
        gs.get_digest_groups(site.url, site.token)


def test_it_raises_not_ok_on_a_wrong_token(site):
    with pytest.raises(gs.NotOk, match="403"):
        gs.get_profile_ids(site.url, "wrong")


@pytest.mark.parametrize(
    "body",
    [
        b"<html>not json</html>",
        b'{"groups": []}',
        b'"ethel"',
        b'[["ethel"]]',
        b'[["ethel", 3]]',
        b'[["ethel", "a", "b"]]',
        b'[["", "group"]]',
        b"[null]",
        b'[["ethel", "' + b"g" * 201 + b'"]]',
    ],
)
def test_it_reports_a_malformed_digest_list_as_a_protocol_error(site, body):
    site.list_body = body

    with pytest.raises(gs.ProtocolError):
        gs.get_digest_groups(site.url, site.token)


@pytest.mark.parametrize(
    "body", [b"nope", b"{}", b"[1, 2]", b'[""]', b'[["alice"]]', b'["' + b"p" * 201 + b'"]']
)
def test_it_reports_a_malformed_profile_list_as_a_protocol_error(site, body):
    site.list_body = body

    with pytest.raises(gs.ProtocolError):
        gs.get_profile_ids(site.url, site.token)


def test_it_reports_a_malformed_status_reply_as_a_protocol_error(site, monkeypatch):
    monkeypatch.setattr(site, "answer", lambda path, fields: (200, {"status": "ok"}))

    with pytest.raises(gs.ProtocolError):
        gs.send_profile_status(site.url, "alice", site.token)


def test_it_reports_an_unreachable_site():
    with pytest.raises(gs.Unreachable, match="127.0.0.1:9"):
        gs.get_digest_groups("http://127.0.0.1:9", "token")


def test_it_uses_only_the_host_of_the_url():
    assert gs.base_url("https://groups.example.com/some/page?x=1") == "https://groups.example.com"
    with pytest.raises(ValueError):
        gs.base_url("groups.example.com")


def test_it_drops_credentials_from_the_url():
    assert gs.base_url("https://user:pw@gs.example.com/x") == "https://gs.example.com"
    assert gs.base_url("http://user:pw@127.0.0.1:8080") == "http://127.0.0.1:8080"
    with pytest.raises(ValueError):
        gs.base_url("https://user:pw@")


def test_it_never_names_credentials_in_errors(site):
    url = site.url.replace("://", "://user:pw@")
    site.list_status = 503

    with pytest.raises(gs.NotOk) as not_ok:
        gs.get_digest_groups(url, site.token)
    with pytest.raises(gs.Unreachable) as unreachable:
        gs.get_digest_groups("http://user:pw@127.0.0.1:9", "token")

    assert not_ok.value.host == f"127.0.0.1:{site.port}"
    assert "pw" not in str(not_ok.value)
    assert "pw" not in str(unreachable.value) and "127.0.0.1:9" in str(unreachable.value)
