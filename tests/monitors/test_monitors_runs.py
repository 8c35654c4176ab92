"""Runs, body keywords and methods, as a user sees them.

A job pings /start when it begins and its success or fail URL when it ends:
Herald measures the run (the log's `duration`), alerts when it runs past
`max_runtime`, and pairs overlapping runs by `?rid=`. A ping's body may
overrule its URL (success_keywords / failure_keywords), and a POST-only
monitor takes a GET (a link preview, a crawler) for no sign of life.
Everything goes through HTTP, the checker and the outbox, on a controlled
clock (it starts at 2026-11-02 09:00:00 UTC).
"""

import pytest

from tests.helpers import dynamodb_requests

# Fixed, not uuid4(): they name parametrized tests, which must be the same in every run.
RUN_A, RUN_B = "3f2c8a1e-5b7d-4c9e-8a6f-0d1e2f3a4b5c", "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"


def _hit(client, monitor, suffix="", query="", method="GET", body=b""):
    path = f"/ping/{monitor['uuid']}" + (f"/{suffix}" if suffix else "") + query
    return client.http.request(method, path, body=body)


def _log(client, api_key, name="backup", day=None):
    path = f"/monitors/{name}/pings" + (f"?date={day}" if day else "")
    reply = client.http.get(path, headers=api_key)
    assert reply.status_code == 200, reply.body
    return reply.json_body["pings"]


def _subjects(deliver_outbox, sent_mail):
    deliver_outbox()
    return [mail["Subject"] for mail in sent_mail()]


# ---- max_runtime -------------------------------------------------------------------


@pytest.fixture
def nightly(make_monitor, client, clock):
    """A daily job allowed 10 min per run, seen once, started at 09:01."""
    monitor = make_monitor(timeout=86400, max_runtime=600)
    assert _hit(client, monitor).status_code == 200
    clock.shift(60)
    assert _hit(client, monitor, "start").status_code == 200
    return monitor


def test_it_mails_once_when_a_run_outlasts_max_runtime(
    nightly, clock, run_checker, deliver_outbox, sent_mail
):
    clock.shift(599)
    run_checker()
    assert _subjects(deliver_outbox, sent_mail) == []
    clock.shift(1)
    run_checker()
    clock.shift(60)
    run_checker()  # a second look at the same run tells nobody again
    assert _subjects(deliver_outbox, sent_mail) == ["backup has been running for 10 min"]
    text = sent_mail()[0].get_body(("plain",)).get_content()
    assert "started at 2026-11-02 09:01:00 UTC" in text


def test_the_late_end_of_a_long_run_is_measured_and_mails_back_up(
    nightly, client, api_key, clock, run_checker, deliver_outbox, sent_mail
):
    clock.shift(600)
    run_checker()
    clock.shift(300)
    assert _hit(client, nightly).status_code == 200
    assert _subjects(deliver_outbox, sent_mail) == [
        "backup has been running for 10 min",
        "backup is back up",
    ]
    ended = _log(client, api_key)[-1]
    assert (ended["kind"], ended["duration"]) == ("success", 900.0)


def test_a_run_that_ends_in_time_alerts_nobody(
    nightly, client, api_key, clock, run_checker, deliver_outbox, sent_mail
):
    clock.shift(590)
    assert _hit(client, nightly).status_code == 200
    clock.shift(600)
    run_checker()
    assert _subjects(deliver_outbox, sent_mail) == []
    assert _log(client, api_key)[-1]["duration"] == 590.0
    monitor = client.http.get("/monitors/backup", headers=api_key).json_body
    assert monitor["status"] == "up"


def test_a_failed_end_of_a_run_is_measured_too(nightly, client, api_key, clock):
    clock.shift(42)
    assert _hit(client, nightly, "1").status_code == 200
    ended = _log(client, api_key)[-1]
    assert (ended["kind"], ended["exit_status"], ended["duration"]) == ("fail", 1, 42.0)


# ---- run ids ----------------------------------------------------------------------


def test_overlapping_runs_with_run_ids_get_their_own_durations(
    make_monitor, client, api_key, clock
):
    monitor = make_monitor(timeout=86400)
    steps = [("start", RUN_A, 10), ("start", RUN_B, 20), ("", RUN_A, 40), ("", RUN_B, 0)]
    for suffix, rid, wait in steps:
        assert _hit(client, monitor, suffix, f"?rid={rid}").status_code == 200
        clock.shift(wait)
    ends = [entry for entry in _log(client, api_key) if entry["kind"] == "success"]
    # A started 09:00:00, ended 09:00:30; B started 09:00:10, ended 09:01:10.
    assert [entry["duration"] for entry in ends] == [30.0, 60.0]


def test_a_run_id_in_capitals_pairs_with_the_same_id_in_lower_case(
    make_monitor, client, api_key, clock
):
    monitor = make_monitor(timeout=86400)
    _hit(client, monitor, "start", f"?rid={RUN_A.upper()}")
    clock.shift(5)
    _hit(client, monitor, "", f"?rid={RUN_A}")
    assert _log(client, api_key)[-1]["duration"] == 5.0


