"""Delivering events to web-hooks: signed, retried with backoff, recorded."""

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook


@pytest.fixture
def no_jitter(monkeypatch):
    from chalicelib.core import retrying

    monkeypatch.setattr(retrying.random, "uniform", lambda low, high: 1.0)


def deliveries(client, api_key, hook_id, query=""):
    reply = client.http.get(f"/hooks/{hook_id}/deliveries{query}", headers=api_key)
    assert reply.status_code == 200
    return json.loads(reply.body)["deliveries"]


def test_it_delivers_a_signed_event_and_records_it(
    client, api_key, endpoint, make_hook, send_event, drain, clock
):
    hook, secret = make_hook(arg=endpoint.url)
    event = send_event("monitor.down", "backups", {"name": "backups"})
    drain()
    assert len(endpoint.requests) == 1
    request = endpoint.requests[0]
    payload = Webhook(secret).verify(request["body"], request["headers"])
    assert payload["type"] == "monitor.down" and payload["data"]["name"] == "backups"
    (attempt,) = deliveries(client, api_key, hook["id"])
    assert attempt["status"] == "success" and attempt["code"] == 200
    assert attempt["attempt"] == 1 and attempt["event_id"] == event["id"]
    assert attempt["delivery_id"] == request["headers"]["webhook-id"]
    assert attempt["at"] == "2026-11-02T09:00:00.000000Z"
    assert attempt["duration_ms"] >= 0


def test_only_matching_hooks_get_the_event(endpoint, make_hook, send_event, drain):
    make_hook("monitor.*", arg=endpoint.url + "?all")
    make_hook("monitor.down", arg=endpoint.url + "?backups", service="backups")
    make_hook("monitor.down", arg=endpoint.url + "?other", service="other")
    make_hook("job.failed", arg=endpoint.url + "?jobs")
    send_event("monitor.down", "backups")
    send_event("monitor.up", "backups")
    drain()
    paths = sorted(r["path"] for r in endpoint.requests)
    assert paths == ["/hook?all", "/hook?all", "/hook?backups"]


def test_the_same_event_twice_gives_one_delivery(endpoint, make_hook, send_event, drain):
    make_hook(arg=endpoint.url)
    event = send_event()
    send_event(event=event)
    drain()
    send_event(event=event)
    drain()
    assert len(endpoint.requests) == 1


def test_retries_keep_the_webhook_id_and_back_off(
    client, api_key, endpoint, make_hook, send_event, drain, clock, no_jitter
):
    hook, secret = make_hook(arg=endpoint.url)
    endpoint.replies = [(500, {}), (502, {})]
    event = send_event()
    drain()
    assert len(endpoint.requests) == 1
    send_event(event=event)  # a duplicate while the retry waits changes nothing
    drain()
    clock.shift(29)
    drain()
    assert len(endpoint.requests) == 1
    clock.shift(1)
    drain()
    assert len(endpoint.requests) == 2
    clock.shift(59)
    drain()
    assert len(endpoint.requests) == 2
    clock.shift(1)
    drain()
    assert len(endpoint.requests) == 3
    ids = {r["headers"]["webhook-id"] for r in endpoint.requests}
    assert len(ids) == 1
    for request in endpoint.requests:  # each attempt signed at its own time
        Webhook(secret).verify(request["body"], request["headers"])
    shown = deliveries(client, api_key, hook["id"])
    assert [(d["attempt"], d["status"], d["code"]) for d in shown] == [
        (3, "success", 200),
        (2, "retrying", 502),
        (1, "retrying", 500),
    ]
    assert shown[2]["next_attempt_at"] == "2026-11-02T09:00:30.000000Z"
    assert shown[1]["next_attempt_at"] == "2026-11-02T09:01:30.000000Z"


def test_jitter_spreads_the_retries(aws):
    from chalicelib.hooks import delivery as hook_delivery
    from chalicelib.hooks import webhooks

    message = {"attempt": 3, "first_at": 0}
    delays = set()
    for _ in range(20):
        at = hook_delivery.next_attempt_at({**message, "first_at": 1e10}, webhooks.Outcome("x"))
        delays.add(round(at - hook_delivery.clock.epoch()))
    assert len(delays) > 5 and all(90 <= d <= 150 for d in delays)


