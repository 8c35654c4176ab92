"""`make run`: the whole of Herald on one machine, on loopback.

One process holds moto (the AWS endpoint), the scheduler, the queue workers
and the mail capture; Chalice's own local server serves the HTTP routes in a
child process. Ctrl-C (or SIGTERM) stops all of it.
"""

import argparse
import importlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import warnings

from herald import environment
from herald.environment import LOCAL_DIR, ROOT, STATE_FILE
from herald.local import background, banner, console

log = logging.getLogger("herald.local")
HOST = "127.0.0.1"
PORTS = {
    "HERALD_PORT": 8000,
    "HERALD_MOTO_PORT": 8001,
    "HERALD_CHANNELS_PORT": 8005,
    "HERALD_DYNAMODB_PORT": 8006,
}


def _port(variable: str, default: int) -> int:
    return int(os.environ.get(variable, default))


def _check_free(port: int, variable: str) -> None:
    # Bound the way the servers bind (SO_REUSEADDR), so the last run's sockets in
    # TIME-WAIT right after a Ctrl-C do not count as busy; a listening program does.
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            sys.exit(
                f"port {port} is in use by another program: stop it, or set {variable} "
                f"to a free port (e.g. {variable}={port + 100})"
            )


def _start_moto(port: int):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
    server.start()
    return server


def _start_api(port: int, env: dict) -> subprocess.Popen:
    # `chalice local`, answering unknown routes as the deployed API does. Its
    # output comes through a pipe, unbuffered, for the console to route by line.
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "herald.local.api",
            "--host",
            HOST,
            "--port",
            str(port),
            "--stage",
            env["HERALD_STAGE"],
            "--exit-with-parent",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
        cwd=ROOT,
        env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
    )


