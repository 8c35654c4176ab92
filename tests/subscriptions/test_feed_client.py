import pytest
import requests

from chalicelib.core import clock
from chalicelib.subscriptions import feed
from chalicelib.subscriptions import tokens as feed_token
from tests.subscriptions.conftest import short_feed_timeout

SINCE = "2026-11-02T09:00:00.000000Z"
UNTIL = "2026-11-02T10:00:00.000000Z"


def _fetch(sample, **extra):
    args = {
        "since": SINCE,
        "until": UNTIL,
        "kinds": ["new", "upd"],
        "filter": {},
        "subscriber": "alice",
        **extra,
    }
    return feed.fetch(sample.changes_url, **args)


def test_it_reads_the_records_changed_in_the_window(sample, clock):
    clock.shift(60)
    sample.put({"title": "Flood", "severity": "high"})
    changes = _fetch(sample)
    assert [r.title for r in changes.records] == ["Flood"]
    assert changes.records[0].fields == [("Severity", "high")]
    assert sample.tokens[-1]["sub"] == "alice"


def test_it_follows_the_cursor(sample, clock, monkeypatch):
    monkeypatch.setattr("chalicelib.subscriptions.feed.PAGE_SIZE", 2)
    clock.shift(60)
    for n in range(5):
        sample.put({"title": f"I{n}"})
    changes = _fetch(sample)
    assert [r.title for r in changes.records] == [f"I{n}" for n in range(5)]
    assert changes.requests == 3


def test_it_asks_whether_anything_changed_in_one_request(sample, clock):
    assert feed.changed_since(sample.changes_url, SINCE) is False
    clock.shift(60)
    sample.put({"title": "Flood"})
    assert feed.changed_since(sample.changes_url, SINCE) is True
    assert sample.requests == 2


@pytest.mark.parametrize(
    ("mode", "kind"),
    [("timeout", "timeout"), ("500", "http"), ("badjson", "json"), ("badshape", "shape")],
)
def test_it_turns_a_misbehaving_feed_into_a_feed_error(sample, mode, kind, monkeypatch):
    short_feed_timeout(monkeypatch, mode)
    sample.fail_next(mode)
    with pytest.raises(feed.FeedError) as caught:
        _fetch(sample)
    assert caught.value.kind == kind


def test_it_reports_an_unreachable_feed(sample):
    with pytest.raises(feed.FeedError) as caught:
        feed.changed_since("http://127.0.0.1:9/none", SINCE)
    assert caught.value.kind == "connection"


def test_the_sample_feed_refuses_an_expired_forged_or_foreign_token(sample, clock):
    now, key, url = clock_now(), sample.key(), sample.changes_url
    expired = feed_token.issue(key, audience=url, subject="", now=0)
    forged = feed_token.issue(b"other-key", audience=url, subject="", now=now)
    foreign = feed_token.issue(key, audience="http://x/", subject="", now=now)
    # What the application of another origin could mint with its own key.
    other_origin = feed_token.issue(
        feed_token.key_for("http://127.0.0.2:8003"), audience=url, subject="", now=now
    )
    shared = feed_token.issue(b"feed-test-key", audience=url, subject="", now=now)  # the old root
    for token in (expired, forged, foreign, other_origin, shared, "garbage"):
        reply = requests.post(
            sample.changes_url,
            json={"since": SINCE, "limit": 0, "subscriber": ""},
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert reply.status_code == 401
    assert sample.tokens == []


def test_a_token_names_the_subscriber_it_acts_for(sample, clock):
    token = feed_token.issue(
        sample.key(), audience=sample.changes_url, subject="alice", now=clock_now()
    )
    reply = requests.post(
        sample.changes_url,
        json={"since": SINCE, "limit": 10, "subscriber": "bob"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert reply.status_code == 403


def clock_now():
    return clock.epoch()


def test_it_refuses_a_feed_inside_herald_s_network(sample, monkeypatch):
    monkeypatch.delenv("SUBSCRIPTIONS_ALLOW_PRIVATE_FEEDS")
    monkeypatch.delenv("HERALD_LOCAL")
    for url in (sample.changes_url, "http://169.254.169.254/latest/meta-data/"):
        with pytest.raises(feed.FeedError) as caught:
            feed.changed_since(url, SINCE)
        assert caught.value.kind == "refused"
    assert sample.requests == 0


def test_it_refuses_a_host_that_rebinds_to_a_private_address_after_the_check(sample, monkeypatch):
    import socket
    from urllib.parse import urlsplit

    monkeypatch.delenv("SUBSCRIPTIONS_ALLOW_PRIVATE_FEEDS")
    monkeypatch.delenv("HERALD_LOCAL")
    real, answers = socket.getaddrinfo, iter(["93.184.216.34"])

    def rebinding(host, port, *args, **kwargs):
        if host != "rebind.test":
            return real(host, port, *args, **kwargs)
        address = next(answers, "127.0.0.1")  # public when checked, loopback when used
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    url = sample.changes_url.replace(urlsplit(sample.changes_url).hostname, "rebind.test")
    with pytest.raises(feed.FeedError) as caught:
        feed.changed_since(url, SINCE)
    assert caught.value.kind == "refused"
    assert sample.requests == 0


def test_the_metadata_address_stays_refused_when_private_feeds_are_allowed(monkeypatch):
    monkeypatch.setenv("SUBSCRIPTIONS_ALLOW_PRIVATE_FEEDS", "1")
    with pytest.raises(feed.FeedError) as caught:
        feed.changed_since("http://169.254.169.254/latest/meta-data/", SINCE)
    assert caught.value.kind == "refused"


def test_it_accepts_the_newest_modified_on_form_of_the_changed_question(monkeypatch):
    replies = iter(
        [
            {"records": [], "newest_modified_on": "2026-11-02T09:00:01Z"},
            {"records": [], "newest_modified_on": "2026-11-02T08:00:00+00:00"},
            {"records": [], "newest_modified_on": None},
            {"records": []},
        ]
    )
    monkeypatch.setattr(feed, "_post", lambda url, body, subscriber: next(replies))
    assert feed.changed_since("http://app.example.org/f", SINCE) is True
    assert feed.changed_since("http://app.example.org/f", SINCE) is False
    assert feed.changed_since("http://app.example.org/f", SINCE) is False
    with pytest.raises(feed.FeedError):
        feed.changed_since("http://app.example.org/f", SINCE)


def test_it_stops_after_the_page_limit_and_says_so(sample, clock, monkeypatch):
    monkeypatch.setattr("chalicelib.subscriptions.feed.PAGE_SIZE", 1)
    monkeypatch.setattr("chalicelib.subscriptions.feed.MAX_PAGES", 2)
    clock.shift(60)
    for n in range(3):
        sample.put({"title": f"I{n}"})
    changes = _fetch(sample)
    assert [r.title for r in changes.records] == ["I0", "I1"]
    assert changes.truncated
