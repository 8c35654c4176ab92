"""Feed tokens: one key per feed origin, derived from the root, and the audience."""

import pytest

from chalicelib.subscriptions import tokens

NOW = 1_800_000_000
FEED = "https://incidents.example.org/api/changes"


@pytest.fixture(autouse=True)
def root(monkeypatch):
    monkeypatch.delenv("HERALD_FEED_SIGNING_KEY", raising=False)
    monkeypatch.setenv("HERALD_SECRET_KEY", "deployment-secret")
    monkeypatch.setenv("HERALD_LOCAL", "1")


def _token(url=FEED, subject="alice", now=NOW):
    return tokens.for_feed(url, subscriber=subject, now=now)


def test_it_signs_each_origin_with_its_own_key():
    claims = tokens.verify(
        _token(), tokens.key_for("https://incidents.example.org"), audience=FEED, now=NOW
    )
    assert (claims["aud"], claims["sub"], claims["iss"]) == (FEED, "alice", "herald")
    assert tokens.key_for("https://incidents.example.org") != tokens.key_for(
        "https://shelters.example.org"
    )


@pytest.mark.parametrize(
    "other",
    [
        "https://shelters.example.org",
        "http://incidents.example.org",  # another scheme
        "https://incidents.example.org:8443",  # another port
        "https://example.org",
    ],
)
def test_a_token_for_one_origin_fails_under_another_origin_s_key(other):
    with pytest.raises(tokens.InvalidToken, match="signature"):
        tokens.verify(_token(), tokens.key_for(other), audience=FEED, now=NOW)


def test_an_application_cannot_mint_a_token_for_another_origin():
    # The shelters application holds its own key: what it signs for the
    # incidents feed, with any audience and subject, is refused there.
    mine = tokens.key_for("https://shelters.example.org")
    minted = tokens.issue(mine, audience=FEED, subject="admin", now=NOW)
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(
            minted, tokens.key_for("https://incidents.example.org"), audience=FEED, now=NOW
        )


def test_the_audience_is_the_exact_feed_url_and_is_verified():
    key = tokens.key_for("https://incidents.example.org")
    other_feed = "https://incidents.example.org/api/other-changes"
    with pytest.raises(tokens.InvalidToken, match="another issuer or resource"):
        tokens.verify(_token(other_feed), key, audience=FEED, now=NOW)
    assert tokens.verify(_token(other_feed), key, audience=other_feed, now=NOW)["aud"] == other_feed


def test_the_key_is_neither_the_root_nor_the_old_shared_key(monkeypatch):
    from chalicelib.core import auth

    key = tokens.key_for("https://incidents.example.org").decode()
    assert len(key) == 64 and int(key, 16) >= 0
    assert "deployment-secret" not in key
    assert key != auth.digest("herald feed tokens v1")  # every feed's key before
    monkeypatch.setenv("HERALD_SECRET_KEY", "rotated")
    assert tokens.key_for("https://incidents.example.org").decode() != key


def test_a_configured_feed_root_replaces_the_deployment_key(monkeypatch):
    derived = tokens.key_for("https://incidents.example.org")
    monkeypatch.setenv("HERALD_FEED_SIGNING_KEY", "feed-root")
    configured = tokens.key_for("https://incidents.example.org")
    assert configured != derived and configured != b"feed-root"
    monkeypatch.setenv("HERALD_SECRET_KEY", "rotated")  # feed keys do not move with it
    assert tokens.key_for("https://incidents.example.org") == configured


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://incidents.example.org/api/changes?x=1", "https://incidents.example.org"),
        ("HTTPS://Incidents.Example.ORG:443/", "https://incidents.example.org"),
        ("http://example.org:80", "http://example.org"),
        ("http://example.org:8080/feed", "http://example.org:8080"),
        ("https://user:pw@example.org./feed", "https://example.org"),
        ("http://[::1]:8003/incidents", "http://[::1]:8003"),
        ("https://bücher.example/feed", "https://xn--bcher-kva.example"),
        ("  http://127.0.0.1:8003  ", "http://127.0.0.1:8003"),
    ],
)
def test_an_origin_is_normalised(url, origin):
    assert tokens.origin(url) == origin


@pytest.mark.parametrize(
    "url", ["ftp://example.org/", "example.org", "http:///path", "http://example.org:99999/", ""]
)
def test_a_url_without_an_http_origin_is_refused(url):
    with pytest.raises(ValueError):
        tokens.origin(url)


def test_the_same_feed_spelt_differently_gets_the_same_key():
    spelt = "HTTPS://INCIDENTS.example.org:443/api/changes"
    key = tokens.key_for(tokens.origin(FEED))
    assert tokens.verify(_token(spelt), key, audience=spelt, now=NOW)["sub"] == "alice"


def test_expired_and_future_tokens_are_refused():
    key = tokens.key_for(tokens.origin(FEED))
    with pytest.raises(tokens.InvalidToken, match="expired"):
        tokens.verify(_token(), key, audience=FEED, now=NOW + tokens.LIFETIME + 1)
    with pytest.raises(tokens.InvalidToken, match="future"):
        tokens.verify(_token(now=NOW + 120), key, audience=FEED, now=NOW)
