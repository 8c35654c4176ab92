"""A fail ping, or the first success after an alert, mails at once; the checker backs it up."""

import pytest

from tests.helpers import dynamodb_requests


def _subjects(sent_mail):
    return sorted((m["To"], m["Subject"]) for m in sent_mail())


@pytest.fixture
def two(make_monitor, ping, clock):
    monitor = make_monitor(device_email=["ops@example.com", "oncall@example.com"])
    assert ping(monitor).status_code == 200
    clock.shift(30)
    return monitor


def test_it_mails_a_failure_before_any_checker_run(two, ping, deliver_outbox, sent_mail):
    assert ping(two, "fail").status_code == 200
    deliver_outbox()
    assert _subjects(sent_mail) == [
        ("oncall@example.com", "backup reported a failure"),
        ("ops@example.com", "backup reported a failure"),
    ]


def test_a_non_zero_exit_status_mails_at_once(two, ping, deliver_outbox, sent_mail):
    ping(two, "3")
    deliver_outbox()
    assert {m["Subject"] for m in sent_mail()} == {"backup reported a failure"}


def test_the_checker_after_a_failure_ping_sends_no_second_mail(
    two, ping, run_checker, deliver_outbox, sent_mail, clock
):
    ping(two, "fail")
    deliver_outbox()
    for _ in range(3):
        clock.shift(60)
        run_checker()
        deliver_outbox()
    assert len(sent_mail()) == 2  # one per recipient


def test_a_ping_that_is_not_news_makes_two_dynamodb_requests(two, ping):
    ping(two)  # warm the clients so the hook sees every request
    with dynamodb_requests() as calls:
        assert ping(two).status_code == 200
        assert ping(two, "start").status_code == 200
    assert calls == ["UpdateItem", "PutItem"] * 2


def test_a_failure_ping_settles_its_news_in_eight_dynamodb_requests(two, ping):
    ping(two)
    with dynamodb_requests() as calls:
        assert ping(two, "fail").status_code == 200
    # the ping, its log entry; then as the checker: read, claim, the flip, who
    # muted it (docs/mail.md), the deployment's default channels (it names none), finish
    assert calls == ["UpdateItem", "PutItem", "GetItem", "UpdateItem", "PutItem",
                     "BatchGetItem", "Query", "UpdateItem"]  # fmt: skip


def test_a_monitor_that_names_its_channels_reads_them_instead_of_the_defaults(
    make_monitor, ping, clock
):
    from chalicelib.core.channels import store

    channel = store.create("email", "team", {"recipients": ["team@example.com"]})
    quiet = make_monitor("quiet", channels=[])
    named = make_monitor("named", channels=[channel["id"]])
    for monitor in (quiet, named):
        ping(monitor)
    clock.shift(30)
    with dynamodb_requests() as none_calls:
        ping(quiet, "fail")
    with dynamodb_requests() as named_calls:
        ping(named, "fail")
    # Telling nothing but mail, each reads whether its addresses are suppressed
    # (a fallback to the defaults, docs/mail.md), and each list of addresses it
    # mails who muted it: a BatchGetItem each (named: its channel, suppressions,
    # its recipients' mutes, the e-mail channel's).
    assert "Query" not in none_calls and len(none_calls) == 8
    assert named_calls.count("BatchGetItem") == 4 and "Query" not in named_calls


def test_a_recovery_ping_settles_its_news_in_eight_dynamodb_requests(
    two, ping, run_checker, clock, deliver_outbox, sent_mail
):
    clock.shift(400)
    run_checker()
    with dynamodb_requests() as calls:
        assert ping(two).status_code == 200
    assert len(calls) == 8 and "Scan" not in calls, calls
    deliver_outbox()
    assert [m["Subject"] for m in sent_mail()].count("backup is back up") == 2


def test_a_second_failure_in_the_same_outage_is_not_news(
    two, ping, run_checker, deliver_outbox, sent_mail, clock
):
    ping(two, "fail")
    clock.shift(10)
    ping(two, "1")
    clock.shift(60)
    run_checker()
    ping(two, "fail")
    deliver_outbox()
    assert len(sent_mail()) == 2


def test_the_first_ping_after_an_alert_mails_the_recovery_at_once(
    two, ping, run_checker, deliver_outbox, sent_mail, clock
):
    clock.shift(400)  # silent since 09:00:00, alerted at 09:07:10, back at 09:17:10
    run_checker()
    clock.shift(600)
    ping(two)
    deliver_outbox()
    recovered = [m for m in sent_mail() if m["Subject"] == "backup is back up"]
    assert len(recovered) == 2
    assert "after 17 min 10 s of silence" in recovered[0].get_body(("plain",)).get_content()
    clock.shift(60)
    run_checker()
    ping(two)
    deliver_outbox()
    assert len(sent_mail()) == 4  # the alert and the recovery, once each per recipient


def test_a_ping_that_cannot_reach_the_outbox_is_mailed_by_the_checker(
    two, ping, run_checker, deliver_outbox, sent_mail, clock, monkeypatch
):
    from chalicelib.core import outbox

    with monkeypatch.context() as patch:
        patch.setattr(outbox, "enqueue", lambda mails: (_ for _ in ()).throw(OSError("SQS down")))
        assert ping(two, "fail").status_code == 200
    deliver_outbox()
    assert sent_mail() == []
    clock.shift(60)
    run_checker()
    deliver_outbox()
    assert {m["Subject"] for m in sent_mail()} == {"backup reported a failure"}
    assert len(sent_mail()) == 2


def test_a_failure_of_a_paused_or_unmonitored_monitor_is_not_mailed(
    make_monitor, ping, deliver_outbox, sent_mail
):
    from chalicelib.monitors import admin as monitor_admin

    quiet = make_monitor("quiet", monitor=False)
    paused = make_monitor("paused")
    monitor_admin.set_paused("paused", True)
    ping(quiet, "fail")
    ping(paused, "fail")
    deliver_outbox()
    assert sent_mail() == []


def test_a_ping_finishes_an_unfinished_alert_before_telling_the_recovery(
    two, ping, run_checker, deliver_outbox, sent_mail, clock, monkeypatch
):
    from chalicelib.core import outbox

    clock.shift(400)
    with monkeypatch.context() as patch:
        patch.setattr(outbox, "enqueue", lambda mails: (_ for _ in ()).throw(OSError("SQS down")))
        run_checker()  # the alert is claimed but never reaches the outbox
    ping(two)
    for _ in range(2):
        clock.shift(60)
        run_checker()
    deliver_outbox()
    subjects = [m["Subject"] for m in sent_mail() if m["To"] == "ops@example.com"]
    assert subjects == ["backup disconnection detected", "backup is back up"]


def test_the_ping_and_the_checker_name_a_notice_alike_however_its_time_is_written():
    from decimal import Decimal

    from chalicelib.monitors import notices

    as_pinged = {"kind": "fail", "fail_at": Decimal("1793610030.250000")}
    as_stored = {"kind": "fail", "fail_at": Decimal("1793610030.25"), "seq": 7}
    assert notices.notice_id("m", as_pinged) == notices.notice_id("m", as_stored)
    up = {"kind": "up", "outage_start": Decimal("1793610000")}
    assert notices.notice_id("m", up) == "mon-m-up-1793610000000000"
    assert notices.notice_id("m", {"kind": "down", "seq": Decimal(3)}) == "mon-m-3"
