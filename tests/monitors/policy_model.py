"""The reference model for test_monitors_policy_model.py: what the owner of a
simple-schedule monitor (timeout 300 s, grace 60 s) may expect of the alert
policy, knowing only the pings, the windows, the checker's runs and the mails.

Deliberately not Herald: no items, needs or claims. The user knows when the
monitor last pinged, whether a maintenance or quiet window is on, and what the
mails said (`down`: told of an outage and not yet of its end). Silence counts
from the last ping, or from the end of a maintenance window that took its
deadline or the grace before it. A failure is an outage
while no maintenance window touched it; the model counts failures in a row, so
a `failure_threshold` (not in Herald yet: 1, every failure) is one comparison.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
T0 = int(START.timestamp())
TIMEOUT, GRACE = 300, 60
JITTER = 5  # alert_rule.START_JITTER: a reminder may come this much early


def at(minutes: int) -> int:
    return T0 + 60 * minutes


def when(epoch: float) -> str:
    """A time as the notices write it."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Policy:
    maintenance: tuple[tuple[int, int], ...] = ()  # one-off windows [start, end)
    quiet: tuple[int, int] | None = None  # this Monday's quiet hours [start, end)
    tz: str = "UTC"  # the quiet hours' zone
    quiet_summary: bool = True
    realert_every: int | None = None
    realert_limit: int | None = None
    failure_threshold: int = 1  # not a setting yet: every failure opens an outage

    def settings(self) -> dict:
        found = {"timeout": TIMEOUT, "grace": GRACE, "quiet_summary": self.quiet_summary}
        found["flapping"] = False  # not modelled: test_monitors_flapping.py
        if self.maintenance:
            found["maintenance"] = [{"start": _iso(s), "end": _iso(e)} for s, e in self.maintenance]
        if self.quiet:
            start, end = (datetime.fromtimestamp(t, ZoneInfo(self.tz)) for t in self.quiet)
            window = {"days": "mon", "from": f"{start:%H:%M}", "to": f"{end:%H:%M}"}
            found["quiet_hours"] = [{**window, "tz": self.tz}]
        if self.realert_every is not None:
            found["realert_every"] = self.realert_every
        if self.realert_limit is not None:
            found["realert_limit"] = self.realert_limit
        return found

    def maintained(self, t: float) -> bool:
        return any(s <= t < e for s, e in self.maintenance)

    def quiet_at(self, t: float) -> bool:
        return self.quiet is not None and self.quiet[0] <= t < self.quiet[1]

    def silent_time(self, t: float) -> bool:
        """Whether nobody may be told anything at `t`."""
        return self.maintained(t) or self.quiet_at(t)

    def base(self, last_ping: float, now: float) -> float:
        """Where silence counts from: the last ping, or the end (by now) of a
        maintenance window over its deadline or the grace before it; again
        from there, for at most three windows."""
        since = last_ping
        for _ in range(3):
            due = since + TIMEOUT  # the expected ping; down after its grace
            ends = [e for s, e in self.maintenance if s <= due + GRACE and due < e <= now]
            if not ends:
                break
            since = max(ends)
        return since


def _span(start: int, minutes: int) -> tuple[int, int]:
    return at(start), at(start + minutes)


spans = st.builds(_span, st.integers(0, 150), st.integers(1, 60))
policies = st.builds(
    Policy,
    maintenance=st.lists(spans, max_size=2).map(tuple),
    quiet=st.none() | st.builds(_span, st.integers(0, 150), st.integers(1, 120)),
    tz=st.sampled_from(["UTC", "Europe/Berlin"]),
    quiet_summary=st.booleans(),
    realert_every=st.sampled_from([None, 300, 600]),
    realert_limit=st.sampled_from([None, 0, 1, 2]),
)
gaps = st.sampled_from([1, 59, 60, 60, 60, 61, 300, 360, 361, 600]) | st.integers(1, 900)
steps = st.lists(
    st.tuples(gaps, st.sampled_from(["success", "fail", "check", "check", "check"])),
    min_size=1,
    max_size=24,
)


