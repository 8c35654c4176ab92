"""GET /runs and GET /runs/{id}: the reports of scheduled site runs."""

import json
from urllib.parse import quote

import pytest

from herald.local.invoke import fire


@pytest.fixture
def two_runs(app, configured, clock, drain):
    fire(app, "send_digests")
    clock.shift(60)
    fire(app, "send_profile_status")
    drain()


def get(client, path, headers):
    reply = client.http.get(path, headers=headers)
    return reply.status_code, json.loads(reply.body or b"null")


def test_it_lists_runs_newest_first(client, api_key, two_runs):
    status, body = get(client, "/runs", api_key)

    assert status == 200
    assert [(r["job"], r["site"]) for r in body["runs"]] == [
        ("profile-status", "sample"),
        ("digest", "sample"),
    ]
    assert body["runs"][0]["counts"]["triggered"] == 3


def test_it_filters_runs_by_job_and_site(client, read_only_key, two_runs):
    _, body = get(client, "/runs?job=digest&site=sample&limit=5", read_only_key)

    assert [r["job"] for r in body["runs"]] == ["digest"]
    assert get(client, "/runs?site=elsewhere", read_only_key)[1] == {"runs": []}


def test_it_shows_one_run_with_its_items(client, api_key, two_runs):
    _, listing = get(client, "/runs?job=profile-status", api_key)
    run_id = listing["runs"][0]["id"]

    status, body = get(client, f"/runs/{run_id}?outcome=triggered", api_key)

    assert status == 200
    assert body["id"] == run_id and body["state"] == "finished" and body["failures"] == []
    assert sorted(i["item"] for i in body["items"]) == ["alice", "bob", "carol"]
    assert all(i["meaning"] == "sent" for i in body["items"])


def test_it_answers_404_for_an_unknown_run(client, api_key, aws):
    status, body = get(client, "/runs/digest-sample-20261102T050000Z", api_key)

    assert status == 404 and "digest-sample-20261102T050000Z" in body["Message"]


@pytest.mark.parametrize(
    "run_id",
    ["nothing-here", "a" * 3000, "%ED%A0%80", "%00", quote("é" * 150), "RUN%23x", "..%2F..%2Fx"],
)
def test_it_answers_404_json_for_a_hostile_run_id(client, api_key, aws, run_id):
    status, body = get(client, f"/runs/{run_id}", api_key)

    assert status == 404 and body["Message"] == "no such run"


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=abc",
        "limit=1000",
        "limit=-1",
        "limit=",
        "limit=%C2%B2",  # "²": str.isdigit() says yes, int() says no
        "limit=" + "9" * 5000,  # beyond int()'s digit limit
        "colour=red",
        "job=mail",
        "job=%00",
        "site=Not%20A%20Site",
        "site=" + "x" * 100_000,
        "site=%ED%A0%80",
    ],
)
def test_it_answers_400_for_a_bad_query(client, api_key, aws, query):
    status, body = get(client, f"/runs?{query}", api_key)

    assert status == 400 and body["Message"]


def test_it_answers_400_for_an_unknown_outcome(client, api_key, aws):
    assert get(client, "/runs/x?outcome=lost", api_key)[0] == 400


@pytest.mark.parametrize("path", ["/runs", "/runs/x"])
def test_it_needs_an_api_key(client, aws, path):
    for headers in ({}, {"X-Api-Key": "hk_nope_nope"}, {"X-Api-Key": "é" * 5000}):
        status, body = get(client, path, headers)
        assert status == 401 and body["Message"]
