"""`herald monitors import | list | pause | resume | delete` (on moto, --stage dev)."""

import json

from click.testing import CliRunner

from herald.cli import main

EXAMPLE = "examples/monitors.json"


def herald(*args):
    return CliRunner().invoke(main, ["--stage", "dev", *args], catch_exceptions=False)


def test_it_imports_the_original_config_and_prints_ping_urls(aws):
    from chalicelib.monitors import store as monitors

    result = herald("monitors", "import", EXAMPLE)
    assert result.exit_code == 0, result.output
    assert "raspberry: created" in result.output
    assert f"http://herald.test/ping/{monitors.uuid_for('raspberry')}" in result.output
    assert f"/ping/{monitors.ping_key('raspberry')}/raspberry" in result.output
    assert "base_frequency: accepted and ignored" in result.output
    item = monitors.get("raspberry")
    assert item["recipients"] == ["pi-owner@example.com"]
    assert monitors.get("nightly-backup")["recipients"] == ["ops@example.com"]
    assert monitors.get("nightly-backup")["refresh_on_ping_restored"] is False
    assert monitors.get("laptop")["monitor"] is False


def test_importing_twice_changes_nothing(aws):
    from chalicelib.monitors import store as monitors

    herald("monitors", "import", EXAMPLE)
    before = {name: monitors.get(name) for name in ("raspberry", "nightly-backup", "laptop")}
    result = herald("monitors", "import", EXAMPLE)
    assert result.output.count(": unchanged") == 3
    assert {name: monitors.get(name) for name in before} == before


def test_a_bad_file_names_the_field_and_changes_nothing(aws, tmp_path):
    from chalicelib.monitors import store as monitors

    config = json.load(open(EXAMPLE))
    config["users"]["laptop"]["max_sleep"] = "soon"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(config))
    result = CliRunner().invoke(main, ["--stage", "dev", "monitors", "import", str(path)])
    assert result.exit_code == 1
    assert "users.laptop.max_sleep: must be a number of seconds" in result.output
    assert "nothing was changed" in result.output
    assert monitors.get("raspberry") is None


def test_a_file_that_is_not_json_is_refused(aws, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{users: ")
    result = CliRunner().invoke(main, ["--stage", "dev", "monitors", "import", str(path)])
    assert result.exit_code == 1
    assert "not a readable JSON file" in result.output


def test_it_lists_pauses_resumes_and_deletes(aws):
    herald("monitors", "import", EXAMPLE)
    assert "raspberry" in herald("monitors", "list").output
    assert "paused" in herald("monitors", "pause", "raspberry").output
    listed = json.loads(herald("monitors", "list", "--json").output)
    assert {m["name"]: m["status"] for m in listed}["raspberry"] == "paused"
    assert "resumed" in herald("monitors", "resume", "raspberry").output
    assert "deleted" in herald("monitors", "delete", "laptop").output
    result = CliRunner().invoke(main, ["--stage", "dev", "monitors", "pause", "laptop"])
    assert result.exit_code == 1 and "no monitor named 'laptop'" in result.output
