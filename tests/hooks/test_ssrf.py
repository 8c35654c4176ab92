"""Destinations inside Herald's network are refused, at delivery and on redirects."""

import json

import pytest

FORBIDDEN = ["127.0.0.1", "10.0.0.8", "169.254.169.254", "::1", "::ffff:127.0.0.1", "192.168.1.2"]


@pytest.fixture
def fake_post(monkeypatch):
    """requests.Session.post answering from a script, recording the URLs it was asked for."""
    import requests

    calls, replies = [], []

    class Reply:
        def __init__(self, status, headers):
            self.status_code, self.headers = status, headers

        def close(self):
            pass

    def post(session, url, **kwargs):
        calls.append({"url": url, **kwargs})
        return Reply(*replies.pop(0)) if replies else Reply(200, {})

    monkeypatch.setattr(requests.Session, "post", post)
    return calls, replies


@pytest.mark.parametrize("address", FORBIDDEN)
def test_a_host_resolving_to_an_internal_address_is_refused(aws, resolver, address):
    from chalicelib.core import ssrf

    resolver["sneaky.example"] = [address]
    with pytest.raises(ssrf.Refused, match="sneaky.example resolves to"):
        ssrf.check_url("https://sneaky.example/hook")


def test_one_internal_address_among_public_ones_is_enough_to_refuse(aws, resolver):
    from chalicelib.core import ssrf

    resolver["mixed.example"] = ["93.184.215.14", "10.0.0.1"]
    with pytest.raises(ssrf.Refused):
        ssrf.check_url("https://mixed.example/")


def test_literal_addresses_are_checked_too(aws, resolver):
    from chalicelib.core import ssrf

    for url in ("https://[::1]/", "https://169.254.169.254/latest/meta-data", "https://10.1.1.1"):
        with pytest.raises(ssrf.Refused):
            ssrf.check_url(url)
    assert ssrf.check_url("https://93.184.215.14/") == ["93.184.215.14"]


def test_local_mode_allows_loopback_only(local_mode, resolver):
    from chalicelib.core import ssrf

    assert ssrf.check_url("http://127.0.0.1:8004/hook") == ["127.0.0.1"]
    assert ssrf.check_url("http://[::1]:8004/hook") == ["::1"]
    for address in ("10.0.0.8", "169.254.169.254"):
        resolver["inside.example"] = [address]
        with pytest.raises(ssrf.Refused):
            ssrf.check_url("http://inside.example/")


def test_plain_http_is_refused_outside_local_mode(aws, resolver):
    from chalicelib.core import ssrf

    with pytest.raises(ssrf.Refused, match="https"):
        ssrf.check_url("http://hooks.example/")


@pytest.mark.parametrize("address", FORBIDDEN)
def test_a_redirect_to_an_internal_address_is_not_followed(aws, resolver, fake_post, address):
    from chalicelib.hooks import webhooks

    calls, replies = fake_post
    resolver["inside.example"] = [address]
    replies.append((307, {"location": "https://inside.example/latest/meta-data"}))
    outcome = webhooks.post("https://hooks.example/in", b"{}", {})
    assert outcome.status == "refused" and address in outcome.error
    assert [c["url"] for c in calls] == ["https://hooks.example/in"]
    assert calls[0]["allow_redirects"] is False


def test_a_redirect_to_a_public_address_is_followed_with_the_same_body(aws, resolver, fake_post):
    from chalicelib.hooks import webhooks

    calls, replies = fake_post
    replies.append((308, {"location": "/moved"}))
    outcome = webhooks.post("https://hooks.example/in", b'{"a":1}', {"webhook-id": "msg_1"})
    assert outcome.status == "success"
    assert [c["url"] for c in calls] == ["https://hooks.example/in", "https://hooks.example/moved"]
    assert calls[1]["data"] == b'{"a":1}' and calls[1]["headers"] == {"webhook-id": "msg_1"}


def test_other_redirects_count_as_failures(aws, resolver, fake_post):
    from chalicelib.hooks import webhooks

    _calls, replies = fake_post
    replies.append((302, {"location": "https://hooks.example/elsewhere"}))
    outcome = webhooks.post("https://hooks.example/in", b"{}", {})
    assert outcome.status == "failed" and outcome.code == 302


def test_dns_changing_after_creation_is_caught_at_delivery(
    client, api_key, make_hook, resolver, fake_post, send_event, drain, dead_letters
):
    calls, _replies = fake_post
    hook, _ = make_hook(arg="https://rebind.example/in")
    resolver["rebind.example"] = ["169.254.169.254"]
    send_event()
    drain()
    assert calls == []
    reply = client.http.get(f"/hooks/{hook['id']}/deliveries", headers=api_key)
    (attempt,) = json.loads(reply.body)["deliveries"]
    assert attempt["status"] == "dead" and attempt["result"] == "refused"
    assert "169.254.169.254" in attempt["error"]
    assert len(dead_letters()) == 1


def test_a_connection_that_reaches_an_internal_address_is_cut(aws, resolver, monkeypatch):
    """DNS rebinding: the guard's lookup says public, the connection's own says loopback."""
    import socket

    from chalicelib.hooks import webhooks

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    real = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        return real("127.0.0.1" if host == "rebind.example" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    try:
        outcome = webhooks.post(f"https://rebind.example:{port}/in", b"{}", {})
    finally:
        listener.close()
    assert outcome.status == "refused"
    assert "rebind.example resolves to 127.0.0.1" in outcome.error
