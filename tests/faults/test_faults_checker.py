"""The checker and the outbox under faults: every notice the pings call for, sent once.

40 monitors over simulated minutes, each on a plan: healthy ones keep pinging,
silent ones stop at a random time (an alert, then a reminder every
email_frequency), some come back after a silence (an alert, then a recovery),
some send /fail and recover (a failure, then a recovery, twice; once with the
second failure a few seconds after the recovery). The expected notices follow
from the pings alone; each is matched with what the user got by reading the
mails (subject and text), never Herald's state. The real checker runs once a
simulated minute, the outbox drains through its handler with SQS redelivery
simulated (tests/faults/injector.py), under seeded DynamoDB, SQS and SES faults.
A ping answered 5xx is sent again by its client (same instant), as curl
--retry does, and the expectation counts the pings accepted; a valid ping
answered 4xx is a notice lost. Then a checker killed part-way, and the
minimal cases of what the scenario found: a /fail refused after a recovery
its ping did not tell, and that recovery lost when telling it fails.
"""

import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from chalicelib.core import aws, outbox
from tests.faults.injector import Crash, Faults, Lambda, Rule, dead_letters, report, run_until_quiet
from tests.helpers import text_of

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # the clock fixture's time
MAX_SLEEP, EMAIL_FREQUENCY, PERIOD = 1500, 900, 1020
MINUTES, QUIET = 50, 6  # minutes under faults, then minutes without
END = (MINUTES + QUIET) * 60  # the last checker run
PLANS = {"healthy": 16, "silent": 10, "back": 4, "failing": 10}


@pytest.fixture(autouse=True)
def _quiet_and_replayable(monkeypatch):
    """Thousands of injected faults log their tracebacks: keep the counts
    readable. The outbox's back-off jitter draws from the global random:
    seed it too, and read the due index's shards one at a time (ten threads
    draw the faults in whatever order they run), so a seed CI failed on
    replays the same faults here."""
    import logging

    from chalicelib.monitors import due_index

    monkeypatch.setattr(due_index, "READERS", 1)

    herald, state = logging.getLogger("herald"), random.getstate()
    level, herald.level = herald.level, logging.CRITICAL
    random.seed(0)
    yield
    herald.setLevel(level)
    random.setstate(state)


@dataclass
class Plan:
    name: str
    kind: str
    recipients: list[str]
    pings: list[tuple[int, str]] = field(default_factory=list)  # (second, success/fail)
    accepted: list[tuple[int, str]] = field(default_factory=list)  # answered 200
    refused: list[tuple[int, str]] = field(default_factory=list)  # answered 4xx


def _every(chance, start: int, stop: int, kind="success") -> list[tuple[int, str]]:
    """Pings from start to stop, PERIOD apart give or take a minute, never on a minute."""
    pings, t = [], start
    while t < stop:
        pings.append((t + (t % 60 == 0), kind))
        t += PERIOD + chance.randint(-60, 60)
    return pings


def _alerts(last: int, end: int) -> int:
    """How many silence alerts a silence from `last` to the end brings, if that
    is clear: the last one falls well inside the run (a third of a period
    either side), so an alert made late by faults is still counted."""
    first = (last + MAX_SLEEP) // 60 * 60 + 60  # the first check that finds it late
    if first <= end - 300 and 300 <= (end - first) % EMAIL_FREQUENCY <= 600:
        return 1 + (end - first) // EMAIL_FREQUENCY
    return 0


def _silent(chance) -> list:
    """Silent from a time whose alerts are clear (see _alerts)."""
    firsts = [f for f in range(1800, END - 299, 60) if _alerts(f - MAX_SLEEP - 1, END)]
    last = chance.choice(firsts) - MAX_SLEEP - chance.randint(1, 59)
    return [*_every(chance, chance.randint(5, 120), last), (last, "success")]


def _back(chance) -> list:
    # Back 8 checks after the alert was due: before any reminder could be.
    pings = _every(
        chance, chance.randint(5, 120), chance.randint(300, MINUTES * 60 - MAX_SLEEP - 600)
    )
    return pings + _every(chance, pings[-1][0] + MAX_SLEEP + 480 + chance.randint(1, 59), END)


