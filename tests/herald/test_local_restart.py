"""`make run` again: what the last run held is there, whether it was stopped or killed."""

import json
import re
import signal
import time
import urllib.request
from pathlib import Path

import pytest

from tests.herald.local_run import cli, start, stop, wait_for

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "monitors.json"


def _up(env, output, *options):
    """A started `make run`, once it has printed its banner (just after /health answers)."""
    banners = output.read_text().count("sign in:") if output.exists() else 0
    runner = start(env, output, *options)
    wait_for(f"http://127.0.0.1:{env['HERALD_PORT']}/health", runner)
    deadline = time.monotonic() + 30
    while output.read_text().count("sign in:") == banners:
        assert time.monotonic() < deadline, output.read_text()
        time.sleep(0.1)
    return runner


def _get(env, path: str, key: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{env['HERALD_PORT']}{path}", headers={"X-Api-Key": key}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.load(reply)
    except urllib.error.HTTPError as refused:
        return refused.code, json.load(refused)


def _delivered(env, hook_id: str, seconds: float = 60) -> str:
    """The hook's first successful delivery, waited for as long as it takes the workers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        shown = cli(env, "hook", "deliveries", hook_id).stdout
        if " success " in shown:
            return shown
        time.sleep(0.5)
    pytest.fail(f"no delivery to hook {hook_id} within {seconds} s")


def _key_record(key: str) -> str:
    """How the saved file names an API key's record (hk_<id>_<secret> is kept as APIKEY#<id>)."""
    return f"APIKEY#{key.split('_')[1]}"


def _ping(url: str) -> None:
    with urllib.request.urlopen(url, timeout=10) as reply:
        assert reply.status == 200


def test_it_resumes_keys_monitors_and_hooks_after_ctrl_c_and_alerts_the_hook(run_env, tmp_path):
    console = tmp_path / "console.txt"
    runner = _up(run_env, console)
    try:
        imported = cli(run_env, "monitors", "import", str(SAMPLE))
        assert imported.returncode == 0, imported.stderr
        fail_url = re.search(r"uuid\s+(http://\S+)", imported.stdout).group(1) + "/fail"
        key = cli(run_env, "api-keys", "create").stdout.strip()
        receiver = f"http://127.0.0.1:{run_env['HERALD_RECEIVER_PORT']}/herald"
        hook = cli(run_env, "hook", "create", "-n", "monitor.*", "-t", "webhook", "-P", receiver)
        hook_id = re.search(r"created hook (\w+)", hook.stdout).group(1)
    finally:
        stop(runner)
    runner = _up(run_env, console)  # at once: the ports of the last run are free again
    try:
        assert "(stopped cleanly)" in console.read_text()
        status, listed = _get(run_env, "/monitors", key)
        assert status == 200
        assert {m["name"] for m in listed["monitors"]} >= {"raspberry"}
        assert hook_id in cli(run_env, "hook", "list").stdout
        _ping(fail_url)
        assert "monitor.fail" in _delivered(run_env, hook_id)
    finally:
        stop(runner)


def test_it_keeps_all_but_the_last_seconds_through_a_kill_9(run_env, tmp_path):
    console = tmp_path / "console.txt"
    runner = _up(run_env, console)
    saved = Path(run_env["HERALD_LOCAL_DIR"]) / "saved.json"
    try:
        key = cli(run_env, "api-keys", "create").stdout.strip()
        # A save holding the key. Waiting for one that began after the CLI returned was
        # wrong: a save that began earlier can hold the key already, and with nothing
        # changed since, no later save is written.
        deadline = time.monotonic() + 60
        while _key_record(key) not in (saved.read_text() if saved.exists() else ""):
            assert time.monotonic() < deadline, "no save of the key within 60 s"
            time.sleep(0.2)
    finally:
        stop(runner, signal.SIGKILL)  # the whole group, with no chance to clean up
    runner = _up(run_env, console)
    try:
        assert "not stopped cleanly" in console.read_text()
        assert _get(run_env, "/monitors", key)[0] == 200
    finally:
        stop(runner)


def test_it_starts_clean_when_asked_to(run_env, tmp_path):
    console = tmp_path / "console.txt"
    runner = _up(run_env, console)
    try:
        key = cli(run_env, "api-keys", "create").stdout.strip()
    finally:
        stop(runner)
    runner = _up(run_env, console, "--fresh")  # make run FRESH=1
    try:
        assert console.read_text().count("started fresh") == 2
        assert _get(run_env, "/monitors", key)[0] == 401
    finally:
        stop(runner)
