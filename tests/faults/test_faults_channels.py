"""Channel deliveries under faults: each shown once at its service, or dead-lettered.

What the user notices is read at the service (the loopback Endpoint of
tests/hooks/conftest.py, with the answer it gave each request) and in the
hooks dead-letter queue; of Herald's state only what `herald channels list`
shows (enabled, and why not). The clock fixture's time is shifted between
drains of the hooks queue, so delays, visibility timeouts and backoff pass
without sleeping; the one real wait is the client's deadline when the service
is slow, cut to 0.2 s. Crashes between the send and its bookkeeping are
injected as the outbox's suite does (tests/faults/injector.py).
"""

import random
import socket
import threading
from collections import Counter
from dataclasses import replace

import boto3
import pytest

from chalicelib.core import aws, outgoing, sqs
from chalicelib.core.channels import delivery, sending, store
from chalicelib.hooks import delivery as hooks
from tests.faults.injector import Faults, Lambda, Rule, pending, run_until_quiet
from tests.helpers import sqs_event
from tests.hooks.conftest import dead_letters, drain, endpoint, local_mode

__all__ = ["dead_letters", "drain", "endpoint", "local_mode"]  # fixtures, used by name

QUEUED = 3  # notices per scenario


@pytest.fixture(autouse=True)
def _replayable(aws_env, monkeypatch):
    """Backoff jitter draws from the global random: seed it. A retry window
    of half an hour lets a delivery that never gets through die soon."""
    state = random.getstate()
    random.seed(0)
    monkeypatch.setenv("HOOK_RETRY_SECONDS", "1800")
    yield
    random.setstate(state)


class Script(list):
    """The endpoint's answers, in order ((200, {}) once used up), and each one given."""

    def __init__(self, answers=()):
        super().__init__(answers)
        self.given: list[int] = []

    def __bool__(self):
        return True  # every request takes its answer from pop()

    def pop(self, index=-1):
        answer = super().pop(index) if len(self) else (200, {})
        self.given.append(answer[0])
        return answer


class Gate(threading.Event):
    """endpoint.hold that says when a request has reached it."""

    def __init__(self):
        super().__init__()
        self.reached = threading.Event()

    def wait(self, timeout=None):
        self.reached.set()
        return super().wait(timeout)


@pytest.fixture
def slack(endpoint):
    endpoint.replies = Script()
    return store.create("slack", "alerts", {"url": endpoint.url})


def _queue(channel, n: int = QUEUED, copies: int = 1) -> set[str]:
    """n notices queued for the channel (each `copies` times); their subjects."""
    base = sending.test_notice(channel)
    for i in range(n):
        for _ in range(copies):
            delivery.enqueue(replace(base, id=f"fault-{i}", subject=f"notice {i}"), [channel["id"]])
    return {f"notice {i}" for i in range(n)}


def _shown(endpoint) -> Counter:
    """How often the service took each notice (answered 2xx): what the user saw."""
    answers = endpoint.replies.given
    return Counter(b["text"] for b, code in zip(endpoint.bodies(), answers, strict=True)
                   if 200 <= code < 300)  # fmt: skip


def _dead(dead_letters) -> Counter:  # each dead-lettered notice's copies
    return Counter(m["notice"]["subject"] for m in dead_letters())


def _until_quiet(clock, drain, endpoint, *, step: int = 60, horizon: int = 3 * 3600) -> list:
    """Drain, let time pass, again, until the queue is empty; when each request came."""
    url, arrived = aws.queue_url("hooks"), []
    for elapsed in range(0, horizon, step):
        drain()
        arrived += [elapsed] * (len(endpoint.requests) - len(arrived))
        if pending(url) == 0:
            return arrived
        clock.shift(step)
    raise AssertionError("the hooks queue never emptied")


# ---- at least once: redelivered, queued twice, two handlers at once --------------