class User:
    """What the owner knows, and what each mail and each check must agree with."""

    def __init__(self, policy: Policy):
        self.p = policy
        self.last_ping = self.last_fail = self.last_alert = None
        self.ping_before = self.pinged_at = None
        self.fails = 0  # failures in a row
        # Told of an outage, not yet of its end; "closed": maybe closed unsaid by
        # a maintenance window (KNOWN: test_it_tells_the_recovery_of_...).
        self.down = False
        self.recovered = False  # a success since the last alert
        # An outage seen in quiet hours, untold: "held", or "maybe" (maintenance since).
        self.held = None
        self.summary = None  # of a held outage that ended: "owed", or "maybe"
        self.reminders = 0

    def silent(self, now: float, last_ping: float | None = None) -> bool:
        """Past the deadline: no ping for a period and its grace (from the base)."""
        last_ping = self.last_ping if last_ping is None else last_ping
        if last_ping is None:
            return False
        return now > self.p.base(last_ping, now) + TIMEOUT + GRACE

    def failing(self, now: float) -> bool:
        """Failing past the threshold, and no maintenance window touched it since."""
        if self.fails < self.p.failure_threshold:
            return False
        return not any(s <= now and e > self.last_fail for s, e in self.p.maintenance)

    def bad(self, now: float) -> bool:
        return self.silent(now) or self.failing(now)

    def pinged(self, kind: str, now: int) -> None:
        self.ping_before, self.pinged_at = self.last_ping, now
        self.last_ping = now
        if kind == "fail":
            self.fails, self.last_fail = self.fails + 1, now
            if self.p.silent_time(now):
                # Inside a window a failure continues the outage told: a success
                # before it, held back, is no recovery to tell any more. Nor is
                # a held outage's recovery, still held (its summary not yet
                # told): the failure continues that outage, told as one notice.
                # After the window, the ping tells what was held first.
                self.recovered = self.recovered and self.down is not True
                self.summary = None
        else:
            self.fails, self.recovered = 0, True
            if self.held and self.down is not True:
                if self.p.quiet_summary:
                    self.summary = "owed" if self.held == "held" else "maybe"
                self.held = None
        self.looked(now)

    def looked(self, now: int) -> None:
        """Herald looked at the monitor (a check, or a ping's news)."""
        if self.p.maintained(now):
            self.held = self.held and "maybe"
            if self.down is True and self.silent(now):
                self.down = "closed"
        elif self.p.quiet_at(now) and self.down is not True and self.bad(now):
            self.held = "held" if self.down is False else "maybe"

    def received(self, mails: list[tuple[str, str]], now: int) -> None:
        for subject, text in mails:
            why = f"{subject!r} at {when(now)}"
            good_news = subject.endswith("is back up")  # KNOWN: test_it_holds_a_recovery_...
            assert good_news or not self.p.maintained(now), f"{why}: inside a maintenance window"
            assert not self.p.quiet_at(now), f"{why}: inside quiet hours"
            if "Held during quiet hours" in text:
                assert self.p.quiet and self.p.quiet[1] <= now, f"{why}: held by no quiet hours"
            if subject == "disconnection detected":
                self._silence_alert(text, now, why)
            elif subject == "reported a failure":
                assert self.failing(now), f"{why}: but no failure outside maintenance"
                self._opened(now, why)
            elif subject == "is back up":
                assert self.down and self.recovered, f"{why}: but nothing told, or no success"
                self.down = False
            else:
                assert subject == "was down during quiet hours and is back up", why
                assert self.summary and self.down is not True, f"{why}: but no held outage ended"
                self.summary, self.down = None, False

    def _silence_alert(self, text: str, now: int, why: str) -> None:
        last = self.last_ping
        if self.pinged_at == now:
            # A failure ping that tells a held recovery first goes on with what
            # the checker would have told before it: a silence since the recovery.
            last = self.ping_before
        assert self.silent(now, last), f"{why}: but the deadline has not passed"
        assert f"since {when(last)}" in text, f"{why}: not about the last ping"
        if "This is reminder" not in text:
            self._opened(now, why)
            return
        assert self.down, f"{why}: a reminder of nothing told"
        # Only asked-for reminders, even after failure pings during the outage
        # (test_it_alerts_a_failure_once_however_often_it_fails).
        assert self.p.realert_every is not None, f"{why}: a reminder nobody asked for"
        assert now - self.last_alert >= self.p.realert_every - JITTER, f"{why}: too soon"
        limit = self.p.realert_limit
        assert limit is None or self.reminders < limit, f"{why}: past realert_limit"
        self.reminders, self.last_alert = self.reminders + 1, now

    def _opened(self, now: int, why: str) -> None:
        assert self.down is not True, f"{why}: the outage was told already"
        self.down, self.recovered, self.held, self.reminders = True, False, None, 0
        self.last_alert = now

    def refusal_known(self, kind: str, now: int) -> bool:
        """KNOWN: a failure in quiet hours after a success is refused (503)."""
        return kind == "fail" and self.p.quiet_at(now) and self.fails == 0

    def checked(self, now: int) -> None:
        """After a checker run: outside the windows, nothing is left untold."""
        self.looked(now)
        if self.p.silent_time(now):
            return
        at_ = when(now)
        if self.bad(now):
            assert self.down, f"an outage past its policy, untold at {at_}"
        elif self.recovered:
            assert self.down is not True, f"a recovery after the alert, untold at {at_}"
        assert self.summary != "owed", f"a held outage's summary, untold at {at_}"