@pytest.mark.parametrize(
    "retry_after",
    ["600", (datetime(2026, 11, 2, 9, 10, tzinfo=UTC)).strftime("%a, %d %b %Y %H:%M:%S GMT")],
)
def test_it_honours_retry_after(
    client, api_key, endpoint, make_hook, send_event, drain, clock, retry_after
):
    hook, _ = make_hook(arg=endpoint.url)
    endpoint.replies = [(429, {"Retry-After": retry_after})]
    send_event()
    drain()
    (first,) = deliveries(client, api_key, hook["id"])
    assert first["code"] == 429
    assert first["next_attempt_at"] == "2026-11-02T09:10:00.000000Z"
    clock.shift(599)  # past every backoff delay, but not past Retry-After
    drain()
    assert len(endpoint.requests) == 1
    clock.shift(1)
    drain()
    assert len(endpoint.requests) == 2


def test_410_disables_the_hook(client, api_key, endpoint, make_hook, send_event, drain, clock):
    hook, _ = make_hook(arg=endpoint.url)
    endpoint.replies = [(410, {})]
    send_event()
    drain()
    shown = json.loads(client.http.get(f"/hooks/{hook['id']}", headers=api_key).body)
    assert shown["enabled"] is False
    assert "410 Gone" in shown["disabled_reason"]
    assert deliveries(client, api_key, hook["id"])[0]["status"] == "disabled"
    clock.shift(3600)
    send_event()
    drain()
    assert len(endpoint.requests) == 1


