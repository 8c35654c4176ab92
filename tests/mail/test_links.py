"""One-click unsubscribe: the signed links in subscription notifications."""

import re
from urllib.parse import urlsplit

import pytest

from tests.helpers import html_of, text_of
from tests.subscriptions.conftest import Harness, sample  # noqa: F401 - sample: a fixture

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
ONE_CLICK = b"List-Unsubscribe=One-Click"


def _notify(harness, title="Flood at the bridge"):
    harness.clock.shift(60)
    harness.sample.put({"title": title})
    harness.cycle()


def _https_link(mail) -> str:
    [link] = re.findall(r"<(http[^>]+)>", mail["List-Unsubscribe"])
    return urlsplit(link).path


@pytest.fixture
def harness(app, sample, clock):  # noqa: F811 - sample: the imported fixture
    """The subscription cycle end to end (tests/subscriptions/conftest.py), alice known."""
    made = Harness(app, sample, clock)
    made.person("alice", "alice@example.org")
    return made


@pytest.fixture
def subscribed(harness):
    """alice subscribed and notified once: (subscription id, her link's path)."""
    subscription = harness.subscribe()
    _notify(harness)
    [mail] = harness.mails()
    return subscription, _https_link(mail)


def test_it_puts_the_one_click_header_pair_on_a_notification(harness, subscribed):
    subscription, path = subscribed
    [mail] = harness.mails()
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["List-Unsubscribe"].startswith("<http://herald.test/mail/unsubscribe/")
    assert (
        f"<mailto:herald@example.com?subject=unsubscribe%20{subscription}>"
        in (mail["List-Unsubscribe"])
    )
    assert f"Unsubscribe: http://herald.test{path}" in text_of(mail)


def test_it_unsubscribes_on_a_one_click_post_and_mails_that_address_nothing_more(
    harness,
    client,
    subscribed,
):
    _, path = subscribed
    reply = client.http.post(path, body=ONE_CLICK, headers=FORM)
    assert reply.status_code == 200
    assert "Unsubscribed" in reply.body.decode()
    _notify(harness, "Fire at the mill")
    assert len(harness.mails()) == 1


def test_it_takes_a_post_with_an_empty_body(harness, client, subscribed):
    _, path = subscribed
    assert client.http.post(path, body=b"").status_code == 200
    _notify(harness, "Fire at the mill")
    assert len(harness.mails()) == 1


def test_it_shows_a_form_on_get_and_changes_nothing(harness, client, subscribed):
    _, path = subscribed
    reply = client.http.get(path)
    assert reply.status_code == 200
    page = reply.body.decode()
    assert '<form method="post"' in page and "<button" in page
    assert reply.headers["Content-Type"].startswith("text/html")
    _notify(harness, "Fire at the mill")
    assert len(harness.mails()) == 2


def test_a_second_post_is_harmless(harness, client, subscribed):
    _, path = subscribed
    client.http.post(path, body=ONE_CLICK, headers=FORM)
    reply = client.http.post(path, body=ONE_CLICK, headers=FORM)
    assert reply.status_code == 200
    assert "already" in reply.body.decode()


def test_the_page_offers_to_subscribe_again_and_that_works(harness, client, subscribed):
    _, path = subscribed
    page = client.http.post(path, body=ONE_CLICK, headers=FORM).body.decode()
    assert 'action="../resubscribe/' in page
    again = path.replace("/unsubscribe/", "/resubscribe/")
    assert client.http.post(again, body=ONE_CLICK, headers=FORM).status_code == 200
    _notify(harness, "Fire at the mill")
    assert len(harness.mails()) == 2


def test_it_refuses_a_tampered_or_cut_token_with_403(harness, client, subscribed):
    _, path = subscribed
    token = path.rsplit("/", 1)[1]
    body, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    for bad in (f"{body}.{flipped}", token[:-3], body, f"x{token}", token.replace(".", "")):
        reply = client.http.post(f"/mail/unsubscribe/{bad}", body=ONE_CLICK, headers=FORM)
        assert reply.status_code == 403, bad
        assert client.http.get(f"/mail/unsubscribe/{bad}").status_code == 403
    _notify(harness, "Fire at the mill")
    assert len(harness.mails()) == 2


def test_it_refuses_a_link_signed_for_another_recipient_or_subscription(harness, client):
    from chalicelib.core.mail import links

    mine = harness.subscribe()
    _notify(harness)
    [mail] = harness.mails()
    token = _https_link(mail).rsplit("/", 1)[1]
    body, signature = token.split(".")
    for other in (
        links.token("unsubscribe", "mallory@example.org", mine),
        links.token("unsubscribe", "alice@example.org", "other-subscription"),
        links.token("mute", "alice@example.org", mine),
    ):
        # Each field is covered: another payload under alice's signature fails.
        forged = f"{other.split('.')[0]}.{signature}"
        reply = client.http.post(f"/mail/unsubscribe/{forged}", body=ONE_CLICK, headers=FORM)
        assert reply.status_code == 403
    mute = links.token("mute", "alice@example.org", mine)
    assert client.http.post(f"/mail/unsubscribe/{mute}", body=b"").status_code == 403


@pytest.mark.parametrize(
    "garbage",
    ["x", "a.b", "." * 40, "%00%0d%0a", "A" * 5000 + "." + "B" * 22, "é.é", "..%2f..%2fetc"],
)
def test_it_answers_garbage_with_a_4xx_never_a_500(client, garbage):
    for method in ("GET", "POST"):
        for route in ("unsubscribe", "resubscribe", "mute", "unmute"):
            reply = client.http.request(method, f"/mail/{route}/{garbage}", body=b"")
            assert reply.status_code in (403, 404), (method, route, garbage)


def test_a_group_member_who_leaves_stops_only_their_own_mail(harness, client):
    harness.person("bob", "bob@example.org")
    harness.person("team", members=["alice", "bob"])
    subscription = harness.subscribe("team")
    _notify(harness)
    by_address = {m["To"]: m for m in harness.mails()}
    client.http.post(_https_link(by_address["bob@example.org"]), body=b"")
    _notify(harness, "Fire at the mill")
    assert [m["To"] for m in harness.mails()[2:]] == ["alice@example.org"]
    assert html_of(harness.mails()[2]) is None or "Unsubscribe" in html_of(harness.mails()[2])
    from chalicelib.subscriptions import store

    assert store.get_subscription(subscription)["unsubscribed"] == ["bob@example.org"]
