"""What a ping stores, kept small: large bodies compressed, the due index moved once a minute."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime

import pytest

from tests.monitors.conftest import draining

LOG_LINES = b"".join(
    b"2026-11-02 09:00:%02d backup: copied 1834 files\n" % (n % 60) for n in range(250)
)


@pytest.fixture
def deliver_wakeups(app):
    return draining(app, "wakeups")


def _log(name="backup"):
    from chalicelib.monitors import logs, store

    return logs.entries(store.get(name), date(2026, 11, 2))


def _due_at(name="backup") -> Decimal:
    from chalicelib.monitors import store

    return store.get(name)["due_at"]


def test_it_stores_a_large_body_compressed_and_gives_it_back_whole(
    make_monitor, ping, clock, client, api_key
):
    from chalicelib.monitors import ping_bodies

    monitor = make_monitor()
    assert len(LOG_LINES) > 10_000
    ping(monitor, method="POST", body=LOG_LINES)
    [entry] = _log()
    assert "body" not in entry and len(bytes(entry["body_z"])) < 1000  # 1 write unit, not 10
    assert ping_bodies.text(entry) == LOG_LINES[:10_000].decode()
    day = client.http.get("/monitors/backup/pings?date=2026-11-02", headers=api_key)
    assert json.loads(day.body)["pings"][0]["body"] == LOG_LINES[:10_000].decode()


def test_it_keeps_a_small_body_as_text(make_monitor, ping, clock):
    monitor = make_monitor()
    ping(monitor, method="POST", body=b"copied 1834 files")
    [entry] = _log()
    assert entry["body"] == "copied 1834 files" and "body_z" not in entry


def test_pings_within_one_minute_leave_the_due_index_as_it_was(make_monitor, ping, clock):
    monitor = make_monitor()  # max_sleep 300
    clock.move_to("2026-11-02 09:00:10+00:00")
    ping(monitor)
    first = _due_at()
    clock.move_to("2026-11-02 09:00:59+00:00")
    ping(monitor)
    assert _due_at() == first == Decimal(datetime(2026, 11, 2, 9, 5, tzinfo=UTC).timestamp())
    clock.move_to("2026-11-02 09:01:00+00:00")
    ping(monitor)
    assert _due_at() == first + 60


def test_a_look_a_minute_early_waits_for_the_exact_deadline_without_a_write(
    make_monitor, ping, run_checker, deliver_wakeups, deliver_outbox, sent_mail, clock
):
    from chalicelib.monitors import store

    monitor = make_monitor()
    clock.move_to("2026-11-02 09:00:50+00:00")
    ping(monitor)  # the index says 09:05:00; late only after 09:05:50
    before = store.get("backup")
    clock.move_to("2026-11-02 09:05:00+00:00")
    assert run_checker()["notices"] == 0
    assert store.get("backup") == before  # no re-arm: a wake-up holds the exact time
    clock.shift(50)
    assert deliver_wakeups() == 0  # 09:05:50, the deadline itself: not late yet
    clock.shift(1)
    assert deliver_wakeups() == 1
    deliver_outbox()
    [mail] = sent_mail()
    assert mail["Subject"] == "backup disconnection detected"
    assert parsedate_to_datetime(mail["Date"]) == datetime(2026, 11, 2, 9, 5, 51, tzinfo=UTC)


def test_a_ping_before_the_exact_deadline_silences_the_early_look(
    make_monitor, ping, run_checker, deliver_wakeups, deliver_outbox, sent_mail, clock
):
    monitor = make_monitor()
    clock.move_to("2026-11-02 09:00:50+00:00")
    ping(monitor)
    clock.move_to("2026-11-02 09:05:00+00:00")
    run_checker()
    clock.shift(30)
    ping(monitor)
    clock.shift(30)
    deliver_wakeups()
    deliver_outbox()
    assert sent_mail() == []