def test_it_gives_up_after_about_a_day_into_the_dead_letter_queue(
    client, api_key, endpoint, make_hook, send_event, drain, clock, no_jitter, dead_letters
):
    hook, _ = make_hook(arg=endpoint.url)
    endpoint.replies = [(500, {})] * 100
    event = send_event()
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    for _ in range(200):
        drain()
        if dead_letters():
            break
        clock.shift(900)
    (dead,) = dead_letters()
    assert dead["event"]["id"] == event["id"] and dead["dead"]["code"] == 500
    assert len(endpoint.requests) == 14
    shown = deliveries(client, api_key, hook["id"], "?status=dead")
    assert len(shown) == 1 and shown[0]["attempt"] == 14
    last = datetime.strptime(shown[0]["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert timedelta(hours=20) <= last - start <= timedelta(hours=24)
    listed = json.loads(client.http.get(f"/hooks/{hook['id']}", headers=api_key).body)
    assert listed["dead_deliveries"] == 1 and listed["enabled"] is True
    clock.shift(3600)
    drain()
    assert len(endpoint.requests) == 14


def test_a_timeout_is_retried(
    client, api_key, endpoint, make_hook, send_event, drain, monkeypatch, clock
):
    from chalicelib.hooks import webhooks

    monkeypatch.setattr(webhooks, "TIMEOUT", 0.3)
    hook, _ = make_hook(arg=endpoint.url)
    endpoint.hold = threading.Event()
    send_event()
    drain()
    endpoint.hold.set()
    (attempt,) = deliveries(client, api_key, hook["id"])
    assert attempt["status"] == "retrying" and attempt["code"] is None
    assert "no answer within" in attempt["error"]


def test_a_deleted_hook_gets_no_more_retries(endpoint, make_hook, send_event, drain, clock):
    from chalicelib.hooks import store as hooks

    hook, _ = make_hook(arg=endpoint.url)
    endpoint.replies = [(500, {})]
    send_event()
    drain()
    hooks.delete(hook["id"])
    clock.shift(3600)
    drain()
    assert len(endpoint.requests) == 1


def test_a_message_that_is_neither_event_nor_delivery_is_dropped(app):
    from chalicelib.hooks import delivery as hook_delivery
    from tests.helpers import sqs_event

    result = hook_delivery.handle(sqs_event(["not json", json.dumps({"x": 1})], queue="hooks"))
    assert result == {"batchItemFailures": []}


def test_a_malformed_delivery_is_dropped_at_once_and_the_good_ones_are_delivered(
    endpoint, make_hook
):
    from chalicelib.hooks import delivery as hook_delivery
    from tests.helpers import sqs_event

    hook, _secret = make_hook(arg=endpoint.url)
    good = {
        "herald": "hook-delivery", "hook_id": hook["id"], "attempt": 1, "first_at": 0,
        "not_before": 0, "delivery_id": "msg_1",
        "event": {"id": "e1", "type": "monitor.down", "time": "t", "source": "s", "data": {}},
    }  # fmt: skip
    poison = [
        {k: v for k, v in good.items() if k != "not_before"},
        {**good, "attempt": "one"},
        {**good, "hook_id": "h" * 2048},
        {**good, "event": ["not", "an", "event"]},
        {**good, "event": {"id": 1}},
        {**good, "first_at": None},
    ]
    bodies = [
        json.dumps(good),
        *map(json.dumps, poison),
        json.dumps({**good, "delivery_id": "msg_2"}),
    ]
    result = hook_delivery.handle(sqs_event(bodies, queue="hooks"))
    assert result == {"batchItemFailures": []}
    assert sorted(r["headers"]["webhook-id"] for r in endpoint.requests) == ["msg_1", "msg_2"]


def test_a_hook_deleted_during_its_last_attempt_still_dead_letters_once(
    endpoint, make_hook, send_event, drain, dead_letters, monkeypatch
):
    from chalicelib.hooks import store as hooks
    from chalicelib.hooks import webhooks

    monkeypatch.setenv("HOOK_RETRY_SECONDS", "0")
    hook, _ = make_hook(arg=endpoint.url)
    real_post = webhooks.post

    def post_then_delete(*args, **kwargs):
        outcome = real_post(*args, **kwargs)
        hooks.delete(hook["id"])
        return outcome

    monkeypatch.setattr(webhooks, "post", post_then_delete)
    endpoint.replies = [(500, {})]
    send_event()
    drain()
    assert len(endpoint.requests) == 1
    assert len(dead_letters()) == 1


def test_a_hook_created_again_does_not_show_its_predecessors_attempts(
    client, api_key, endpoint, make_hook, send_event, drain, clock
):
    from chalicelib.hooks import store as hooks

    hook, _ = make_hook(arg=endpoint.url)
    send_event()
    drain()
    assert len(deliveries(client, api_key, hook["id"])) == 1
    hooks.delete(hook["id"])
    clock.shift(1)
    again, _ = make_hook(arg=endpoint.url)
    assert again["id"] == hook["id"]
    assert deliveries(client, api_key, hook["id"]) == []
    send_event()
    drain()
    assert len(deliveries(client, api_key, hook["id"])) == 1


def test_attempts_are_listed_newest_first_filtered_and_kept_a_week(
    client, api_key, endpoint, make_hook, send_event, drain, clock, no_jitter
):
    hook, _ = make_hook(arg=endpoint.url)
    endpoint.replies = [(500, {}), (200, {}), (200, {})]
    send_event(source="first")
    drain()
    clock.shift(30)
    drain()  # the retry succeeds
    clock.shift(60)
    send_event(source="second")
    drain()

    shown = deliveries(client, api_key, hook["id"])
    assert [(d["source"], d["status"]) for d in shown] == [
        ("second", "success"),
        ("first", "success"),
        ("first", "retrying"),
    ]
    assert [d["source"] for d in deliveries(client, api_key, hook["id"], "?limit=1")] == ["second"]
    retried = deliveries(client, api_key, hook["id"], "?status=retrying")
    assert [(d["source"], d["attempt"]) for d in retried] == [("first", 1)]
    clock.shift(7 * 24 * 3600 - 100)
    assert len(deliveries(client, api_key, hook["id"])) == 3
    clock.shift(100)  # HOOK_DELIVERY_RETENTION_DAYS (7) after each; TTL may run late
    assert deliveries(client, api_key, hook["id"]) == []


def test_a_receiver_trickling_its_answer_cannot_hold_an_attempt(local_mode):
    """requests' timeout bounds each read; the body of the answer is never read."""
    import socket
    import time

    from chalicelib.hooks import webhooks

    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n")
        while not stop.wait(0.05):  # one byte every 50 ms: each read is "in time"
            try:
                conn.sendall(b"x")
            except OSError:
                break
        conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    started = time.monotonic()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
        outcome = webhooks.post(url, b"{}", {}, timeout=0.5)
    finally:
        stop.set()
        thread.join(5)
        listener.close()
    assert outcome.status == "success" and outcome.code == 200
    assert time.monotonic() - started < 2  # not the 50 s the trickle would take
