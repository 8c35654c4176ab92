"""Random pings, checks, maintenance windows and quiet hours against a small
reference model (policy_model.User): no outage past its policy left untold,
none told twice, nothing told inside a window, and every checker run done
twice with the outbox sending each mail id once."""

import itertools
import os
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, note, settings

from tests.monitors import policy_model as model

_names = itertools.count()


def _capture(monkeypatch, name: str) -> list[tuple[str, str]]:
    """(subject, text) of the mails sent, as the outbox sends them: each id once.
    An id handed over again must be the same mail (else the outbox loses one)."""
    from chalicelib.core import outbox

    mails, seen = [], {}

    def enqueue(batch):
        for mail in batch:
            if not mail.subject.startswith(name + " "):
                continue  # an earlier example's monitor
            subject = mail.subject.removeprefix(name + " ")
            if mail.id in seen:
                assert seen[mail.id] == subject, f"{mail.id} names two mails"
                continue
            seen[mail.id] = subject
            mails.append((subject, mail.text))

    monkeypatch.setattr(outbox, "enqueue", enqueue)
    return mails


def _walk(client, clock, monitor: dict, user: model.User, mails: list, steps) -> None:
    from chalicelib.monitors import checker

    now = model.T0
    for gap, action in steps:
        now += gap
        clock.move_to(datetime.fromtimestamp(now, UTC))
        before = len(mails)
        if action == "check":
            checker.run()
            checker.run()  # at least once: a second run tells nothing more
        else:
            suffix = "" if action == "success" else "/fail"
            reply = client.http.get(f"/ping/{monitor['uuid']}{suffix}")
            if reply.status_code == 503 and user.refusal_known(action, now):
                continue  # test_it_records_a_failure_after_a_recovery_held_in_quiet_hours
            assert reply.status_code == 200, f"{action} ping at {model.when(now)}: {reply.body}"
            user.pinged(action, now)
        user.received(mails[before:], now)
        if action == "check":
            user.checked(now)


def _ends(policy: model.Policy) -> list[int]:
    return [e for _, e in policy.maintenance] + ([policy.quiet[1]] if policy.quiet else [])