@pytest.mark.parametrize("twice", ["redelivered", "queued-twice"])
def test_it_shows_one_message_when_every_delivery_message_is_handled_twice(
    twice, slack, endpoint, drain, clock, monkeypatch
):
    endpoint.replies.append((500, {}))  # one retry: its message is handled twice too
    if twice == "redelivered":
        handle = delivery.handle

        def again(message, record=None):
            handle(message, record)  # its reply lost: SQS hands the same record out again
            later = {**record, "attributes": {**record["attributes"]}}
            later["attributes"]["ApproximateReceiveCount"] = str(sqs.attempt(record) + 1)
            return handle(message, later)

        monkeypatch.setattr(delivery, "handle", again)
    queued = _queue(slack, copies=1 if twice == "redelivered" else 2)
    _until_quiet(clock, drain, endpoint)
    assert _shown(endpoint) == dict.fromkeys(queued, 1)
    assert len(endpoint.requests) == QUEUED + 1


def _taken(channel) -> str:
    """One delivery's message body, taken off the queue as Lambda would."""
    _queue(channel, n=1)
    queue, url = boto3.client("sqs"), aws.queue_url("hooks")
    (message,) = queue.receive_message(QueueUrl=url)["Messages"]
    queue.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return message["Body"]


@pytest.mark.parametrize("other", ["same-record", "a-copy"])
def test_it_shows_one_message_when_two_handlers_take_it_at_once(
    other, slack, endpoint, clock, moto_one_call_at_a_time
):
    body = _taken(slack)
    first, copy = sqs_event([body, body], queue="hooks")["Records"]
    second = first if other == "same-record" else copy
    gate, replies = Gate(), []
    endpoint.hold = gate
    running = threading.Thread(target=lambda: replies.append(hooks.handle({"Records": [first]})))
    running.start()
    assert gate.reached.wait(5)  # the first handler's request waits at the service
    meanwhile = hooks.handle({"Records": [second]})
    endpoint.hold = None
    gate.set()
    running.join(5)
    assert replies == [{"batchItemFailures": []}]
    # The second is not dropped while the first might still fail: SQS hands it back.
    assert meanwhile["batchItemFailures"]
    redelivered = sqs_event([body, body], receive_count=2, queue="hooks")["Records"]
    later = redelivered[0] if other == "same-record" else redelivered[1]
    assert hooks.handle({"Records": [later]}) == {"batchItemFailures": []}
    assert len(endpoint.requests) == 1


# ---- faults at the service: delivered + dead-lettered = queued -------------------


def _fault(fault: str, slack, endpoint, monkeypatch):
    """The channel to deliver to, its service set to fail as `fault` says."""
    if fault == "500":
        endpoint.replies.extend([(500, {})] * (2 * QUEUED))
    elif fault == "429":
        endpoint.replies.extend([(429, {"Retry-After": "600"})] * QUEUED)
    elif fault == "410-once":
        endpoint.replies.append((410, {}))
    elif fault == "timeout":
        real = outgoing.request
        monkeypatch.setattr(
            outgoing, "request", lambda *a, **kw: real(*a, **{**kw, "timeout": 0.2})
        )
        endpoint.hold = Gate()  # released after the first attempts (see the test)
    elif fault == "refused":
        with socket.socket() as probe:  # closed on leaving: nothing listens there
            probe.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{probe.getsockname()[1]}/x"
        return store.create("slack", "nowhere", {"url": url})
    return slack


@pytest.mark.parametrize("fault", ["500", "429", "timeout", "refused", "410-once"])
def test_it_loses_no_delivery_when_the_service_fails(
    fault, slack, endpoint, drain, clock, dead_letters, monkeypatch
):
    channel = _fault(fault, slack, endpoint, monkeypatch)
    queued = _queue(channel)
    if fault == "timeout":
        drain()  # each first attempt reaches the service, its answer comes too late
        gate, endpoint.hold = endpoint.hold, None
        gate.set()
    arrived = _until_quiet(clock, drain, endpoint)
    shown, dead = _shown(endpoint), _dead(dead_letters)
    assert set(shown) | set(dead) == queued and not set(shown) & set(dead)
    assert all(n == 1 for n in dead.values())
    # The one repeat left (docs/channels.md "Delivery"): a send whose answer
    # was lost (the timeout) is sent again; Slack shows it twice.
    assert all(n == (2 if fault == "timeout" else 1) for n in shown.values())
    if fault == "429":
        times = {}
        for request, at in zip(endpoint.bodies(), arrived, strict=True):
            times.setdefault(request["text"], []).append(at)
        assert all(later - at >= 600 for at, later in times.values())  # Retry-After kept


