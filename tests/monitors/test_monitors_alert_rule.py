"""The checker alerts exactly when the original's rule says, checked by hypothesis.

The reference is the original Ping_listener's loop, written out on its own
here; the system under test is the real one: pings through the API, the
sparse due index and the checker on moto, with time under control.
"""

import itertools
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
_names = itertools.count()


START_JITTER = 5


def reference(events, max_sleep, email_frequency, refresh):
    """The times the original would have mailed, given pings and loop steps.

    With Herald's one change: a reminder is due from the last mail plus
    email_frequency less START_JITTER (the original's loop was tight; a
    checker started once a minute wanders by a little each time).
    """
    last_ping, last_email, mailed = None, float("-inf"), []
    for when, kind in events:
        if kind == "ping":
            last_ping = when
            continue
        if last_ping is None:
            continue  # Herald: no alert before the first ping
        late = when - last_ping > max_sleep
        reminder = when - last_email >= email_frequency - START_JITTER
        if refresh:
            alert = late and (last_ping > last_email or reminder)
        else:
            alert = late and reminder
        if alert:
            mailed.append(when)
            last_email = when
    return mailed


# Small numbers too, so that the strict comparisons are hit exactly.
scenarios = st.tuples(
    st.one_of(st.integers(0, 4), st.integers(0, 600)),
    st.one_of(st.integers(0, 4), st.integers(0, 3600)),
    st.booleans(),
    st.lists(
        st.tuples(
            st.one_of(st.integers(1, 3), st.integers(1, 1200)),
            st.sampled_from(["ping", "check", "check"]),
        ),
        min_size=1,
        max_size=14,
    ),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios)
def test_it_alerts_exactly_when_the_original_rule_does(
    scenario, client, make_monitor, clock, monkeypatch
):
    from chalicelib.core import clock as herald_clock
    from chalicelib.core import outbox
    from chalicelib.monitors import admin as monitor_admin
    from chalicelib.monitors import checker

    max_sleep, email_frequency, refresh, steps = scenario
    name = f"m{next(_names)}"
    clock.move_to(START)
    monitor = make_monitor(
        name,
        max_sleep=max_sleep,
        email_frequency=email_frequency,
        refresh_on_ping_restored=refresh,
    )
    alerts = []

    def capture(mails):
        if any(m.subject == f"{name} disconnection detected" for m in mails):
            alerts.append(round(herald_clock.epoch()))

    monkeypatch.setattr(outbox, "enqueue", capture)
    events, now = [], round(START.timestamp())
    for gap, kind in steps:
        now += gap
        clock.move_to(datetime.fromtimestamp(now, UTC))
        events.append((now, kind))
        if kind == "ping":
            assert client.http.get(f"/ping/{monitor['uuid']}").status_code == 200
        else:
            checker.run()
    monitor_admin.delete(name)
    assert alerts == reference(events, max_sleep, email_frequency, refresh)
