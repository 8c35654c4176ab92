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


class User:
    """What the monitor's owner knows from its pings, and what each mail must agree with."""

    def __init__(self, max_sleep: int):
        self.max_sleep = max_sleep
        self.paused, self.last_alive, self.fail_since_mail, self.down = False, None, False, False

    def pinged(self, action: str, now: int) -> None:
        if action in ("success", "fail"):
            self.last_alive = now
        self.fail_since_mail = self.fail_since_mail or action == "fail"

    def paused_or_resumed(self, action: str) -> None:
        if self.paused and action == "resume":
            # A resumed monitor starts afresh: nothing before counts.
            self.last_alive, self.fail_since_mail, self.down = None, False, False
        self.paused = action == "pause"

    def received(self, sent: list[str], now: int) -> None:
        assert not (self.paused and sent)
        assert len(sent) == len(set(sent))
        for subject in sent:
            if subject == "disconnection detected":
                assert self.last_alive is not None and now - self.last_alive > self.max_sleep
                self.down = True
            elif subject == "reported a failure":
                assert self.fail_since_mail
                self.down = True
            else:
                assert subject == "is back up" and self.down
                self.down = False
            self.fail_since_mail = False


def _capture(monkeypatch, name: str) -> list[str]:
    """The subjects sent, as the outbox sends them: a mail id handed over twice, once."""
    from chalicelib.core import outbox

    mails, ids = [], set()

    def enqueue(batch):
        if batch[0].id not in ids:
            ids.add(batch[0].id)
            mails.append(batch[0].subject.removeprefix(name + " "))

    monkeypatch.setattr(outbox, "enqueue", enqueue)
    return mails


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios)
def test_the_mails_follow_the_pings(scenario, client, make_monitor, clock, monkeypatch):
    from chalicelib.monitors import admin as monitor_admin
    from chalicelib.monitors import checker

    max_sleep, email_frequency, refresh, steps = scenario
    name = f"inv{next(_names)}"
    clock.move_to(START)
    monitor = make_monitor(
        name, max_sleep=max_sleep, email_frequency=email_frequency, refresh_on_ping_restored=refresh
    )
    mails, user, now = _capture(monkeypatch, name), User(max_sleep), round(START.timestamp())
    for gap, action in steps:
        now += gap
        clock.move_to(datetime.fromtimestamp(now, UTC))
        before = len(mails)
        if action in ("pause", "resume"):
            user.paused_or_resumed(action)
            monitor_admin.set_paused(name, user.paused)
            continue
        if action == "check":
            checker.run()
        else:
            suffix = "" if action == "success" else f"/{action}"
            assert client.http.get(f"/ping/{monitor['uuid']}{suffix}").status_code == 200
            user.pinged(action, now)
        user.received(mails[before:], now)
    monitor_admin.delete(name)
