"""`make run` end to end: up within a minute, the CLI acts on it, Ctrl-C leaves nothing."""

import os
import re
import signal
import socket
import subprocess
import sys

import pytest

from herald.environment import ROOT
from tests.herald.local_run import cli, wait_for


def test_it_runs_herald_locally_and_stops_cleanly_on_ctrl_c(run_env):
    runner = subprocess.Popen(
        [sys.executable, "-m", "herald.local"],
        env=run_env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        api = f"http://127.0.0.1:{run_env['HERALD_PORT']}"
        assert wait_for(f"{api}/health", runner) < 60
        status = cli(run_env, "status")
        assert status.returncode == 0, status.stderr
        assert api in status.stdout and "herald-dev-monitors" in status.stdout
        created = cli(run_env, "api-keys", "create", "--read-only")
        assert created.returncode == 0 and created.stdout.startswith("hk_")
        assert "read-only" in cli(run_env, "api-keys", "list").stdout
        unknown = cli(run_env, "fire", "no_such_handler")
        assert unknown.returncode == 2 and "no scheduled handler" in unknown.stderr
        link = cli(run_env, "users", "link", "admin@example.com")
        assert link.returncode == 0, link.stderr
        session = _signed_in(re.search(r"http://\S+/dashboard/sign-in/\S+", link.stdout).group(0))
        assert _get(f"{api}/dashboard/mail", session)[0] == 200  # captured mail, local mode
    finally:
        os.killpg(runner.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        try:
            output, _ = runner.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            # Fail without waiting on the pipe: a child the runner left behind holds it.
            os.killpg(runner.pid, signal.SIGKILL)
            runner.wait(timeout=10)
            raise
    assert "stopping Herald" in output
    assert f"dashboard: {api}/dashboard" in output
    assert f"sign in:   {api}/dashboard/sign-in/" in output
    with pytest.raises(ProcessLookupError):
        os.killpg(runner.pid, 0)  # no process of the group is left
    assert "not running" in cli(run_env, "status").stdout


def _get(url: str, cookie: str = "") -> tuple[int, dict, str]:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=10)
    connection.request("GET", parts.path, headers={"Cookie": cookie})
    reply = connection.getresponse()
    return reply.status, dict(reply.getheaders()), reply.read().decode()


def _signed_in(link: str) -> str:
    """The session cookie a one-time sign-in link gives, as a browser gets it."""
    import http.client
    from urllib.parse import urlencode, urlsplit

    _, headers, page = _get(link)
    form_cookie = headers["Set-Cookie"].split(";")[0]
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    parts = urlsplit(link)
    connection = http.client.HTTPConnection(parts.netloc, timeout=10)
    form = {"Cookie": form_cookie, "Content-Type": "application/x-www-form-urlencoded"}
    connection.request("POST", parts.path, body=urlencode({"csrf": csrf}), headers=form)
    reply = connection.getresponse()
    assert reply.status == 303, reply.read()
    return reply.getheader("Set-Cookie").split(";")[0]


def test_a_busy_port_gets_a_one_line_error_naming_the_setting(run_env):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        run_env["HERALD_PORT"] = str(busy.getsockname()[1])
        result = subprocess.run(
            [sys.executable, "-m", "herald.local"],
            env=run_env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"port {run_env['HERALD_PORT']} is in use by another program: stop it, or set "
        f"HERALD_PORT to a free port (e.g. HERALD_PORT={int(run_env['HERALD_PORT']) + 100})"
    ]
