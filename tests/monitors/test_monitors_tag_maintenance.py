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
