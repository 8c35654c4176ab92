"""The whole path: ping, silence, checker, outbox handler, SES on moto, the link."""

from urllib.parse import urlsplit


def _links(message):
    text = message.get_body(("plain",)).get_content()
    return [word for word in text.split() if word.startswith("http")]


def test_it_mails_each_recipient_when_a_monitor_goes_silent(
    client, make_monitor, ping, run_checker, deliver_outbox, sent_mail, clock
):
    monitor = make_monitor(device_email=["ops@example.com", "oncall@example.com"])
    assert ping(monitor).status_code == 200
    clock.shift(300)
    run_checker()
    deliver_outbox()
    assert sent_mail() == []

    clock.shift(61)
    assert run_checker() == {"looked_at": 1, "notices": 1, "handed_off": 0}
    deliver_outbox()
    mails = sent_mail()
    assert sorted(m["To"] for m in mails) == ["oncall@example.com", "ops@example.com"]
    assert {m["Subject"] for m in mails} == {"backup disconnection detected"}
    text = mails[0].get_body(("plain",)).get_content()
    assert "2026-11-02 09:00:00 UTC" in text
    assert "max_sleep is 300 s" in text
    assert mails[0].get_body(("html",)) is not None


def test_the_logs_link_in_the_mail_works(
    client, make_monitor, ping, run_checker, deliver_outbox, sent_mail, clock
):
    monitor = make_monitor()
    ping(monitor)
    clock.shift(400)
    run_checker()
    deliver_outbox()
    [link] = [url for url in _links(sent_mail()[0]) if "/mail/mute/" not in url]
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == "http://herald.test"
    reply = client.http.get(f"{parts.path}?{parts.query}")
    assert reply.status_code == 200
    assert reply.json_body == ["09:00:00"]


def test_it_realerts_every_email_frequency_while_silent(
    client, make_monitor, ping, run_checker, deliver_outbox, sent_mail, clock
):
    monitor = make_monitor(max_sleep=60, email_frequency=600)
    ping(monitor)
    for _ in range(30):  # 30 minutes, one checker run a minute
        clock.shift(60)
        run_checker()
    deliver_outbox()
    # Alerted at 09:02, then every 10 minutes: 09:13, 09:24 (strictly more than 600 s).
    assert len(sent_mail()) == 3


def test_a_recovery_mail_says_how_long_it_was_silent(
    client, make_monitor, ping, run_checker, deliver_outbox, sent_mail, clock
):
    monitor = make_monitor()
    ping(monitor)
    clock.shift(400)
    run_checker()
    clock.shift(20 * 60)
    ping(monitor)
    clock.shift(30)
    run_checker()
    deliver_outbox()
    subjects = [m["Subject"] for m in sent_mail()]
    assert subjects == ["backup disconnection detected", "backup is back up"]
    text = sent_mail()[1].get_body(("plain",)).get_content()
    assert "after 26 min 40 s of silence" in text


def test_a_failure_is_mailed_once_per_outage_and_a_success_ends_it(
    client, make_monitor, ping, run_checker, deliver_outbox, sent_mail, clock
):
    monitor = make_monitor()
    ping(monitor)
    clock.shift(5)
    ping(monitor, "1")
    clock.shift(55)
    run_checker()
    deliver_outbox()
    assert [m["Subject"] for m in sent_mail()] == ["backup reported a failure"]
    # More failures in the same outage are not news; success is.
    ping(monitor, "fail")
    clock.shift(60)
    run_checker()
    ping(monitor, "0")
    clock.shift(60)
    run_checker()
    deliver_outbox()
    assert [m["Subject"] for m in sent_mail()] == [
        "backup reported a failure",
        "backup is back up",
    ]


def test_it_never_alerts_a_monitor_that_never_pinged(
    make_monitor, run_checker, deliver_outbox, sent_mail, clock
):
    make_monitor()
    clock.shift(86400)
    run_checker()
    deliver_outbox()
    assert sent_mail() == []


def test_it_never_alerts_a_paused_or_unmonitored_monitor(
    make_monitor, ping, run_checker, deliver_outbox, sent_mail, clock
):
    from chalicelib.monitors import admin as monitor_admin

    quiet = make_monitor("quiet", monitor=False)
    paused = make_monitor("paused")
    ping(quiet)
    ping(paused)
    monitor_admin.set_paused("paused", True)
    clock.shift(86400)
    run_checker()
    deliver_outbox()
    assert sent_mail() == []


def test_it_emits_monitor_events(make_monitor, ping, run_checker, clock, monkeypatch):
    from chalicelib.core import events

    emitted = []
    monkeypatch.setattr(events, "emit", lambda t, s, d=None, **kw: emitted.append((t, s)))
    monitor = make_monitor()
    ping(monitor)
    clock.shift(400)
    run_checker()
    ping(monitor)
    clock.shift(60)
    run_checker()
    ping(monitor, "fail")
    clock.shift(60)
    run_checker()
    types = [t for t, s in emitted if s == "backup"]
    assert types == ["monitor.down", "monitor.up", "monitor.fail"]


def test_a_failure_while_paused_is_not_mailed_after_resuming(
    make_monitor, ping, run_checker, deliver_outbox, sent_mail, clock
):
    from chalicelib.monitors import admin as monitor_admin

    monitor = make_monitor()
    ping(monitor)
    monitor_admin.set_paused("backup", True)
    ping(monitor, "fail")
    clock.shift(60)
    run_checker()
    monitor_admin.set_paused("backup", False)
    ping(monitor)
    clock.shift(60)
    run_checker()
    deliver_outbox()
    assert sent_mail() == []
