"""Flapping: more than `changes` state changes within `window` become one
"flapping" notice; nothing more until `stable` seconds pass without a change;
then one notice says it stopped, and what the monitor is now."""

import json

FAST = {"changes": 4, "window": 3600, "stable": 600}


def _flap(ping, monitor, clock, times: int, told) -> list[str]:
    """Fail, succeed, fail, ... a minute apart (each ping a state change)."""
    subjects = []
    for i in range(times):
        clock.shift(60)
        assert ping(monitor, "fail" if i % 2 == 0 else "").status_code == 200
        subjects += told()
    return subjects


def test_it_tells_one_flapping_notice_instead_of_every_change(job, ping, clock, told):
    monitor = job(flapping=FAST)
    assert _flap(ping, monitor, clock, 9, told) == [
        "job reported a failure",
        "job is back up",
        "job reported a failure",
        "job is back up",
        "job is flapping",  # the 5th change in the hour
    ]


def test_it_says_when_a_flapping_monitor_is_steady_again_and_what_it_is(
    job, ping, clock, told, sent_mail
):
    monitor = job(flapping=FAST)
    _flap(ping, monitor, clock, 7, told)  # ends on a failure, muted
    clock.shift(599)
    assert told() == []  # 10 minutes after the last change, not before
    clock.shift(1)
    assert told() == ["job stopped flapping: down"]
    assert "changed state 7 times" in sent_mail()[-1].get_body(("plain",)).get_content()
    clock.shift(60)
    assert ping(monitor).status_code == 200
    assert told() == ["job is back up"]  # told again, one by one


def test_a_steady_monitor_that_is_up_closes_the_episode_as_a_recovery(
    job, ping, clock, told, monkeypatch
):
    from chalicelib.monitors import channels

    kinds = []
    real = channels.deliver
    monkeypatch.setattr(
        channels, "deliver", lambda i, n, **o: (kinds.append(n.kind), real(i, n, **o))
    )
    monitor = job(flapping=FAST)
    _flap(ping, monitor, clock, 6, told)  # ends on a success
    clock.shift(300)
    assert ping(monitor).status_code == 200  # no change: not news
    clock.shift(299)
    assert told() == []
    clock.shift(1)  # 10 minutes after the last change, the next deadline later
    assert told() == ["job stopped flapping: up"]
    # What PagerDuty and Opsgenie read: trigger the episode, resolve it.
    assert kinds == ["fail", "up", "fail", "up", "flapping", "up"]


def test_muted_changes_still_reach_the_outage_history(job, ping, clock, told, client, api_key):
    monitor = job(flapping=FAST)
    _flap(ping, monitor, clock, 8, told)
    reply = client.http.get("/monitors/job/flips", headers=api_key)
    flips = json.loads(reply.body)["flips"]
    assert [f["status"] for f in flips][-8:] == ["down", "up"] * 4


def test_a_silence_while_flapping_is_muted_too(job, ping, clock, told):
    monitor = job(flapping=FAST)
    _flap(ping, monitor, clock, 6, told)
    clock.shift(361)  # silent: down, a change, muted
    assert told() == []
    clock.shift(600)
    assert told() == ["job stopped flapping: down"]


def test_it_tells_every_change_when_flapping_is_off(job, ping, clock, told):
    monitor = job(flapping=False)
    subjects = _flap(ping, monitor, clock, 12, told)
    assert len(subjects) == 12 and "job is flapping" not in subjects


def test_by_default_more_than_ten_changes_in_an_hour_are_flapping(job, ping, clock, told):
    monitor = job()
    subjects = _flap(ping, monitor, clock, 14, told)
    assert len(subjects) == 11 and subjects[-1] == "job is flapping"


def test_changes_spread_over_more_than_the_window_are_not_flapping(job, ping, clock, told):
    monitor = job(flapping={"changes": 4, "window": 600})
    subjects = []
    for i in range(8):
        clock.shift(170)  # 5 changes take 680 s, more than the window
        assert ping(monitor, "fail" if i % 2 == 0 else "").status_code == 200
        subjects += told()
    assert "job is flapping" not in subjects and len(subjects) == 8


def test_the_api_shows_and_checks_the_setting(client, api_key, make_monitor):
    make_monitor("job", timeout=300, grace=60)
    shown = json.loads(client.http.get("/monitors/job", headers=api_key).body)["flapping"]
    assert shown == {"changes": 10, "window": 3600, "stable": 3600}
    settings = {"timeout": 300, "grace": 60, "recipients": ["ops@example.com"]}
    body = json.dumps({**settings, "flapping": {"changes": 1}})
    reply = client.http.put("/monitors/job", body=body, headers=api_key)
    assert reply.status_code == 400
    assert "flapping.changes" in json.loads(reply.body)["Message"]
    body = json.dumps({**settings, "flapping": False})
    reply = client.http.put("/monitors/job", body=body, headers=api_key)
    assert reply.status_code == 200 and json.loads(reply.body)["flapping"] is False


def test_the_cli_sets_it(aws, client, api_key):
    from click.testing import CliRunner

    from herald.cli import main

    def create(*args):
        return CliRunner().invoke(main, ["--stage", "dev", "monitors", "create", "job", *args])

    result = create("--timeout", "5m", "--grace", "1m", "--flapping", "5/30m")
    assert result.exit_code == 0, result.output
    shown = json.loads(client.http.get("/monitors/job", headers=api_key).body)["flapping"]
    assert shown == {"changes": 5, "window": 1800, "stable": 3600}
    assert create("--flapping", "off").exit_code == 0
    assert json.loads(client.http.get("/monitors/job", headers=api_key).body)["flapping"] is False
    result = create("--flapping", "often")
    assert result.exit_code == 2 and "CHANGES/WINDOW" in result.output
