"""Replacing or deleting a subscription while one of its pairs is leased."""

from chalicelib.core import aws
from chalicelib.subscriptions import store as subscriptions
from tests.helpers import text_of


def _body(herald, **settings) -> dict:
    return {
        "subscriber": "alice",
        "resources": [{"name": "Incidents", "url": herald.sample.changes_url}],
        "frequency": "immediately",
        **settings,
    }


def _leased(herald) -> str:
    subscription = herald.subscribe()
    herald.clock.shift(60)
    herald.sample.put({"title": "Landslide"})
    herald.clock.shift(300)
    assert herald.check()["queued"] == 1
    assert "lease_id" in herald.pair(subscription)
    return subscription


def test_a_replaced_subscription_keeps_its_running_job(herald):
    subscription = _leased(herald)
    subscriptions.save_subscription(_body(herald, notify_on=["new", "upd"]), subscription)
    herald.deliver()
    [mail] = herald.mails()
    assert "[new] Landslide" in text_of(mail)
    pair = herald.pair(subscription)
    assert "lease_id" not in pair and pair["last_check_time"] > "2026-11-02T09:00"


def test_a_switch_to_never_during_the_fetch_is_never_checked_again(herald):
    subscription = _leased(herald)

    def switch_once(query):
        herald.sample.before_answer = None
        subscriptions.save_subscription(_body(herald, frequency="never"), subscription)

    herald.sample.before_answer = switch_once
    herald.deliver()
    assert len(herald.mails()) == 1
    pair = herald.pair(subscription)
    assert pair["frequency"] == "never" and "due_at" not in pair and "lease_id" not in pair
    herald.sample.put({"title": "Mudslide"})
    assert herald.cycle(30 * 86400)["due"] == 0
    assert len(herald.mails()) == 1


def test_a_replacement_racing_the_job_does_not_undo_its_check(herald, monkeypatch):
    subscription = _leased(herald)
    real_load = subscriptions.load

    def job_finishes_meanwhile(subscription_id):
        loaded = real_load(subscription_id)
        monkeypatch.setattr(subscriptions, "load", real_load)
        herald.deliver()  # the job runs between the replacement's read and its write
        return loaded

    monkeypatch.setattr(subscriptions, "load", job_finishes_meanwhile)
    subscriptions.save_subscription(_body(herald, notify_on=["new", "upd"]), subscription)
    pair = herald.pair(subscription)
    assert "lease_id" not in pair and "window_until" not in pair
    assert pair["last_check_time"] > "2026-11-02T09:00"
    assert subscriptions.get_subscription(subscription)["notify_on"] == ["new", "upd"]
    herald.cycle()
    herald.cycle()
    assert len(herald.mails()) == 1


def test_a_deleted_subscription_s_job_leaves_nothing_behind(herald):
    subscription = _leased(herald)
    subscriptions.delete_subscription(subscription)
    herald.deliver()
    assert herald.mails() == []
    table = aws.table(subscriptions.TABLE)
    partition = {":pk": f"SUBSCRIPTION#{subscription}"}
    left = aws.query_all(
        table, KeyConditionExpression="pk = :pk", ExpressionAttributeValues=partition
    )
    assert left == []
    assert herald.cycle(86400)["due"] == 0


def test_due_now_on_a_deleted_subscription_creates_no_orphan(herald, monkeypatch):
    subscription = herald.subscribe()
    loaded = subscriptions.load(subscription)
    subscriptions.delete_subscription(subscription)
    with monkeypatch.context() as patched:
        patched.setattr(subscriptions, "load", lambda _id: loaded)
        subscriptions.due_now(subscription)
    assert herald.cycle()["due"] == 0


def test_due_now_leaves_a_leased_pair_alone(herald):
    subscription = _leased(herald)
    assert subscriptions.due_now(subscription) == 0
    assert herald.check()["due"] == 0
    herald.deliver()
    assert len(herald.mails()) == 1