@pytest.mark.parametrize("code", [410, 404, 403])
def test_it_disables_a_channel_refused_three_times_and_says_why(
    code, slack, endpoint, drain, clock
):
    endpoint.replies.extend([(code, {})] * 3)
    _queue(slack, n=1)
    _until_quiet(clock, drain, endpoint)
    assert endpoint.replies.given == [code] * 3
    record = store.get(slack["id"])
    assert record["enabled"] is False
    assert f"refused 3 times (last: {code}" in record["disabled_reason"]


def test_it_keeps_the_deliveries_a_refusing_channel_did_not_take(
    slack, endpoint, drain, clock, dead_letters
):
    endpoint.replies.extend([(410, {})] * 10)
    queued = _queue(slack)
    _until_quiet(clock, drain, endpoint)
    assert store.get(slack["id"])["enabled"] is False
    assert set(_shown(endpoint)) | set(_dead(dead_letters)) == queued


# ---- crashes between the send and its bookkeeping --------------------------------


def _claim_of(params) -> str | None:
    """The delivery attempt a claim write is about (for faults once per claim)."""
    pk = str((params.get("Item") or params.get("Key") or {}).get("pk", ""))
    return pk if pk.startswith("ONCE#channel:") else None


def _log_of(params) -> str | None:
    item = params.get("Item") or {}
    return item.get("notice") if str(item.get("pk", "")).startswith("CHANLOG#") else None


def _on(operation: str, when: str, code: str = "InternalServerError", times: int = 1):
    """A fault on a claim's UpdateItem (done) or the delivery log's PutItem, once each."""
    key = _log_of if operation == "PutItem" else _claim_of
    return Rule("dynamodb", (operation,), when, code=code, key=key, times=times)


THROTTLED = "ProvisionedThroughputExceededException"
# (the fault, how often the service then shows each notice)
WINDOWS = [
    # done written, then killed before SQS heard: the redelivery finds it done
    pytest.param(_on("UpdateItem", "after", "crash"), 1, id="killed-after-done"),
    # done refused twice: tried again in place, the message is dealt with
    pytest.param(_on("UpdateItem", "before", times=2), 1, id="done-write-refused"),
    # The window that remains (docs/channels.md "Delivery"): killed after the
    # service took it, before "done" (writing the log, or done itself): the
    # redelivery takes the dead attempt's claim over and sends again. It is
    # as wide as the outbox's (killed after SES took the mail).
    pytest.param(_on("UpdateItem", "before", "crash"), 2, id="killed-before-done"),
    pytest.param(_on("PutItem", "before", "crash"), 2, id="killed-writing-the-log"),
    # Throttled (no crash) once the service took it: the outbox never sends
    # a mail again after SES took it; a channel delivery should not either.
    pytest.param(_on("PutItem", "before", THROTTLED), 1, id="log-write-throttled"),
]


@pytest.mark.parametrize(("rule", "times"), WINDOWS)
def test_each_crash_window_loses_nothing_and_resends_only_where_documented(
    rule, times, slack, endpoint, clock
):
    Faults(7).add(replace(rule, seen=Counter())).install()  # a fresh count per run
    queued = _queue(slack)
    worker = Lambda("hooks", hooks.handle, batch=1)  # a killed batch is one delivery
    run_until_quiet(clock, [worker], step=60)
    assert pending(worker.url) == 0
    assert _shown(endpoint) == dict.fromkeys(queued, times)
    assert worker.crashes == (QUEUED if rule.code == "crash" else 0)  # each one fired
