"""The local scheduler fires handlers at the times their expressions give."""

from datetime import UTC, datetime, timedelta

import pytest
from chalice import Chalice, Cron, Rate

from herald.local.invoke import fire, schedules
from herald.local.scheduler import Scheduler, next_time

T0 = datetime(2026, 11, 2, 9, 0, 30, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("rate(1 minute)", T0 + timedelta(minutes=1)),
        ("rate(5 minutes)", T0 + timedelta(minutes=5)),
        ("rate(2 hours)", T0 + timedelta(hours=2)),
        ("cron(0 5 * * ? *)", datetime(2026, 11, 3, 5, 0, tzinfo=UTC)),
        ("cron(0 6 1 * ? *)", datetime(2026, 12, 1, 6, 0, tzinfo=UTC)),
        # EventBridge counts days of the week from 1 = Sunday.
        ("cron(0 8 ? * 1 *)", datetime(2026, 11, 8, 8, 0, tzinfo=UTC)),
        ("cron(0 8 ? * MON-FRI *)", datetime(2026, 11, 3, 8, 0, tzinfo=UTC)),
    ],
)
def test_it_computes_the_next_firing(expression, expected):
    assert next_time(expression, T0, T0) == expected


def test_it_refuses_what_eventbridge_would_refuse():
    with pytest.raises(ValueError):
        next_time("every minute", T0, T0)


def test_it_fires_each_handler_when_due_and_not_before():
    now = [T0]
    fired = []
    scheduler = Scheduler(
        {"every_minute": "rate(1 minute)", "daily": "cron(0 5 * * ? *)"},
        fired.append,
        now=lambda: now[0],
    )
    assert scheduler.run_pending() == []
    now[0] = T0 + timedelta(seconds=59)
    assert scheduler.run_pending() == []
    now[0] = T0 + timedelta(minutes=1)
    assert scheduler.run_pending() == ["every_minute"]
    assert scheduler.run_pending() == []
    now[0] = datetime(2026, 11, 3, 5, 0, 1, tzinfo=UTC)
    assert sorted(scheduler.run_pending()) == ["daily", "every_minute"]


def test_it_reads_schedules_from_the_app_registrations():
    app = Chalice("schedules-test")
    calls = []

    @app.schedule(Rate(5, unit=Rate.MINUTES))
    def check(event):
        calls.append(event.to_dict()["detail-type"])

    @app.schedule(Cron(0, 5, "*", "*", "?", "*"))
    def digest(event):
        pass

    assert schedules(app) == {"check": "rate(5 minutes)", "digest": "cron(0 5 * * ? *)"}
    fire(app, "check")
    assert calls == ["Scheduled Event"]
    with pytest.raises(KeyError):
        fire(app, "nope")
