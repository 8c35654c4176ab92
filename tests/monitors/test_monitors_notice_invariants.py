"""Whatever mix of ping kinds, pauses and checks: the mails a user gets make sense."""

import itertools
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ACTIONS = ["success", "fail", "start", "log", "check", "check", "check", "pause", "resume"]
_names = itertools.count()

scenarios = st.tuples(
    st.integers(0, 300),
    st.integers(0, 900),
    st.booleans(),
    st.lists(st.tuples(st.integers(1, 600), st.sampled_from(ACTIONS)), min_size=1, max_size=16),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios)
def test_the_mails_follow_the_pings(scenario, client, make_monitor, clock, monkeypatch):
    from chalicelib import checker, monitor_admin, outbox

    max_sleep, email_frequency, refresh, steps = scenario
    name = f"inv{next(_names)}"
    clock.move_to(START)
    monitor = make_monitor(
        name, max_sleep=max_sleep, email_frequency=email_frequency, refresh_on_ping_restored=refresh
    )
    mails = []
    monkeypatch.setattr(
        outbox, "enqueue", lambda batch: mails.append(batch[0].subject.removeprefix(name + " "))
    )
    now, paused, last_alive, fail_since_mail, down = (
        round(START.timestamp()),
        False,
        None,
        False,
        False,
    )
    for gap, action in steps:
        now += gap
        clock.move_to(datetime.fromtimestamp(now, UTC))
        before = len(mails)
        if action in ("success", "fail", "start", "log"):
            suffix = "" if action == "success" else f"/{action}"
            assert client.http.get(f"/ping/{monitor['uuid']}{suffix}").status_code == 200
            if action in ("success", "fail"):
                last_alive = now
            fail_since_mail = fail_since_mail or action == "fail"
            continue
        if action in ("pause", "resume"):
            if paused and action == "resume":
                # A resumed monitor starts afresh: nothing before counts.
                last_alive, fail_since_mail, down = None, False, False
            paused = action == "pause"
            monitor_admin.set_paused(name, paused)
            continue
        checker.run()
        sent = mails[before:]
        if paused:
            assert sent == []
        for subject in sent:
            if subject == "disconnection detected":
                assert last_alive is not None and now - last_alive > max_sleep
                down = True
            elif subject == "reported a failure":
                assert fail_since_mail
                down = True
            else:
                assert subject == "is back up" and down
                down = False
            fail_since_mail = False
        assert len(sent) == len(set(sent))
    monitor_admin.delete(name)