@settings(
    max_examples=int(os.environ.get("HERALD_EXAMPLES", "30")),  # `make explore`: 500
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(policy=model.policies, steps=model.steps)
def test_the_policy_tells_each_outage_once_and_never_in_a_window(
    policy, steps, client, make_monitor, clock, monkeypatch
):
    from chalicelib.monitors import admin as monitor_admin

    name = f"pol{next(_names)}"
    clock.move_to(model.START)
    monitor = make_monitor(name, **policy.settings())
    mails, user = _capture(monkeypatch, name), model.User(policy)
    # Pinged first (a monitor that never pinged is never down); then, once every
    # window has ended, a last check finds nothing left to tell.
    walked = [(0, "success"), *steps]
    end = max([model.T0 + sum(gap for gap, _ in walked), *_ends(policy)])
    walked.append((end + 1 - model.T0 - sum(gap for gap, _ in walked), "check"))
    note(f"{policy}\nsteps: {walked}")
    try:
        _walk(client, clock, monitor, user, mails, walked)
    finally:
        monitor_admin.delete(name)


# ---- what the property found, shrunk ---------------------------------------------


def test_it_alerts_a_failure_once_however_often_it_fails(job, ping, clock, told):
    monitor = job()
    for _ in range(2):
        clock.shift(1)
        assert ping(monitor, "fail").status_code == 200
    assert told() == ["job reported a failure"]
    clock.shift(model.TIMEOUT + model.GRACE + 60)
    assert told() == []  # before the fix: "job disconnection detected" ... "This is reminder 1."


QUIET = [{"days": "mon", "from": "09:05", "to": "10:00"}]  # UTC, this Monday


def test_it_records_a_failure_after_a_recovery_held_in_quiet_hours(job, ping, clock, told):
    monitor = job(quiet_hours=QUIET)
    clock.shift(60)
    assert ping(monitor, "fail").status_code == 200  # 09:01, told at once
    assert told() == ["job reported a failure"]
    clock.shift(300)
    assert ping(monitor).status_code == 200  # 09:06: the recovery is held
    clock.shift(60)
    # 09:07: this was a 503 until quiet hours ended. The failure continues the
    # outage told at 09:01, whose recovery nobody heard of: nothing new to tell.
    assert ping(monitor, "fail").status_code == 200
    clock.move_to("2026-11-02 10:00:30+00:00")
    assert told() == []
    clock.shift(10)
    assert ping(monitor).status_code == 200
    assert told() == ["job is back up"]


ONCE = [{"start": "2026-11-02T09:05:00Z", "end": "2026-11-02T09:30:00Z"}]


def test_it_tells_a_recovery_inside_a_maintenance_window_at_its_end(job, ping, clock, told):
    monitor = job(maintenance=ONCE)
    clock.shift(60)
    assert ping(monitor, "fail").status_code == 200  # 09:01, told at once
    assert told() == ["job reported a failure"]
    clock.shift(600)
    assert ping(monitor).status_code == 200  # 09:11, inside the window
    assert told() == []  # before the fix: "job is back up", inside the window
    clock.move_to("2026-11-02 09:30:00+00:00")
    assert told() == ["job is back up"]


def test_it_tells_the_recovery_of_an_outage_told_before_a_maintenance_window(
    job, ping, clock, told
):
    monitor = job(maintenance=ONCE, realert_every=300)
    clock.shift(60)
    assert ping(monitor, "fail").status_code == 200  # 09:01, told at once
    assert told() == ["job reported a failure"]
    clock.shift(361)
    assert told() == []  # 09:07, a reminder due inside the window: Herald closes the outage
    clock.shift(180)
    assert ping(monitor).status_code == 200  # 09:10, back up
    clock.move_to("2026-11-02 09:30:00+00:00")
    assert told() == ["job is back up"]  # before the fix: [], ever


def test_it_sums_up_a_failure_held_in_quiet_hours_that_recovered(job, ping, clock, told):
    monitor = job(quiet_hours=[{"days": "mon", "from": "09:57", "to": "11:53"}])
    clock.move_to("2026-11-02 09:47:00+00:00")
    assert ping(monitor, "fail").status_code == 200
    clock.move_to("2026-11-02 09:52:00+00:00")
    assert ping(monitor).status_code == 200
    assert told() == ["job reported a failure", "job is back up"]
    clock.move_to("2026-11-02 09:57:21+00:00")
    assert ping(monitor, "fail").status_code == 200  # held: quiet hours
    clock.move_to("2026-11-02 09:58:22+00:00")
    assert told() == []
    clock.move_to("2026-11-02 10:06:23+00:00")
    assert ping(monitor, "fail").status_code == 200
    clock.move_to("2026-11-02 10:08:24+00:00")
    assert told() == []
    clock.move_to("2026-11-02 10:23:24+00:00")
    assert ping(monitor).status_code == 200  # recovered, still in quiet hours
    clock.move_to("2026-11-02 11:52:00+00:00")
    assert ping(monitor).status_code == 200
    clock.move_to("2026-11-02 11:53:01+00:00")
    # before the fix: "job reported a failure", the held failure long over.
    assert told() == ["job was down during quiet hours and is back up"]


def test_a_window_after_quiet_hours_takes_the_failure_they_held(job, ping, clock, told):
    monitor = job(
        quiet_hours=[{"days": "mon", "from": "09:00", "to": "09:01"}],
        maintenance=[{"start": "2026-11-02T09:01:00Z", "end": "2026-11-02T09:02:00Z"}],
    )
    clock.shift(1)
    assert ping(monitor, "fail").status_code == 200  # held by quiet hours
    clock.move_to("2026-11-02 09:02:01+00:00")  # no check ran inside the window
    # before the fix: "job reported a failure", though the window had begun
    # before anyone could be told (a check inside it would have taken it).
    assert told() == []


def test_a_failure_after_a_recovery_held_by_maintenance_continues_the_outage(
    job, ping, clock, told
):
    monitor = job(maintenance=[{"start": "2026-11-02T09:01:00Z", "end": "2026-11-02T09:02:00Z"}])
    clock.shift(1)
    assert ping(monitor, "fail").status_code == 200  # told at once
    assert told() == ["job reported a failure"]
    clock.move_to("2026-11-02 09:01:00+00:00")
    assert ping(monitor).status_code == 200  # inside the window: its recovery waits
    clock.shift(1)
    # before the fix: 503 "last recovery is still being told", until the window's end
    assert ping(monitor, "fail").status_code == 200
    clock.move_to("2026-11-02 09:02:01+00:00")
    assert told() == []  # the outage told goes on
    assert ping(monitor).status_code == 200
    assert told() == ["job is back up"]