def test_an_end_with_an_unknown_run_id_has_no_duration(make_monitor, client, api_key, clock):
    monitor = make_monitor(timeout=86400)
    _hit(client, monitor, "start", f"?rid={RUN_A}")
    clock.shift(5)
    assert _hit(client, monitor, "", f"?rid={RUN_B}").status_code == 200
    assert "duration" not in _log(client, api_key)[-1]


@pytest.mark.parametrize("query", ["", f"?rid={RUN_A}"])
def test_a_start_and_an_end_73_hours_apart_are_no_run(make_monitor, client, api_key, clock, query):
    monitor = make_monitor(timeout=86400)
    _hit(client, monitor, "start", query)
    clock.shift(73 * 3600)
    assert _hit(client, monitor, "", query).status_code == 200
    ended = _log(client, api_key, day="2026-11-05")
    assert [entry["kind"] for entry in ended] == ["success"]
    assert "duration" not in ended[0]


def test_it_refuses_a_run_id_that_is_not_a_uuid(make_monitor, client, api_key):
    monitor = make_monitor(timeout=86400)
    reply = _hit(client, monitor, "start", "?rid=nightly-1")
    assert reply.status_code == 400
    assert "rid: must be a UUID" in reply.json_body["Message"]
    assert reply.json_body["field"] == "rid"
    assert _log(client, api_key) == []


# ---- body keywords ----------------------------------------------------------------


@pytest.fixture
def worded(make_monitor, client, clock):
    monitor = make_monitor(timeout=86400, success_keywords=["all good"], failure_keywords=["ERROR"])
    assert _hit(client, monitor).status_code == 200
    clock.shift(30)
    return monitor


def test_a_success_ping_whose_body_has_a_failure_keyword_is_a_failure(
    worded, client, api_key, deliver_outbox, sent_mail
):
    body = b"rsync: error: disk full\n"
    assert _hit(client, worded, method="POST", body=body).status_code == 200
    assert _subjects(deliver_outbox, sent_mail) == ["backup reported a failure"]
    entry = _log(client, api_key)[-1]
    assert (entry["kind"], entry["body"]) == ("fail", body.decode())


def test_a_fail_ping_whose_body_has_a_success_keyword_is_a_success(
    worded, client, api_key, deliver_outbox, sent_mail
):
    assert _hit(client, worded, "fail", method="POST", body=b"ALL GOOD").status_code == 200
    assert _subjects(deliver_outbox, sent_mail) == []
    assert _log(client, api_key)[-1]["kind"] == "success"


def test_a_body_without_keywords_leaves_the_url_in_charge(worded, client, api_key):
    _hit(client, worded, method="POST", body=b"done in 3 s")
    _hit(client, worded, "fail", method="POST", body=b"exit 2")
    assert [e["kind"] for e in _log(client, api_key)] == ["success", "success", "fail"]


def test_only_the_first_10000_bytes_of_a_body_are_searched(worded, client, api_key):
    inside = b"x" * 9995 + b"error"
    beyond = b"x" * 10_000 + b"error"
    _hit(client, worded, method="POST", body=inside)
    _hit(client, worded, "fail", method="POST", body=b"all good " + beyond)
    _hit(client, worded, method="POST", body=beyond)
    assert [e["kind"] for e in _log(client, api_key)[1:]] == ["fail", "success", "success"]


def test_a_failure_keyword_on_exit_status_0_is_not_told_as_exit_status_0(worded, client, api_key):
    assert _hit(client, worded, "0", method="POST", body=b"ERROR").status_code == 200
    flips = client.http.get("/monitors/backup/flips", headers=api_key).json_body["flips"]
    assert flips[-1]["status"] == "down"
    assert flips[-1]["reason"] != "exit status 0"


def test_a_ping_with_a_body_costs_two_requests_on_a_monitor_without_keywords(
    make_monitor, client, clock
):
    monitor = make_monitor(timeout=86400)
    _hit(client, monitor)  # warm the clients so the hook sees every request
    with dynamodb_requests() as calls:
        assert _hit(client, monitor, method="POST", body=b"error: all good").status_code == 200
        assert _hit(client, monitor, "log", method="POST", body=b"progress").status_code == 200
    assert calls == ["UpdateItem", "PutItem"] * 2


# ---- methods ------------------------------------------------------------------------


def test_a_get_on_a_post_only_monitor_is_logged_as_ignored(make_monitor, client, api_key, clock):
    monitor = make_monitor(methods="POST")
    for method in ("GET", "HEAD"):
        assert _hit(client, monitor, method=method).status_code == 200
    shown = client.http.get("/monitors/backup", headers=api_key).json_body
    assert (shown["status"], shown["last_ping"]) == ("new", None)
    assert [(e["kind"], e["method"]) for e in _log(client, api_key)] == [
        ("ignored", "GET"),
        ("ignored", "HEAD"),
    ]


def test_a_get_on_a_post_only_monitor_is_no_sign_of_life(
    make_monitor, client, clock, run_checker, deliver_outbox, sent_mail
):
    monitor = make_monitor(methods="POST")  # max_sleep 300 s
    assert _hit(client, monitor, method="POST").status_code == 200
    clock.shift(200)
    assert _hit(client, monitor, "fail").status_code == 200  # ignored as well
    assert _hit(client, monitor).status_code == 200
    clock.shift(150)
    run_checker()
    assert _subjects(deliver_outbox, sent_mail) == ["backup disconnection detected"]