def _wait_healthy(url: str, api: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if api.poll() is not None:
            sys.exit(f"chalice local exited with status {api.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:  # noqa: S310 - our own loopback URL
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    sys.exit(f"{url} did not answer within {seconds:.0f} s")


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make run", description=__doc__.splitlines()[0])
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="all log lines and requests on the console"
    )
    parser.add_argument("--fresh", action="store_true", help="forget the saved state, start clean")
    parser.add_argument(
        "--dynamodb", choices=("moto", "local"), default="moto", help="local: DynamoDB Local"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    options = _options(argv)
    stage = os.environ.get("HERALD_STAGE", "dev")
    ports = {name: _port(name, default) for name, default in PORTS.items()}
    if options.dynamodb != "local":
        del ports["HERALD_DYNAMODB_PORT"]
    for variable, port in ports.items():
        _check_free(port, variable)
    if options.fresh:
        _forget()
    out = _install_console(options.verbose)
    endpoint = f"http://{HOST}:{ports['HERALD_MOTO_PORT']}"
    api_url = f"http://{HOST}:{ports['HERALD_PORT']}"
    env = environment.local_env(
        endpoint, stage, HERALD_PUBLIC_URL=api_url, HERALD_MAIL_DIR=str(LOCAL_DIR / "mail")
    )
    os.environ.update(env)

    stopping: list = []  # called in reverse order at the end
    api = None
    signal.signal(signal.SIGTERM, _interrupt)
    # Python leaves SIGINT ignored when it started ignored (a job a shell put in the
    # background): Ctrl-C, or the process group's SIGINT, must stop Herald anyway.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        moto = _start_moto(ports["HERALD_MOTO_PORT"])
        stopping.append(moto.stop)
        outputs = _deploy(stage, options, ports, env, stopping)
        companions = _start_companions(env)
        stopping.extend(c.stop for c in companions)
        from herald.local import channel_standins

        standins = channel_standins.start(ports["HERALD_CHANNELS_PORT"])
        stopping.append(standins.stop)
        resumed, saver = _resume(stage, tables=options.dynamodb != "local")
        stopping.append(_stop_saving(saver, background.thread(saver.run, "saver")))
        stopping.append(background.start())
        # Written before the API answers, so whoever sees /health up finds it.
        _write_state(stage, api_url, endpoint, outputs, companions)
        api = _start_api(ports["HERALD_PORT"], env)
        out.follow(api.stdout)
        _wait_healthy(f"{api_url}/health", api)
        out.say(banner.started(api_url, endpoint, companions, standins, resumed))
        out.say(banner.dashboard(api_url))
        while api.poll() is None:
            time.sleep(0.5)
        out.say(f"chalice local exited with status {api.returncode}")
    except KeyboardInterrupt:
        out.say("\nstopping Herald")
    finally:
        # A second Ctrl-C or SIGTERM must not cut the cleanup short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _stop_api(api)
        for stop in reversed(stopping):
            stop()
        STATE_FILE.unlink(missing_ok=True)
        out.close()  # the API's last lines first
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__


def _install_console(verbose: bool) -> console.Console:
    """Everything printed from here on goes through the console (herald/local/console.py)."""
    out = console.Console(LOCAL_DIR / "logs", verbose)
    # Before anything builds a logger: powertools' and logging's handlers keep
    # the stream they found, and the workers' powertools Logger is built on first use.
    sys.stdout = sys.stderr = out
    _quiet_libraries(out)
    return out


def _quiet_libraries(stream) -> None:
    logging.basicConfig(
        stream=stream, level=logging.INFO, format="%(asctime)s %(name)s %(message)s"
    )
    # moto's server and Chalice's log every request; keep the console for Herald.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("botocore").setLevel(logging.WARNING)
    # moto's CloudFormation skips queue policies and alarms (it enforces neither).
    logging.getLogger("moto").setLevel(logging.ERROR)
    warnings.filterwarnings(
        "ignore", message="Tried to parse AWS::(SQS::QueuePolicy|CloudWatch::Alarm)"
    )


def _forget() -> None:
    """--fresh: what a restart would resume (tables, secrets, queues, mail, logs) goes."""
    for name in ("saved.json", "mail", "logs", "dynamodb"):
        path = LOCAL_DIR / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def _deploy(stage: str, options, ports: dict, env: dict, stopping: list) -> dict:
    from herald.local import stack

    if options.dynamodb != "local":
        return stack.deploy(stage, visibility_seconds=30)
    from herald.local import dynamodb_local

    engine = dynamodb_local.start(ports["HERALD_DYNAMODB_PORT"], LOCAL_DIR / "dynamodb")
    stopping.append(engine.stop)
    env["AWS_ENDPOINT_URL_DYNAMODB"] = os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = engine.endpoint
    return stack.deploy(stage, visibility_seconds=30, dynamodb_endpoint=engine.endpoint)


def _resume(stage: str, *, tables: bool):
    """Loads the last run's save into the new stack; the start's line about it."""
    from herald.local import saved_state

    path = saved_state.saved_file(LOCAL_DIR)
    saved = saved_state.read(path)
    if saved is None:
        resumed = "started fresh (nothing saved in .local/); kept from now on across restarts"
    else:
        resumed = saved_state.describe(saved, saved_state.restore(saved))
    saver = saved_state.Saver(path, saved_state.stack_resources(stage), tables=tables)
    saver.save()  # from now on a crash is "not stopped cleanly"
    return resumed, saver


def _stop_saving(saver, thread: threading.Thread):
    def stop() -> None:
        saver.stopped.set()
        thread.join(timeout=30)
        saver.save(clean=True)  # the API and the workers are stopped by now

    return stop


def _stop_api(api: subprocess.Popen | None) -> None:
    if api is not None and api.poll() is None:
        os.killpg(api.pid, signal.SIGTERM)
        try:
            api.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(api.pid, signal.SIGKILL)


def _interrupt(*_args) -> None:
    raise KeyboardInterrupt


def _start_companions(env: dict) -> list:
    from herald.local.companions import COMPANIONS

    started = []
    for module in COMPANIONS:
        companion = importlib.import_module(module).start(env)
        if companion is not None:
            started.append(companion)
            env.update(companion.env)
            os.environ.update(companion.env)
    for companion in started:
        if companion.setup:
            companion.setup()
    return started


def _write_state(stage, api_url, endpoint, outputs, companions) -> None:
    LOCAL_DIR.mkdir(exist_ok=True)
    STATE_FILE.write_text(
        json.dumps(
            {
                "pid": os.getpid(),
                "stage": stage,
                "api": api_url,
                "endpoint": endpoint,
                "resources": outputs,
                "companions": {c.name: c.url for c in companions},
                # Companions' variables (site URLs, ...) for the CLI's processes too.
                "env": {k: v for c in companions for k, v in c.env.items()},
                "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            },
            indent=2,
        )
    )