def _failing(chance, soon: bool) -> list:
    fail = chance.randint(300, 700)
    back = fail + chance.randint(60, PERIOD)
    again = back + 5 if soon else back + chance.randint(300, 600)
    well = again + chance.randint(60, PERIOD)
    return [
        *_every(chance, chance.randint(5, 120), fail),
        *_every(chance, fail, back, "fail"),
        *_every(chance, back, again),
        *_every(chance, again, well, "fail"),
        *_every(chance, well, END),
    ]


def _plans(seed: int) -> list[Plan]:
    chance, plans = random.Random(seed), []
    for kind, n in PLANS.items():
        for i in range(n):
            to = [f"ops{i}@example.org"] + ([f"dev{i}@example.org"] if i % 3 == 0 else [])
            plan = Plan(f"{kind}-{i:02d}", kind, to)
            if kind == "healthy":
                plan.pings = _every(chance, chance.randint(5, 120), END)
            elif kind == "silent":
                plan.pings = _silent(chance)
            elif kind == "back":
                plan.pings = _back(chance)
            else:
                plan.pings = _failing(chance, soon=i % 2 == 0)
            plans.append(plan)
    return plans


def _expected(plans: list[Plan], end: int = END) -> set:
    """(kind, monitor, second it is about, ordinal, recipient) of each notice the
    accepted pings call for: a silence (a gap, or the end) longer than
    MAX_SLEEP is an alert and its reminders, a failure after a success opens
    an outage, and a success after either ends it with a recovery."""
    notices = set()
    for plan in plans:
        pings = plan.accepted + [(end, "end")]
        for (at, _), (then, after) in zip(pings, pings[1:], strict=False):
            assert not MAX_SLEEP < then - at <= MAX_SLEEP + 120, f"{plan.name}: unclear"
            if then - at > MAX_SLEEP:
                many = _alerts(at, end) if after == "end" else 1
                assert many, f"{plan.name}: how many alerts after {at} is unclear"
                notices |= {("down", plan.name, at, n + 1) for n in range(many)}
                if after == "success":
                    notices.add(("up", plan.name, at, 1))
        for i, (at, kind) in enumerate(plan.accepted[1:], 1):
            if kind == "fail" and plan.accepted[i - 1][1] == "success":
                notices.add(("fail", plan.name, at, 1))
                if "success" in {later for _, later in plan.accepted[i:]}:
                    notices.add(("up", plan.name, at, 1))
        assert plan.kind != "healthy" or not any(n[1] == plan.name for n in notices)
    return {(*n, to) for plan in plans for n in notices if n[1] == plan.name
            for to in plan.recipients}  # fmt: skip


def _create(plans: list[Plan]) -> dict:
    """Each plan's ping path (by UUID: no key needed)."""
    from chalicelib.monitors import admin
    from chalicelib.monitors import store as monitors

    paths = {}
    for plan in plans:
        settings = {"max_sleep": MAX_SLEEP, "email_frequency": EMAIL_FREQUENCY}
        _, item = admin.upsert(plan.name, {**settings, "device_email": plan.recipients})
        paths[plan.name] = f"/ping/{monitors.uuid_for(plan.name, monitors.generation(item))}"
    return paths


def _ping(client, path: str, plan: Plan, at: int, kind: str, tally: Counter) -> None:
    """A client that sends again what failed with a 5xx; a 4xx is its answer."""
    for _ in range(20):
        reply = client.http.get(path + ("/fail" if kind == "fail" else ""))
        if reply.status_code == 200:
            plan.accepted.append((at, kind))
            return
        if reply.status_code < 500:
            tally["pings_refused"] += 1
            plan.refused.append((at, kind, reply.status_code, reply.body.decode()))
            return
        tally["ping_5xx"] += 1
    raise AssertionError(f"{path} failed 20 times: {reply.status_code} {reply.body}")


def _check(client, tally: Counter) -> None:
    from herald.local.invoke import scheduled_event

    try:
        client.lambda_.invoke("check_monitors", scheduled_event("check_monitors"))
        tally["checker_runs"] += 1
    except Exception:  # noqa: BLE001 - a failed scheduled run: the next one is a minute away
        tally["checker_runs_failed"] += 1


