"""Failures and recoveries seconds apart, as a cron job and a person at a shell send them.

Each ping that is news is told at once, in order, whatever came just before
it and whether or not the checker has run since; the checker afterwards
sends nothing twice.
"""

import pytest


@pytest.fixture
def told(monkeypatch):
    """The types of the monitor.* events emitted, in order."""
    from chalicelib.core import events

    seen = []

    def emit(kind, source, detail=None, **options):
        if kind.startswith("monitor."):
            seen.append(kind)

    monkeypatch.setattr(events, "emit", emit)
    return seen


@pytest.fixture
def backup(make_monitor, ping, clock):
    monitor = make_monitor(max_sleep=300, email_frequency=3600)
    assert ping(monitor).status_code == 200
    return monitor


def _subjects(sent_mail, to="ops@example.com"):
    return [m["Subject"] for m in sent_mail() if m["To"] == to]


def test_it_tells_a_failure_seconds_after_a_recovery(
    backup, ping, run_checker, deliver_outbox, sent_mail, clock, told
):
    clock.shift(400)
    run_checker()  # silent: the alert
    clock.shift(20)
    ping(backup)  # back up
    clock.shift(5)
    ping(backup, "fail")
    deliver_outbox()
    assert _subjects(sent_mail) == [
        "backup disconnection detected",
        "backup is back up",
        "backup reported a failure",
    ]
    assert told == ["monitor.down", "monitor.up", "monitor.fail"]
    for _ in range(3):
        clock.shift(60)
        run_checker()
    deliver_outbox()
    assert len(sent_mail()) == 3


def test_it_tells_an_exit_status_failure_right_after_a_recovery(
    backup, ping, run_checker, deliver_outbox, sent_mail, clock
):
    ping(backup, "fail")
    clock.shift(3)
    ping(backup, "0")
    clock.shift(3)
    ping(backup, "2")
    deliver_outbox()
    assert _subjects(sent_mail) == [
        "backup reported a failure",
        "backup is back up",
        "backup reported a failure",
    ]


def test_it_tells_a_recovery_at_once_after_a_failure(
    backup, ping, deliver_outbox, sent_mail, clock, told
):
    ping(backup, "fail")
    clock.shift(5)
    ping(backup)
    deliver_outbox()  # no checker run in between
    assert _subjects(sent_mail) == ["backup reported a failure", "backup is back up"]
    assert told == ["monitor.fail", "monitor.up"]


def test_a_recovery_between_two_failures_is_told_and_nothing_twice(
    backup, ping, run_checker, deliver_outbox, sent_mail, clock
):
    for suffix in ("fail", "", "fail", "", "fail"):
        ping(backup, suffix)
        clock.shift(2)
    for _ in range(3):
        clock.shift(60)
        run_checker()
    deliver_outbox()
    assert _subjects(sent_mail) == [
        "backup reported a failure",
        "backup is back up",
    ] * 2 + ["backup reported a failure"]


def test_a_failure_after_a_recovery_that_could_not_be_told_is_told_with_it(
    backup, ping, run_checker, deliver_outbox, sent_mail, clock, monkeypatch
):
    from chalicelib.core import outbox

    clock.shift(400)
    run_checker()
    with monkeypatch.context() as patch:
        patch.setattr(outbox, "enqueue", lambda mails: (_ for _ in ()).throw(OSError("SQS down")))
        assert ping(backup).status_code == 200  # recorded; its news could not be sent
    clock.shift(5)
    assert ping(backup, "fail").status_code == 200
    deliver_outbox()
    assert _subjects(sent_mail) == [
        "backup disconnection detected",
        "backup is back up",
        "backup reported a failure",
    ]


def test_a_later_silence_alert_names_the_failure_ping_as_the_last_sign_of_life(
    backup, ping, run_checker, deliver_outbox, sent_mail, clock
):
    clock.shift(60)
    ping(backup, "fail")  # 09:01:00
    clock.shift(3600 + 120)
    run_checker()
    deliver_outbox()
    reminder = [m for m in sent_mail() if m["Subject"] == "backup disconnection detected"][0]
    assert "since 2026-11-02 09:01:00 UTC" in reminder.get_body(("plain",)).get_content()


@pytest.mark.parametrize("jitter", [0.0, 0.4])
def test_a_reminder_comes_email_frequency_after_the_alert_not_a_minute_later(
    make_monitor, ping, run_checker, clock, monkeypatch, jitter
):
    from chalicelib.core import clock as herald_clock
    from chalicelib.core import outbox

    alerts = []
    monkeypatch.setattr(outbox, "enqueue", lambda mails: alerts.append(herald_clock.epoch()))
    monitor = make_monitor("reminded", max_sleep=60, email_frequency=300)
    ping(monitor)
    start = herald_clock.epoch()
    for minute in range(1, 18):
        # The scheduler starts each run a little after the minute, not always
        # by the same amount.
        clock.move_to(start + 60 * minute + (jitter if minute % 2 else 0.0))
        run_checker()
    gaps = [round(b - a) for a, b in zip(alerts, alerts[1:], strict=False)]
    assert gaps == [300, 300, 300]


def _failing_reads(monkeypatch):
    """Every consistent read of a monitor fails, as when DynamoDB throttles."""
    from chalicelib.core import aws

    events = aws.dynamodb().meta.client.meta.events

    def refuse(**kwargs):
        raise OSError("throttled")

    events.register("before-call.dynamodb.GetItem", refuse)
    return lambda: events.unregister("before-call.dynamodb.GetItem", refuse)


def test_a_failure_on_a_recovery_nobody_could_tell_tells_both(
    backup, ping, run_checker, deliver_outbox, sent_mail, clock, monkeypatch
):
    clock.shift(400)
    run_checker()
    stop = _failing_reads(monkeypatch)
    assert ping(backup).status_code == 200  # recorded; reading to settle it failed
    stop()
    clock.shift(5)
    assert ping(backup, "fail").status_code == 200  # settles the recovery first
    deliver_outbox()
    assert _subjects(sent_mail) == [
        "backup disconnection detected",
        "backup is back up",
        "backup reported a failure",
    ]


def test_a_failure_that_cannot_settle_the_recovery_first_asks_to_ping_again(
    backup, ping, run_checker, deliver_outbox, sent_mail, clock, monkeypatch
):
    from chalicelib.monitors import checker

    clock.shift(400)
    run_checker()
    stop = _failing_reads(monkeypatch)
    ping(backup)
    stop()
    clock.shift(5)
    with monkeypatch.context() as patch:
        patch.setattr(checker, "_claim", lambda *args: (_ for _ in ()).throw(OSError("throttled")))
        refused = ping(backup, "fail")
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "5"
    assert refused.json_body["Code"] == "ServiceUnavailableError"
    clock.shift(5)
    assert ping(backup, "fail").status_code == 200  # the client's retry
    deliver_outbox()
    assert _subjects(sent_mail) == [
        "backup disconnection detected",
        "backup is back up",
        "backup reported a failure",
    ]
