"""The daily digest job: schedule -> site-jobs queue -> send web-hook, once per group a day."""

import json

from chalicelib.core import aws as clients
from chalicelib.sites import groupserver as gs
from chalicelib.sites import jobs as site_jobs
from chalicelib.sites import runs
from herald.local.invoke import fire


def triggered(site) -> list[tuple[str, str]]:
    return [(f["form.siteId"], f["form.groupId"]) for f in site.sent(gs.SEND_DIGEST_URI)]


def only_run(job="digest") -> dict:
    (run,) = runs.recent(site="sample", job=job)
    return run


def hooks_events() -> list[dict]:
    sqs = clients.client("sqs")
    url = clients.queue_url("hooks")
    found = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for message in messages:
            found.append(json.loads(message["Body"])["detail"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def test_it_triggers_each_group_once_with_the_sites_fields(app, configured, clock, drain):
    site = configured
    result = fire(app, "send_digests")
    drain()

    assert result["runs"][0]["listed"] == 4
    assert sorted(triggered(site)) == sorted(site.groups)
    for fields in site.sent(gs.SEND_DIGEST_URI):
        assert fields == {
            "form.siteId": fields["form.siteId"],
            "form.groupId": fields["form.groupId"],
            "form.token": "sample-token",
            "form.actions.send": "Send",
        }
    assert all(r.content_type.startswith("multipart/form-data;") for r in site.requests)
    assert site.sent(gs.DIGEST_GROUPS_URI) == [{"token": "sample-token", "get": ""}]
    run = only_run()
    assert run["counts"]["listed"] == 4 and run["counts"]["triggered"] == 3
    assert run["state"] == "running"  # the broken group is waiting for its retry


def test_it_counts_the_last_failed_try_and_reports_the_run(
    app, configured, clock, drain, capsys, caplog
):
    fire(app, "send_digests")
    drain()
    for _ in range(site_jobs.MAX_ATTEMPTS):  # each retry becomes visible after its backoff
        clock.shift(1000)
        drain()

    run = runs.view(only_run()["id"])
    assert [f for f, _ in triggered(configured)].count("example") == 1 + site_jobs.MAX_ATTEMPTS
    assert run["state"] == "failed" and run["finished"]
    assert run["counts"]["failed"] == 1 and run["counts"]["triggered"] == 3
    (failure,) = run["failures"]
    assert failure["item"] == "example/broken"
    assert "Internal Server Error (500 <127.0.0.1:" in failure["error"]
    dlq = clients.client("sqs").get_queue_url(QueueName="herald-dev-site-jobs-dlq")["QueueUrl"]
    clock.shift(1000)
    drain()  # the next receive moves it to the dead-letter queue
    attributes = clients.client("sqs").get_queue_attributes(
        QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "1"
    (event,) = [e for e in hooks_events() if e["type"].startswith("job.")]
    assert event["type"] == "job.failed" and event["source"] == "sample/digest"
    assert event["data"]["counts"]["failed"] == 1
    assert [r.levelname for r in caplog.records if r.getMessage() == "job.failed"] == ["ERROR"]
    assert '"SiteJobRunsFailed":[1.0]' in capsys.readouterr().out  # the metric an alarm watches


def test_it_does_not_trigger_a_group_twice_when_the_schedule_runs_twice(
    app, configured, clock, drain
):
    fire(app, "send_digests")
    drain()
    clock.shift(3600)
    fire(app, "send_digests")
    drain()

    sent = triggered(configured)
    for group in [("ethel", "announce"), ("ethel", "development"), ("example", "chat")]:
        assert sent.count(group) == 1
    second = runs.recent(job="digest")[0]
    assert second["counts"]["duplicate"] == 3


def test_it_triggers_again_the_next_day(app, configured, clock, drain):
    fire(app, "send_digests")
    drain()
    clock.shift(86400)
    fire(app, "send_digests")
    drain()

    assert triggered(configured).count(("ethel", "announce")) == 2


def test_it_does_not_trigger_twice_on_a_redelivered_message(app, configured, clock, queued):
    fire(app, "send_digests")
    records = queued()

    site_jobs.handle({"Records": records})
    site_jobs.handle({"Records": records})

    assert triggered(configured).count(("example", "chat")) == 1
    run = only_run()
    assert run["counts"]["triggered"] == 3 and run["counts"]["duplicate"] == 0


def test_it_opens_one_run_for_a_redelivered_schedule_event(app, configured, clock, queued):
    fire(app, "send_digests")
    fire(app, "send_digests")  # same event time: EventBridge delivering twice

    assert len(queued()) == 4
    assert len(runs.recent(job="digest")) == 1


def test_it_reports_a_failing_list_as_a_failed_run(app, configured, clock, queued, caplog):
    configured.list_body = b'[["ethel"]]'

    result = fire(app, "send_digests")

    assert "not a [siteId, groupId] pair" in result["runs"][0]["error"]
    run = only_run()
    assert run["state"] == "failed" and "list failed" in run["error"]
    assert queued() == []
    assert [e["type"] for e in hooks_events()] == ["job.failed"]
    assert "job.failed" in [r.getMessage() for r in caplog.records]


def test_it_finishes_a_run_with_nothing_to_send(app, configured, clock):
    configured.groups = []

    fire(app, "send_digests")

    assert only_run()["state"] == "finished"
    assert [e["type"] for e in hooks_events()] == ["job.finished"]


def test_it_drops_a_malformed_message(app, configured, clock):
    event = {"Records": [{"messageId": "m", "receiptHandle": "r", "body": "{not json"}]}

    assert site_jobs.handle(event) == {"batchItemFailures": []}
    assert configured.requests == []


HOSTILE = [
    "[]",
    '"digest"',
    "null",
    '{"job": "digest", "item": ["ethel", "announce"], "site": "sample", "run": "r"}',
    '{"job": "digest", "item": ["ethel", 3], "site": "sample", "run": "r", "period": "p"}',
    '{"job": "digest", "item": ["ethel"], "site": "sample", "run": "r", "period": "p"}',
    '{"job": "digest", "item": "ethel", "site": "sample", "run": "r", "period": "p"}',
    '{"job": "profile-status", "item": ["a"], "site": "sample", "run": "r", "period": "p"}',
    '{"job": "profile-status", "item": "", "site": "sample", "run": "r", "period": "p"}',
    '{"job": "mail", "item": "alice", "site": "sample", "run": "r", "period": "p"}',
    '{"job": "profile-status", "item": "alice", "site": "elsewhere", "run": "r", "period": "p"}',
    '{"job": "profile-status", "item": "alice", "site": ["sample"], "run": "r", "period": "p"}',
]


def test_it_drops_hostile_messages_and_still_handles_the_rest_of_the_batch(
    app, configured, clock, queued
):
    fire(app, "send_profile_status")
    good = [r for r in queued() if '"alice"' in r["body"]]
    bad = [{"messageId": f"bad{i}", "receiptHandle": "r", "body": b} for i, b in enumerate(HOSTILE)]

    result = site_jobs.handle({"Records": bad + good})

    assert result == {"batchItemFailures": []}
    assert [f["profileId"] for f in configured.sent(gs.SEND_STATUS_URI)] == ["alice"]
    assert runs.recent(job="profile-status")[0]["counts"]["triggered"] == 1


def test_it_keeps_jobs_for_later_while_sites_is_broken(app, configured, clock, queued, monkeypatch):
    fire(app, "send_digests")
    records = queued()
    monkeypatch.setenv("SITES", "[{not json")

    result = site_jobs.handle({"Records": records})

    assert len(result["batchItemFailures"]) == len(records) == 4  # retried, not dropped
    assert configured.sent(gs.SEND_DIGEST_URI) == []


def test_it_enqueues_ten_jobs_per_request(aws, monkeypatch):
    from chalicelib.core import aws as clients

    sqs = clients.client("sqs")
    calls = []
    real = sqs.send_message_batch
    monkeypatch.setattr(sqs, "send_message_batch", lambda **kw: calls.append(kw) or real(**kw))

    requests = site_jobs.enqueue(
        "r", "s", "profile-status", "2026-11", [f"p{i}" for i in range(25)]
    )

    assert requests == 3 and [len(c["Entries"]) for c in calls] == [10, 10, 5]


def test_it_hands_on_the_rest_of_a_batch_when_its_time_is_used_up(app, configured, clock, queued):
    fire(app, "send_digests")
    records = sorted(queued(), key=lambda r: r["body"])
    ticks = iter([0, 0, 100, 100, 100, 100, 100, 100, 100, 100])

    result = site_jobs.handle({"Records": records}, now=lambda: next(ticks))

    assert result == {"batchItemFailures": []}
    assert triggered(configured) == [("ethel", "announce")]
    clock.shift(5)
    assert sorted(json.loads(r["body"])["item"][1] for r in queued()) == [
        "broken",
        "chat",
        "development",
    ]


def test_it_reports_a_broken_sites_setting_instead_of_crashing(
    app, configured, clock, monkeypatch, capsys, caplog
):
    monkeypatch.setenv("SITES", '[{"name": "Bad Name", "url": "http://h"}]')

    result = fire(app, "send_digests")

    assert result["runs"] == [] and "Bad Name" in result["error"]
    assert configured.requests == []
    assert [r.levelname for r in caplog.records if r.getMessage() == "job.failed"] == ["ERROR"]
    assert '"SiteJobRunsFailed":[1.0]' in capsys.readouterr().out
