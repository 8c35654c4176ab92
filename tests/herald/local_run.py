"""Driving `make run` from tests: its ports, a private .local/, the CLI."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from herald.environment import ROOT

HERALD = str(Path(sys.executable).parent / "herald")
PORT_VARIABLES = (
    "HERALD_PORT",
    "HERALD_MOTO_PORT",
    "HERALD_SAMPLE_SITE_PORT",
    "HERALD_SAMPLE_FEED_PORT",
    "HERALD_RECEIVER_PORT",
    "HERALD_CHANNELS_PORT",
    "HERALD_DYNAMODB_PORT",
)


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return time.monotonic() - started
        except OSError:
            try:
                process.wait(timeout=0.25)  # a pause that also notices an early exit
                pytest.fail(f"runner exited: {process.stdout.read()}")
            except subprocess.TimeoutExpired:
                pass
    pytest.fail(f"{url} did not answer within {seconds} s")


def cli(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [HERALD, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )


def start(env: dict, output: Path, *options: str) -> subprocess.Popen:
    """`make run` in its own process group, its console appended to output."""
    with output.open("a") as console:
        return subprocess.Popen(
            [sys.executable, "-m", "herald.local", *options],
            env=env,
            cwd=ROOT,
            stdout=console,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(runner: subprocess.Popen, sig: int = signal.SIGINT) -> None:
    """Ctrl-C (SIGINT to the group, as the terminal sends it), or kill -9 of the group."""
    os.killpg(runner.pid, sig)
    try:
        runner.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(runner.pid, signal.SIGKILL)
        runner.wait(timeout=10)
        raise
