"""The monthly profile-status job: each reply recorded with its meaning, once a month."""

from chalicelib.sites import groupserver as gs
from chalicelib.sites import jobs as site_jobs
from chalicelib.sites import runs
from herald.local.invoke import fire


def sent(site) -> list[str]:
    return [f["profileId"] for f in site.sent(gs.SEND_STATUS_URI)]


def test_it_sends_to_each_listed_profile_with_the_sites_fields(app, configured, clock, drain):
    site = configured
    fire(app, "send_profile_status")
    drain()

    assert sorted(sent(site)) == sorted(site.profiles)  # never the opted-out members
    for fields in site.sent(gs.SEND_STATUS_URI):
        assert fields == {"profileId": fields["profileId"], "token": site.token, "send": "Send"}
    assert site.sent(gs.PROFILE_URI) == [{"token": site.token, "get": ""}]
    assert all(r.content_type.startswith("multipart/form-data;") for r in site.requests)


def test_it_records_each_reply_with_its_meaning_and_counts_skips(app, configured, clock, drain):
    fire(app, "send_profile_status")
    drain()

    (run,) = runs.recent(job="profile-status")
    assert run["state"] == "finished" and run["period"] == "2026-11"
    counts = run["counts"]
    assert (counts["listed"], counts["triggered"], counts["skipped"]) == (8, 3, 5)
    assert counts["skipped_by_status"] == {
        "-2": {"count": 1, "meaning": "no such user"},
        "-4": {"count": 1, "meaning": "in no groups"},
        "-8": {"count": 1, "meaning": "no verified address"},
        "-16": {"count": 1, "meaning": "no activity last month"},
        "-1024": {"count": 1, "meaning": "other"},
    }
    erin = runs.view(run["id"], "skipped")["items"]
    assert {"item": "erin", "status": -8, "meaning": "no verified address"}.items() <= next(
        i for i in erin if i["item"] == "erin"
    ).items()


def test_it_sends_once_a_month_however_often_it_runs(app, configured, clock, drain):
    fire(app, "send_profile_status")
    drain()
    clock.shift(5 * 86400)
    fire(app, "send_profile_status")
    drain()

    assert sent(configured).count("alice") == 1
    latest = runs.recent(job="profile-status")[0]
    assert latest["counts"]["duplicate"] == 8 and latest["state"] == "finished"
    clock.move_to("2026-12-01 06:00:00+00:00")
    fire(app, "send_profile_status")
    drain()
    assert sent(configured).count("alice") == 2


def test_it_does_not_send_twice_on_a_redelivered_message(app, configured, clock, queued):
    fire(app, "send_profile_status")
    records = queued()

    site_jobs.handle({"Records": records})
    site_jobs.handle({"Records": list(reversed(records))})

    assert sorted(sent(configured)) == sorted(configured.profiles)
    assert runs.recent(job="profile-status")[0]["counts"]["triggered"] == 3


def test_it_retries_a_failed_send_and_counts_it_on_the_last_try(app, configured, clock, queued):
    configured.failing_profiles = {"bob"}
    fire(app, "send_profile_status")
    (bob,) = [r for r in queued() if '"bob"' in r["body"]]

    first = site_jobs.handle({"Records": [bob]})
    assert first == {"batchItemFailures": [{"itemIdentifier": bob["messageId"]}]}
    run = runs.recent(job="profile-status")[0]
    assert run["counts"]["failed"] == 0
    bob["attributes"]["ApproximateReceiveCount"] = str(site_jobs.MAX_ATTEMPTS)
    site_jobs.handle({"Records": [bob]})

    run = runs.view(run["id"])
    assert run["counts"]["failed"] == 1
    assert run["failures"][0]["item"] == "bob"
    assert "500" in run["failures"][0]["error"]


def test_it_runs_for_each_site_that_enables_the_job(app, configured, clock, monkeypatch):
    import json

    from herald.local.sample_site import SampleSite

    with SampleSite(token="other-token") as other:
        monkeypatch.setenv(
            "SITES",
            json.dumps(
                [
                    {"name": "sample", "url": configured.url, "jobs": ["profile-status"]},
                    {"name": "other", "url": other.url, "jobs": ["digest"]},
                ]
            ),
        )
        monkeypatch.setenv("HERALD_SITE_OTHER_TOKEN", "other-token")

        digest = fire(app, "send_digests")
        profile = fire(app, "send_profile_status")

    assert [r["site"] for r in digest["runs"]] == ["other"]
    assert [r["site"] for r in profile["runs"]] == ["sample"]
    assert other.sent(gs.DIGEST_GROUPS_URI) == [{"token": "other-token", "get": ""}]
    assert configured.sent(gs.DIGEST_GROUPS_URI) == []


