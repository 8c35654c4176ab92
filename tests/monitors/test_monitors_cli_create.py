"""`herald monitors create | urls | flips` and `herald ping-keys create | list | revoke`.

Run as a user runs them (click's CliRunner, --stage dev on moto), and
checked by what they print and what then works: the printed URLs ping the
monitor, a printed shared key pings its group.
"""

import re

from click.testing import CliRunner

from herald.cli import main

BACKUP = ("monitors", "create", "backup", "--schedule", "0 2 * * *", "--tz", "Europe/Berlin")


def herald(*args):
    return CliRunner().invoke(main, ["--stage", "dev", *args])


def _urls(output):
    return dict(re.findall(r"^\s+(uuid|slug|original)\s+(\S+)$", output, re.M))


def _path(url):
    return url.removeprefix("http://herald.test")


def test_it_creates_a_cron_monitor_and_prints_its_schedule_and_urls(aws):
    from chalicelib.monitors import store

    result = herald(*BACKUP, "--grace", "1h")
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first == "backup: created (every day at 02:00 Europe/Berlin (cron 0 2 * * *), grace 1 h)"
    urls = _urls(result.output)
    key = store.ping_key("backup")
    assert urls == {
        "uuid": f"http://herald.test/ping/{store.uuid_for('backup')}",
        "slug": f"http://herald.test/ping/{key}/backup",
        "original": f"http://herald.test/ping?username=backup&key={key}",
    }
    item = store.get("backup")
    assert (item["schedule_kind"], item["tz"]) == ("cron", "Europe/Berlin")
    assert int(item["grace"]) == 3600


def test_the_printed_urls_ping_the_monitor(aws, client, clock):
    urls = _urls(herald(*BACKUP, "--grace", "1h").output)
    for form in ("uuid", "slug", "original"):
        reply = client.http.get(_path(urls[form]))
        assert reply.status_code == 200, (form, reply.body)
    from chalicelib.monitors import store

    assert int(store.get("backup")["pings"]) == 3


def test_creating_again_changes_only_what_is_given(aws):
    from chalicelib.monitors import store

    herald(*BACKUP, "--grace", "1h", "--email", "ops@example.com")
    result = herald("monitors", "create", "backup", "--grace", "2h")
    assert result.output.splitlines()[0] == (
        "backup: updated (every day at 02:00 Europe/Berlin (cron 0 2 * * *), grace 2 h)"
    )
    assert store.get("backup")["recipients"] == ["ops@example.com"]
    again = herald("monitors", "create", "backup", "--grace", "2h")
    assert again.output.startswith("backup: unchanged")


def test_it_switches_a_cron_monitor_to_a_simple_schedule(aws):
    herald(*BACKUP)
    result = herald("monitors", "create", "backup", "--timeout", "1d")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "backup: updated (every 1 day, grace 1 h)"


def test_it_refuses_a_bad_time_zone_clearly_and_creates_nothing(aws):
    from chalicelib.monitors import store

    result = herald("monitors", "create", "backup", "--schedule", "0 2 * * *", "--tz", "Mars/Base")
    assert result.exit_code == 1
    assert "Error: monitor.tz: unknown time zone 'Mars/Base'" in result.output
    assert "Traceback" not in result.output
    assert store.get("backup") is None


def test_it_refuses_a_bad_cron_expression_or_duration(aws):
    bad_cron = herald("monitors", "create", "backup", "--schedule", "every night")
    assert bad_cron.exit_code == 1 and "monitor.schedule:" in bad_cron.output
    bad_grace = herald(*BACKUP, "--grace", "soon")
    assert bad_grace.exit_code == 2 and "--grace" in bad_grace.output


def test_it_prints_the_urls_of_a_monitor(aws):
    created = _urls(herald(*BACKUP).output)
    result = herald("monitors", "urls", "backup")
    assert result.exit_code == 0, result.output
    assert _urls(result.output) == created
    missing = herald("monitors", "urls", "nobody")
    assert missing.exit_code == 1 and "no monitor named 'nobody'" in missing.output


def test_it_prints_the_flips_of_a_monitor(aws, client, clock):
    urls = _urls(herald("monitors", "create", "backup", "--timeout", "1h").output)
    clock.shift(90)
    client.http.get(_path(urls["uuid"]))
    clock.shift(60)
    herald("monitors", "pause", "backup")
    lines = herald("monitors", "flips", "backup").output.splitlines()
    assert [line.split(maxsplit=1)[1] for line in lines] == [
        "new     created",
        "up      first ping",
        "paused  paused",
    ]
    assert [line[:19] for line in lines] == [
        "2026-11-02T09:00:00",
        "2026-11-02T09:01:30",
        "2026-11-02T09:02:30",
    ]
    clock.shift(2 * 86400)
    assert herald("monitors", "flips", "backup", "--days", "1").output == ""
    missing = herald("monitors", "flips", "nobody")
    assert missing.exit_code == 1 and "no monitor named 'nobody'" in missing.output


def _created_key(output):
    key_id = re.search(r"^key id ([0-9a-f]{12}) ", output, re.M).group(1)
    key = re.search(r"^key\s+(\S+)\s+\(shown once\)$", output, re.M).group(1)
    return key_id, key


def test_it_creates_lists_and_revokes_a_shared_ping_key(aws):
    result = herald("ping-keys", "create", "--label", "fleet", "--cap", "5")
    assert result.exit_code == 0, result.output
    key_id, key = _created_key(result.output)
    assert f"http://herald.test/ping/{key}/<name>[?create=1]" in result.output
    listed = herald("ping-keys", "list").output
    assert re.fullmatch(rf"{key_id}  \.\.\.{key[-4:]}  created 0/5  fleet\n", listed)
    assert key not in listed
    assert herald("ping-keys", "revoke", key_id).output == f"{key_id}: revoked\n"
    assert herald("ping-keys", "list").output == ""
    again = herald("ping-keys", "revoke", key_id)
    assert again.exit_code == 1 and f"no shared ping key '{key_id}'" in again.output


def test_a_printed_shared_key_pings_the_monitors_of_its_group(aws, client, clock):
    key_id, key = _created_key(herald("ping-keys", "create", "--cap", "1").output)
    joined = herald("monitors", "create", "db", "--timeout", "1h", "--group", key_id)
    assert joined.exit_code == 0, joined.output
    assert client.http.get(f"/ping/{key}/db").status_code == 200
    assert client.http.get(f"/ping/{key}/cache?create=1").status_code == 201
    assert "created 1/1" in herald("ping-keys", "list").output
    herald("ping-keys", "revoke", key_id)
    assert client.http.get(f"/ping/{key}/db").status_code == 403


def test_it_refuses_a_group_that_is_no_shared_key(aws):
    result = herald("monitors", "create", "db", "--timeout", "1h", "--group", "0123456789ab")
    assert result.exit_code == 1
    assert "monitor.group_key: no shared ping key with id '0123456789ab'" in result.output


def test_it_refuses_a_bad_cap(aws):
    result = herald("ping-keys", "create", "--cap", "-1")
    assert result.exit_code == 1 and "cap: must be a whole number" in result.output