def _at(clock, second: int) -> None:
    clock.move_to(START + timedelta(seconds=second))


# ---- what the user got ---------------------------------------------------------

WHEN = r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC"
UNITS = {"d": 86400, "h": 3600, "min": 60, "s": 1}


def _second(when: str) -> int:
    moment = datetime.strptime(when, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    return int((moment - START).total_seconds())


def _told(subject: str, text: str) -> tuple[str, str, int, int]:
    """(kind, monitor, second it is about, second of its check) a mail tells."""
    if subject.endswith(" disconnection detected"):
        since, took = re.search(rf"since {WHEN}, (.+) before this check", text).groups()
        spent = sum(int(n) * UNITS[u] for n, u in re.findall(r"(\d+) (\w+)", took))
        return "down", subject.removesuffix(" disconnection detected"), _second(since), spent
    if subject.endswith(" reported a failure"):
        at = re.search(rf"failure ping at {WHEN}", text).group(1)
        return "fail", subject.removesuffix(" reported a failure"), _second(at), 0
    # A silence's outage is dated by its last ping, a failure's by its first failure.
    at = re.search(rf"(?:last ping before the outage: |after its first failure \(){WHEN}", text)
    at = at.group(1)
    return "up", subject.removesuffix(" is back up"), _second(at), 0


def _ses_mails() -> list[tuple[str, str, str, str]]:
    """(mail id, to, subject, text) of each mail SES accepted, copies included."""
    from email.parser import BytesParser
    from email.policy import default

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    found = []
    for message in ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages:
        raw = message.raw_data
        mail = BytesParser(policy=default).parsebytes(raw.encode() if isinstance(raw, str) else raw)
        mail_id = mail["Message-ID"].strip("<>").partition("@")[0]
        found.append((mail_id, mail["To"], mail["Subject"], text_of(mail)))
    return found


def _still_queued() -> list[dict]:
    sqs = boto3.client("sqs")
    got = sqs.receive_message(QueueUrl=aws.queue_url("outbox"), MaxNumberOfMessages=10,
                              VisibilityTimeout=3600).get("Messages", [])  # fmt: skip
    return [outbox.parse(m["Body"]).__dict__ for m in got]


def _outcome() -> tuple[Counter, set, set, list]:
    """Sends per notice and recipient; dead-lettered and pending ones; early reminders."""
    mails = [(*m, "sent") for m in _ses_mails()]
    mails += [(b["id"], b["to"], b["subject"], b["text"], "dead") for b in dead_letters("outbox")]
    mails += [(b["id"], b["to"], b["subject"], b["text"], "pending") for b in _still_queued()]
    told = {mail_id: (to, *_told(subject, text)) for mail_id, to, subject, text, _ in mails}
    # A silence alert and its reminders differ by their check: number them in turn.
    key, seen, last, early = {}, Counter(), {}, []
    for mail_id, (to, kind, name, about, took) in sorted(told.items(), key=lambda m: m[1][4]):
        series = (kind, name, about)
        seen[series, to] += 1
        key[mail_id] = (*series, seen[series, to], to)
        if kind == "down" and (series, to) in last:
            if took - last[series, to] < EMAIL_FREQUENCY - 5:
                early.append(key[mail_id])
        last[series, to] = took
    sent = Counter(key[mail_id] for mail_id, *_, where in mails if where == "sent")
    dead = {key[mail_id] for mail_id, *_, where in mails if where == "dead"}
    pending = {key[mail_id] for mail_id, *_, where in mails if where == "pending"}
    return sent, dead, pending, early


def _drive(client, clock, plans: list[Plan], faults: Faults) -> Counter:
    """Ping as planned, run the checker each minute and drain the outbox after it."""
    paths, tally, named = _create(plans), Counter(), {plan.name: plan for plan in plans}
    due = sorted((t, plan.name, kind) for plan in plans for t, kind in plan.pings)
    worker = Lambda("outbox", outbox.handle)
    faults.install()
    for minute in range(1, MINUTES + QUIET + 1):
        faults.active = minute <= MINUTES
        while due and due[0][0] < minute * 60:
            t, name, kind = due.pop(0)
            _at(clock, t)
            _ping(client, paths[name], named[name], t, kind, tally)
        _at(clock, minute * 60)
        _check(client, tally)
        worker.drain()
    faults.active = False
    run_until_quiet(clock, [worker])
    return tally


@pytest.mark.parametrize("seed", [1, 2])
def test_it_sends_every_notice_once_under_faults(client, clock, seed):
    faults = Faults(seed).add(
        Rule("dynamodb", when="before", rate=0.05, code="ProvisionedThroughputExceededException"),
        Rule("dynamodb", when="after", rate=0.05),
        Rule("sqs", when="before", rate=0.05, code="ServiceUnavailable"),
        Rule("sqs", when="after", rate=0.05),
        Rule("ses", ("SendRawEmail",), "before", rate=0.10, code="Throttling"),
    )
    plans = _plans(seed)
    tally = _drive(client, clock, plans, faults)
    tally["faults"] = sum(faults.fired.values())
    assert not _verdict(f"checker-seed-{seed}", plans, tally)


def _verdict(name: str, plans: list[Plan], tally: Counter, end: int = END) -> list:
    """Print the counts; the problems found."""
    sent, dead, pending, early = _outcome()
    expected = _expected(plans, end)
    lost, twice = report(name, enqueued=expected, sent=sent, dead=dead, pending=pending)
    observed = set(sent) | dead | pending
    healthy = {plan.name for plan in plans if plan.kind == "healthy"}
    unexpected = observed - expected
    print(f"  expected={len(expected)} enqueued={len(observed & expected)} "
          f"unexpected={len(unexpected)} early_reminders={len(early)}")  # fmt: skip
    print(f"  {dict(sorted(tally.items()))}")
    problems = [("lost", n) for n in sorted(lost)] + [("twice", n) for n in sorted(twice)]
    problems += [("early", n) for n in early] + [("unexpected", n) for n in sorted(unexpected)]
    problems += [("healthy alerted", n) for n in sorted(unexpected) if n[1] in healthy]
    problems += [("ping refused", (p.name, *r)) for p in plans for r in p.refused]
    for problem in problems:
        print(f"  {problem[0]}: {problem[1]}")
    return problems


# ---- a checker killed part-way ----------------------------------------------------

KILLED_AT = (10 + MAX_SLEEP) // 60 * 60 + 60  # the run that finds the silent ones late


def _left_to_the_checker(client, clock, plans: list[Plan], faults: Faults) -> None:
    """Silent monitors; failures and recoveries whose ping died before telling
    them (its read of the monitor refused), so the checker tells them."""
    paths, tally = _create(plans), Counter()
    pings = sorted((at, kind, plan.name) for plan in plans for at, kind in plan.pings)
    named = {plan.name: plan for plan in plans}
    for at, kind, name in pings:
        plan = named[name]
        untold = plan.kind == "fail-untold" or (plan.kind == "up-untold" and kind == "success")
        faults.rules = [Rule("dynamodb", ("GetItem",), "before")] if at > 10 and untold else []
        _at(clock, at)
        _ping(client, paths[plan.name], plan, at, kind, tally)
    faults.rules = []
    assert not tally


@pytest.mark.parametrize("step", ["_claim", "_send"])
def test_a_checker_killed_after_30_percent_of_its_claims_loses_no_notice(
    client, clock, monkeypatch, step
):
    from chalicelib.monitors import checker

    kinds = {"silent": (10, [(10, "success")]),
             "fail-untold": (5, [(10, "success"), (600, "fail")]),
             "up-untold": (5, [(10, "success"), (600, "fail"), (660, "success")])}  # fmt: skip
    plans = [Plan(f"{kind}-{i:02d}", kind, [f"ops{i}@example.org"], pings)
             for kind, (n, pings) in kinds.items() for i in range(n)]  # fmt: skip
    faults = Faults(5).install()
    _left_to_the_checker(client, clock, plans, faults)
    # Killed (timed out, out of memory) right after its 6th claim, or its 6th
    # notice handed to the outbox: 30 % of the 20 due.
    done, real = Counter(), getattr(checker, step)

    def then_killed(*args, **kwargs):
        result = real(*args, **kwargs)
        done["n"] += step == "_send" or result is not None
        if done["n"] == 6:
            raise Crash(f"killed after {step}")
        return result

    monkeypatch.setattr(checker, step, then_killed)
    _at(clock, KILLED_AT)
    with pytest.raises(Crash):
        _check(client, Counter())
    monkeypatch.setattr(checker, step, real)
    worker, tally = Lambda("outbox", outbox.handle), Counter()
    for minute in range(KILLED_AT // 60, KILLED_AT // 60 + 8):
        _at(clock, minute * 60)
        _check(client, tally)
        worker.drain()
    run_until_quiet(clock, [worker])
    assert not _verdict(f"checker-killed-after-{step}", plans, tally, end=minute * 60)


def test_a_failure_seconds_after_a_recovery_its_ping_did_not_tell_is_accepted_and_told(
    client, clock
):
    # The scenario's first find: the ping read the refused item in DynamoDB's
    # wire format ({"S": "up"}), took it for no monitor and answered 404.
    plan, tally = Plan("backup", "failing", ["ops@example.org"]), Counter()
    path, faults = _create([plan])[plan.name], Faults(0).install()
    for at, kind in ((10, "success"), (600, "fail"), (900, "success"), (905, "fail")):
        # The recovery's ping dies telling it (its read refused): the checker's to tell.
        faults.rules = [Rule("dynamodb", ("GetItem",), "before")] if at == 900 else []
        _at(clock, at)
        _ping(client, path, plan, at, kind, tally)
    _at(clock, 960)
    _check(client, tally)
    Lambda("outbox", outbox.handle).drain()
    assert not _verdict("fail-after-untold-recovery", [plan], tally, end=960)


def _claim_write(params) -> str | None:
    """A checker claim (store.update_if_unchanged: it guards on #rev), not a ping's write."""
    return "claim" if "#rev" in params.get("ExpressionAttributeNames", {}) else None


def test_a_recovery_not_yet_told_survives_a_failure_seconds_later_whose_telling_fails(
    client, clock
):
    plan, tally = Plan("backup", "failing", ["ops@example.org"]), Counter()
    path, faults = _create([plan])[plan.name], Faults(0).install()
    untold = {
        # the recovery's ping dies telling it: the checker's to tell...
        609: [Rule("dynamodb", ("GetItem",), "before")],
        # ...but 5 s later a failure settles it first, and that claim is refused
        614: [Rule("dynamodb", ("UpdateItem",), "before", key=_claim_write, times=1)],
    }
    for at, kind in ((10, "success"), (437, "fail"), (609, "success"), (614, "fail")):
        faults.rules = untold.get(at, [])
        _at(clock, at)
        _ping(client, path, plan, at, kind, tally)
    faults.rules = []
    for at in (660, 720):
        _at(clock, at)
        _check(client, tally)
        Lambda("outbox", outbox.handle).drain()
    assert not _verdict("recovery-then-failure", [plan], tally, end=720)


def test_a_failure_told_only_after_its_recovery_ping_is_followed_by_that_recovery(client, clock):
    # The scenario's find (seed 8): the failure's ping died before telling it
    # and the checker's claim was refused, so the recovery's ping told the
    # failure first; that claim marked the monitor down again, its recovery
    # went untold, and the next failure joined the old outage: two notices lost.
    plan, tally = Plan("backup", "failing", ["ops@example.org"]), Counter()
    path, faults = _create([plan])[plan.name], Faults(0).install()
    for at, kind in ((10, "success"), (513, "fail"), (655, "success"), (990, "fail")):
        # The failure's ping dies telling it (its read refused), and no checker runs before 655.
        faults.rules = [Rule("dynamodb", ("GetItem",), "before")] if at == 513 else []
        _at(clock, at)
        _ping(client, path, plan, at, kind, tally)
    faults.rules = []
    for at in (1020, 1080, 1345):
        _at(clock, at)
        if at == 1345:
            _ping(client, path, plan, at, "success", tally)
        _check(client, tally)
        Lambda("outbox", outbox.handle).drain()
    assert not _verdict("failure-told-after-its-recovery", [plan], tally, end=1345)
