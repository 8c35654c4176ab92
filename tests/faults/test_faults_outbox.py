"""The outbox under faults: every mail enqueued is sent once or dead-lettered.

sent + dead-lettered + still pending = enqueued, with no mail sent twice but
the documented one (a worker killed after SES accepted, before "done": the
copy carries the same Message-ID).
"""

import json

import pytest

from chalicelib.core import outbox, sqs
from tests.faults.injector import (
    Faults,
    Lambda,
    Rule,
    dead_letters,
    pending,
    report,
    run_until_quiet,
)


def _mail_id(params) -> str | None:
    """The mail a call is about (claim key, raw mail), for faults once per mail."""
    item = params.get("Item") or params.get("Key") or {}
    if str(item.get("pk", "")).startswith("ONCE#mail:"):
        return item["pk"].removeprefix("ONCE#mail:")
    raw = params.get("RawMessage", {}).get("Data", b"")
    for line in raw.decode(errors="replace").splitlines():
        if line.startswith("Message-ID:"):
            return line.split("<")[1].split("@")[0]
    return None


def _enqueue(n: int, tag: str) -> set:
    """Enqueue n mails as a producer does: what the queue refused is enqueued again."""
    mails = [outbox.Mail(to=f"u{i}@example.org", subject="s", text="t", id=f"{tag}-{i}")
             for i in range(n)]  # fmt: skip
    for _ in range(20):
        try:
            outbox.enqueue(mails)
            break
        except sqs.Refused as refused:  # a producer tries again what was refused
            mails = [outbox.Mail(**fields) for fields in refused.unsent]
    return {f"{tag}-{i}" for i in range(n)}


def _run(clock, ses_sent, faults: Faults, n: int, name: str, allowed=(), batch=10):
    faults.install()
    enqueued = _enqueue(n, name)
    # A killed function loses its whole batch: the crash scenarios use batches
    # of one, so each mail is killed once (not once per mail of its batch).
    worker = Lambda("outbox", outbox.handle, batch=batch)
    run_until_quiet(clock, [worker])
    dead = {m["id"] for m in dead_letters("outbox")}
    waiting = set() if pending(worker.url) == 0 else {"?"}
    sent = ses_sent()
    lost, duplicated = report(name, enqueued=enqueued, sent=sent, dead=dead, pending=waiting,
                              allowed=allowed)  # fmt: skip
    return lost, duplicated, sent, dead


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_it_loses_no_mail_under_dynamodb_replies_lost_and_ses_throttling(
    aws, clock, ses_sent, seed
):
    faults = Faults(seed).add(
        Rule("dynamodb", when="after", rate=0.10),
        Rule("dynamodb", when="before", rate=0.05, code="ProvisionedThroughputExceededException"),
        Rule("sqs", when="after", rate=0.05),
        Rule("sqs", when="before", rate=0.05),
        Rule("ses", ("SendRawEmail",), when="before", rate=0.15, code="Throttling"),
    )
    lost, duplicated, sent, dead = _run(clock, ses_sent, faults, 40, f"outbox-seed-{seed}")
    assert not lost and not duplicated
    assert len(sent) + len(dead) == 40


WINDOWS = {
    # the claim written, its reply lost: the retry recognises its own claim
    "claim-reply-lost": Rule("dynamodb", ("PutItem",), "after", key=_mail_id, times=1),
    # killed after the claim, before the send: the redelivery takes its own claim over
    "crash-after-claim": Rule(
        "ses", ("SendRawEmail",), "before", code="crash", key=_mail_id, times=1
    ),  # fmt: skip
    # "done" refused after SES accepted: tried again, never sent again
    "done-write-refused": Rule("dynamodb", ("UpdateItem",), "before", key=_mail_id, times=2),
}


@pytest.mark.parametrize("window", sorted(WINDOWS))
def test_each_crash_window_loses_nothing_and_sends_once(aws, clock, ses_sent, window):
    faults = Faults(7).add(WINDOWS[window])
    lost, duplicated, sent, _dead = _run(clock, ses_sent, faults, 10, window, batch=1)
    assert not lost and not duplicated
    assert sorted(sent.values()) == [1] * 10


def test_a_throttled_send_whose_release_is_throttled_too_is_sent_on_the_next_try(
    aws, clock, ses_sent
):
    faults = Faults(8).add(
        Rule("ses", ("SendRawEmail",), "before", code="Throttling", key=_mail_id, times=1),
        Rule(
            "dynamodb", ("DeleteItem",), "before", code="ThrottlingException", key=_mail_id, times=1
        ),  # fmt: skip
    )
    lost, duplicated, sent, _dead = _run(clock, ses_sent, faults, 10, "release-throttled")
    assert not lost and not duplicated
    assert sorted(sent.values()) == [1] * 10


def test_a_worker_killed_after_ses_accepted_resends_with_the_same_message_id(aws, clock, ses_sent):
    # The one window left (docs/delivery.md): SES took the mail, the function
    # died before "done". The copy carries the same Message-ID to dedupe on.
    faults = Faults(9).add(
        Rule("ses", ("SendRawEmail",), "after", code="crash", key=_mail_id, times=1)
    )
    ids = {f"killed-after-send-{i}" for i in range(10)}
    lost, duplicated, sent, _dead = _run(clock, ses_sent, faults, 10, "killed-after-send",
                                         allowed=ids, batch=1)  # fmt: skip
    assert not lost and not duplicated
    assert set(sent) == ids


def test_poison_among_good_mail_through_sqs_leaves_no_good_one_in_the_dead_letter_queue(
    aws, clock, ses_sent
):
    from tests.core.test_outbox import POISON

    good = _enqueue(20, "good")
    sqs.send("outbox", [json.loads(p) if p.startswith("{") else p for p in POISON * 3][:16])
    run_until_quiet(clock, [Lambda("outbox", outbox.handle)])
    dead = dead_letters("outbox")
    print(f"\npoison: good={len(good)} sent={len(ses_sent())} dead_lettered={len(dead)}")
    assert set(ses_sent()) == good and dead == []