def test_a_list_that_answers_500_once_is_listed_again_and_the_run_completes(
    app, configured, clock, drain
):
    configured.list_status = 500
    result = fire(app, "send_profile_status")
    assert "Internal Server Error (500 <127.0.0.1:" in result["runs"][0]["error"]
    assert result["runs"][0]["retry_in"] == 60

    configured.list_status = 200
    clock.shift(61)
    drain()

    (run,) = runs.recent(job="profile-status")
    assert run["state"] == "finished" and run["counts"]["listed"] == 8
    assert sorted(sent(configured)) == sorted(configured.profiles)


def test_a_list_that_answers_500_all_day_is_a_failed_run_at_the_days_end(
    app, configured, clock, drain
):
    configured.list_status = 500
    clock.move_to("2026-11-01 23:50:00+00:00")
    fire(app, "send_profile_status")
    for _ in range(12):  # 60 s, 120 s, 240 s: then the next try would be tomorrow
        clock.shift(120)
        drain()

    (run,) = runs.recent(job="profile-status")
    assert run["state"] == "failed" and run["error"].startswith("list failed: ")
    assert len(configured.sent(gs.PROFILE_URI)) == 4
    assert sent(configured) == []


def test_it_reports_a_missing_token_as_a_failed_run(app, configured, clock, monkeypatch):
    monkeypatch.delenv("HERALD_SITE_SAMPLE_TOKEN")
    monkeypatch.setenv("HERALD_LOCAL", "1")

    fire(app, "send_profile_status")

    (run,) = runs.recent(job="profile-status")
    assert run["state"] == "failed" and "HERALD_SITE_SAMPLE_TOKEN" in run["error"]
    assert configured.requests == []


def test_it_backs_off_each_retry_and_leaves_the_last_to_the_dead_letter_queue(
    app, configured, clock, queued, monkeypatch
):
    from chalicelib.core import aws as clients

    configured.failing_profiles = {"bob"}
    fire(app, "send_profile_status")
    (bob,) = [r for r in queued() if '"bob"' in r["body"]]
    sqs, delays = clients.client("sqs"), []
    monkeypatch.setattr(
        sqs, "change_message_visibility", lambda **kw: delays.append(kw["VisibilityTimeout"])
    )

    for attempt in range(1, site_jobs.MAX_ATTEMPTS + 1):
        bob["attributes"]["ApproximateReceiveCount"] = str(attempt)
        assert site_jobs.handle({"Records": [bob]})["batchItemFailures"]

    assert delays == [30, 60, 120, 240]  # the 5th try is not delayed: SQS dead-letters it
    assert len(configured.sent(gs.SEND_STATUS_URI)) == site_jobs.MAX_ATTEMPTS
    assert runs.recent(job="profile-status")[0]["counts"]["failed"] == 1


def test_it_does_not_send_again_when_the_reply_is_lost(app, configured, clock, queued, monkeypatch):
    monkeypatch.setattr(gs, "TIMEOUT", 0.2)
    configured.send_delay = 1.0  # the site acts on the request, then answers too late
    fire(app, "send_profile_status")
    (alice,) = [r for r in queued() if '"alice"' in r["body"]]

    first = site_jobs.handle({"Records": [alice]})
    again = site_jobs.handle({"Records": [alice]})  # as SQS would redeliver it

    assert first == again == {"batchItemFailures": []}
    assert sent(configured) == ["alice"]
    run = runs.view(runs.recent(job="profile-status")[0]["id"])
    assert (run["counts"]["failed"], run["counts"]["triggered"]) == (1, 0)
    (failure,) = run["failures"]
    assert failure["item"] == "alice"
    assert failure["error"] == "no reply (the site may have sent it)"


def test_it_retries_when_the_site_cannot_be_reached(app, configured, clock, queued, monkeypatch):
    import json

    fire(app, "send_profile_status")
    (alice,) = [r for r in queued() if '"alice"' in r["body"]]
    monkeypatch.setenv("SITES", json.dumps([{"name": "sample", "url": "http://127.0.0.1:9"}]))

    first = site_jobs.handle({"Records": [alice]})

    assert first == {"batchItemFailures": [{"itemIdentifier": alice["messageId"]}]}
    monkeypatch.setenv(
        "SITES", json.dumps([{"name": "sample", "url": configured.url, "jobs": ["profile-status"]}])
    )
    assert site_jobs.handle({"Records": [alice]}) == {"batchItemFailures": []}
    assert sent(configured) == ["alice"]
