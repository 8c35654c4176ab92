"""Maintenance windows and deadlines: a window postpones only the alert that
fell inside it or in the grace just after it (the job was expected inside),
so a recurring window cannot keep a dead job from ever being down; and a
failure outside every window is told. The clock starts on Monday 2026-11-02
09:00 UTC; `job` is down 6 minutes after a ping (timeout 5 min, grace 1 min)."""

from datetime import UTC, datetime


def _item():
    from chalicelib.monitors import store

    return store.get("job")


def _first_told(told, clock, steps: int, step: int = 60) -> tuple[list[str], str | None]:
    """A check every `step` seconds, `steps` times: the first mails told, and when."""
    for _ in range(steps):
        clock.shift(step)
        subjects = told()
        if subjects:
            return subjects, datetime.now(UTC).strftime("%a %H:%M")
    return [], None


def _once(start: str, end: str) -> dict:
    return {"start": f"2026-11-02T{start}:00Z", "end": f"2026-11-02T{end}:00Z"}


# ---- silence ----------------------------------------------------------------------


def test_it_alerts_a_dead_daily_job_on_time_despite_a_nightly_window(
    make_monitor, ping, clock, told
):
    # The window (02:00-03:00) is nowhere near the job's 09:00 run.
    nightly = {"cron": "0 2 * * *", "duration": 3600, "tz": "UTC"}
    monitor = make_monitor("job", timeout=86400, grace=3600, maintenance=[nightly])
    assert ping(monitor).status_code == 200  # Mon 09:00, then it dies
    # Before the fix: nothing in four days, each night's window moving the deadline.
    assert _first_told(told, clock, 25, step=3600) == ([], None)  # to Tue 10:00, the deadline
    assert _first_told(told, clock, 1) == (["job disconnection detected"], "Tue 10:01")


def test_it_does_not_postpone_a_deadline_a_window_did_not_touch(job, clock, told):
    job(maintenance=[_once("09:01", "09:03")])  # over before the 09:05 ping was due
    # Before the fix: silence counted from 09:03, down after 09:09.
    assert _first_told(told, clock, 20) == (["job disconnection detected"], "Mon 09:07")


def test_it_counts_silence_from_the_end_of_a_window_the_deadline_fell_in(job, clock, told):
    job(maintenance=[_once("09:05", "09:10")])  # the 09:06 deadline is inside
    assert _first_told(told, clock, 30) == (["job disconnection detected"], "Mon 09:17")


def test_it_counts_from_a_window_the_expected_ping_fell_in(job, clock, told):
    # Expected at 09:05 inside the window, down after 09:06 when it has just
    # closed: the job could not run, so it has a whole period from 09:06.
    job(maintenance=[_once("09:02", "09:06")])
    assert _first_told(told, clock, 30) == (["job disconnection detected"], "Mon 09:13")


def test_it_postpones_again_a_deadline_pushed_into_a_later_window(job, clock, told):
    # From 09:10 the deadline is 09:16, inside the second window: from 09:20 then.
    job(maintenance=[_once("09:05", "09:10"), _once("09:14", "09:20")])
    assert _first_told(told, clock, 40) == (["job disconnection detected"], "Mon 09:27")


def test_it_postpones_one_silence_by_three_windows_at_most(job, clock, told):
    # 09:00-09:02, 09:06-09:08, ...: each deadline lands in a window, for ever.
    # Three windows postpone it (to 09:08, 09:14, 09:20); down after 09:26.
    job(maintenance=[{"cron": "*/6 * * * *", "duration": 120, "tz": "UTC"}])
    assert _first_told(told, clock, 60) == (["job disconnection detected"], "Mon 09:27")


def test_a_seed_monitor_is_down_on_time_after_a_window_before_its_deadline(
    make_monitor, ping, clock, told
):
    monitor = make_monitor("job", maintenance=[_once("09:01", "09:03")])  # max_sleep 300
    assert ping(monitor).status_code == 200
    assert _first_told(told, clock, 20) == (["job disconnection detected"], "Mon 09:06")


# ---- failures ---------------------------------------------------------------------


def test_it_tells_a_failure_streak_reaching_its_threshold_after_a_window(job, ping, clock, told):
    monitor = job(failure_threshold=3, maintenance=[_once("09:05", "09:08")])
    clock.shift(60)
    ping(monitor, "fail")  # 09:01, 1 of 3
    clock.shift(60)
    ping(monitor, "fail")  # 09:02, 2 of 3
    clock.shift(600)
    ping(monitor, "fail")  # 09:12, after the window: 3 of 3
    # Before the fix: recorded as "maintenance", the window having ended since 09:01.
    assert told() == ["job reported a failure"]
    assert _item()["status"] == "down"


def test_it_tells_at_the_end_of_quiet_hours_a_streak_held_after_a_window(job, ping, clock, told):
    quiet = [{"days": "mon", "from": "09:05", "to": "09:10", "tz": "UTC"}]
    monitor = job(failure_threshold=3, maintenance=[_once("09:03", "09:04")], quiet_hours=quiet)
    for minute in ("01", "02", "06"):  # the third in quiet hours, after the window
        clock.move_to(f"2026-11-02 09:{minute}:00+00:00")
        assert ping(monitor, "fail").status_code == 200
    assert told() == []  # held
    clock.move_to("2026-11-02 09:10:00+00:00")
    assert told() == ["job reported a failure"]


def test_a_window_during_the_hold_still_takes_a_held_failure(job, ping, clock, told):
    quiet = [{"days": "mon", "from": "09:05", "to": "09:11", "tz": "UTC"}]
    monitor = job(maintenance=[_once("09:08", "09:09")], quiet_hours=quiet)
    clock.move_to("2026-11-02 09:06:00+00:00")
    assert ping(monitor, "fail").status_code == 200  # held; no check inside the window
    clock.move_to("2026-11-02 09:11:00+00:00")
    assert told() == []
    assert _item()["status"] == "maintenance"
    # Silence is another matter: none since the failure, down after 09:12.
    assert _first_told(told, clock, 5) == (["job disconnection detected"], "Mon 09:13")
