"""Maintenance windows per tag: every monitor with the tag keeps them as its own."""

import json

WINDOW = [{"start": "2026-11-02T09:05:00Z", "end": "2026-11-02T09:30:00Z"}]


def _set(client, api_key, tag: str, windows) -> object:
    body = json.dumps({"windows": windows})
    return client.http.put(f"/maintenance/{tag}", body=body, headers=api_key)


def _status(client, api_key, name: str) -> str:
    return json.loads(client.http.get(f"/monitors/{name}", headers=api_key).body)["status"]


def test_a_tags_window_keeps_its_monitors_quiet(client, api_key, job, clock, told):
    job(tags=["db"])
    assert _set(client, api_key, "db", WINDOW).status_code == 200
    clock.shift(361)  # 09:06, the deadline inside the window
    assert told() == [] and _status(client, api_key, "job") == "maintenance"
    clock.move_to("2026-11-02 09:35:00+00:00")
    assert told() == []  # a whole period from the window's end
    clock.move_to("2026-11-02 09:36:01+00:00")
    assert told() == ["job disconnection detected"]


def test_a_monitor_tagged_later_inherits_the_window(client, api_key, job, clock, told):
    assert _set(client, api_key, "db", WINDOW).status_code == 200
    job(tags=["db", "nightly"])
    clock.shift(361)
    assert told() == [] and _status(client, api_key, "job") == "maintenance"


def test_other_tags_and_removed_windows_keep_nothing_quiet(client, api_key, job, clock, told):
    job(tags=["web"])
    assert _set(client, api_key, "db", WINDOW).status_code == 200
    clock.shift(361)
    assert told() == ["job disconnection detected"]


def test_removing_a_tags_windows_lets_its_monitors_alert(client, api_key, job, clock, told):
    job(tags=["db"])
    assert _set(client, api_key, "db", WINDOW).status_code == 200
    assert client.http.delete("/maintenance/db", headers=api_key).status_code == 200
    assert json.loads(client.http.get("/maintenance", headers=api_key).body) == {"tags": {}}
    clock.shift(361)
    assert told() == ["job disconnection detected"]


def test_it_lists_and_refuses_windows_by_field(client, api_key, job):
    job(tags=["db"])
    assert _set(client, api_key, "db", WINDOW).status_code == 200
    reply = _set(client, api_key, "db", [{"start": "2026-11-02T09:05:00Z"}])
    assert reply.status_code == 400
    assert json.loads(reply.body)["Message"].startswith("windows[0]")
    listed = json.loads(client.http.get("/maintenance", headers=api_key).body)["tags"]
    assert listed == {
        "db": [{"start": "2026-11-02T09:05:00.000000Z", "end": "2026-11-02T09:30:00.000000Z"}]
    }
    refused = client.http.put("/maintenance/db", body=json.dumps({"when": 1}), headers=api_key)
    assert refused.status_code == 400 and "when" in json.loads(refused.body)["Message"]


def test_the_cli_sets_and_removes_them(aws, client, api_key):
    from click.testing import CliRunner

    from herald.cli import main

    def run(*args):
        return CliRunner().invoke(main, ["--stage", "dev", "monitors", "maintenance", "db", *args])

    weekly = '{"days": "sun", "from": "02:00", "to": "04:00", "tz": "Europe/Berlin"}'
    result = run("--window", weekly)
    assert result.exit_code == 0 and "db: 1 maintenance window" in result.output
    listed = json.loads(client.http.get("/maintenance", headers=api_key).body)["tags"]
    assert listed["db"][0]["tz"] == "Europe/Berlin"
    assert "windows[0].from" in run("--window", '{"days": "sun", "from": "25:00"}').output
    assert run("--off").exit_code == 0
    assert json.loads(client.http.get("/maintenance", headers=api_key).body)["tags"] == {}


# ---- a window changed while it holds a monitor -----------------------------------

LONG = [{"start": "2026-11-02T09:05:00Z", "end": "2026-11-02T12:00:00Z"}]


def _minutes(clock, told, first: int, last: int) -> list[str]:
    """told() at each minute from 09:first to 09:last; the subjects mailed meanwhile."""
    subjects = []
    for minute in range(first, last + 1):
        clock.move_to(f"2026-11-02 09:{minute:02d}:00+00:00")
        subjects += told()
    return subjects


def test_it_lets_a_monitor_alert_soon_once_the_window_holding_it_is_removed(
    client, api_key, job, clock, told
):
    job(tags=["db"])  # pinged 09:00, down after 09:06 without a window
    assert _set(client, api_key, "db", LONG).status_code == 200
    clock.move_to("2026-11-02 09:10:00+00:00")
    assert told() == [] and _status(client, api_key, "job") == "maintenance"
    assert client.http.delete("/maintenance/db", headers=api_key).status_code == 200
    # At the next look, not at 12:00 when the old window would have ended.
    assert _minutes(clock, told, 11, 11) == ["job disconnection detected"]
    assert _minutes(clock, told, 12, 30) == []


def test_it_lets_a_monitor_alert_soon_once_the_window_holding_it_is_cut_short(
    client, api_key, job, clock, told
):
    job(tags=["db"])
    assert _set(client, api_key, "db", LONG).status_code == 200
    clock.move_to("2026-11-02 09:10:00+00:00")
    assert told() == []
    short = [{"start": "2026-11-02T09:05:00Z", "end": "2026-11-02T09:15:00Z"}]
    assert _set(client, api_key, "db", short).status_code == 200
    assert _minutes(clock, told, 11, 21) == []  # a whole period from 09:15
    assert _minutes(clock, told, 22, 30) == ["job disconnection detected"]


def test_adding_or_extending_a_window_tells_nothing_early(client, api_key, job, clock, told):
    job(tags=["db"])
    clock.move_to("2026-11-02 09:03:00+00:00")
    assert _set(client, api_key, "db", WINDOW).status_code == 200  # 09:05-09:30
    assert _minutes(clock, told, 4, 20) == []
    later = [{"start": "2026-11-02T09:05:00Z", "end": "2026-11-02T09:45:00Z"}]
    assert _set(client, api_key, "db", later).status_code == 200
    assert _minutes(clock, told, 21, 51) == []  # a whole period from 09:45
    assert _minutes(clock, told, 52, 52) == ["job disconnection detected"]


def test_a_window_added_during_an_outage_brings_no_reminder_forward(
    client, api_key, job, clock, told
):
    job(tags=["db"], realert_every=3600)
    clock.move_to("2026-11-02 09:07:00+00:00")
    assert told() == ["job disconnection detected"]
    tomorrow = [{"start": "2026-11-03T09:00:00Z", "end": "2026-11-03T10:00:00Z"}]
    assert _set(client, api_key, "db", tomorrow).status_code == 200
    assert _minutes(clock, told, 8, 59) == []  # the reminder is due at 10:07
