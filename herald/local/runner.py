"""`make run`: the whole of Herald on one machine, on loopback.

One process holds moto (the AWS endpoint), the scheduler, the queue workers
and the mail capture; Chalice's own local server serves the HTTP routes in a
child process. Ctrl-C (or SIGTERM) stops all of it.
"""

import importlib
import json
import logging
import os
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

log = logging.getLogger("herald.local")
HOST = "127.0.0.1"


def _port(variable: str, default: int) -> int:
    return int(os.environ.get(variable, default))


def _check_free(port: int, variable: str) -> None:
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            sys.exit(
                f"port {port} is busy: set {variable} to a free port (e.g. {variable}={port + 100})"
            )


def _start_moto(port: int):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
    server.start()
    return server


def _start_api(port: int, env: dict) -> subprocess.Popen:
    # `chalice local`, answering unknown routes as the deployed API does.
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
        ],
        cwd=ROOT,
        env={**os.environ, **env},
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


def _thread(target, name: str) -> threading.Thread:
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # moto's server and Chalice's log every request; keep the console for Herald.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("botocore").setLevel(logging.WARNING)
    # moto's CloudFormation skips queue policies and alarms (it enforces neither).
    logging.getLogger("moto").setLevel(logging.ERROR)
    warnings.filterwarnings(
        "ignore", message="Tried to parse AWS::(SQS::QueuePolicy|CloudWatch::Alarm)"
    )
    stage = os.environ.get("HERALD_STAGE", "dev")
    api_port, moto_port = _port("HERALD_PORT", 8000), _port("HERALD_MOTO_PORT", 8001)
    _check_free(api_port, "HERALD_PORT")
    _check_free(moto_port, "HERALD_MOTO_PORT")
    channels_port = _port("HERALD_CHANNELS_PORT", 8005)
    _check_free(channels_port, "HERALD_CHANNELS_PORT")
    endpoint = f"http://{HOST}:{moto_port}"
    api_url = f"http://{HOST}:{api_port}"
    env = environment.local_env(
        endpoint, stage, HERALD_PUBLIC_URL=api_url, HERALD_MAIL_DIR=str(LOCAL_DIR / "mail")
    )
    os.environ.update(env)

    stoppers = []
    api = None
    signal.signal(signal.SIGTERM, _interrupt)
    # Python leaves SIGINT ignored when it started ignored (a job a shell put in the
    # background): Ctrl-C, or the process group's SIGINT, must stop Herald anyway.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        moto = _start_moto(moto_port)
        stoppers.append(moto.stop)
        from herald.local import stack

        outputs = stack.deploy(stage, visibility_seconds=30)
        companions = _start_companions(env)
        stoppers.extend(c.stop for c in companions)
        from herald.local import channel_standins

        standins = channel_standins.start(channels_port)
        stoppers.append(standins.stop)
        stoppers.extend(_start_background(stage))
        # Written before the API answers, so whoever sees /health up finds it.
        _write_state(stage, api_url, endpoint, outputs, companions)
        api = _start_api(api_port, env)
        _wait_healthy(f"{api_url}/health", api)
        _banner(api_url, endpoint, companions, standins)
        _dashboard_banner(api_url)
        while api.poll() is None:
            time.sleep(0.5)
        print(f"chalice local exited with status {api.returncode}", file=sys.stderr)
    except KeyboardInterrupt:
        print("\nstopping Herald", file=sys.stderr)
    finally:
        # A second Ctrl-C or SIGTERM must not cut the cleanup short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if api is not None and api.poll() is None:
            os.killpg(api.pid, signal.SIGTERM)
            try:
                api.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(api.pid, signal.SIGKILL)
        for stop in reversed(stoppers):
            stop()
        STATE_FILE.unlink(missing_ok=True)


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


def _start_background(stage: str) -> list:
    """Scheduler, queue workers and mail capture, each in its own thread."""
    from herald.local.invoke import fire, queue_handlers, schedules
    from herald.local.mailbox import Mailbox
    from herald.local.scheduler import Scheduler
    from herald.local.worker import QueueWorker

    def fire_logged(name: str) -> None:
        log.info("schedule fired: %s", name)
        try:
            fire(app, name)
        except Exception:
            log.exception("scheduled handler %s failed", name)

    app = environment.import_app()
    scheduler = Scheduler(schedules(app), fire_logged)
    workers = [QueueWorker(app, config) for config in queue_handlers(app)]
    mailbox = Mailbox(LOCAL_DIR / "mail")
    for name, runner in [
        ("scheduler", scheduler),
        ("mailbox", mailbox),
        *((f"worker-{w.name}", w) for w in workers),
    ]:
        _thread(runner.run, name)
    return [runner.stopped.set for runner in (scheduler, mailbox, *workers)]


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


def _dashboard_banner(api_url: str) -> None:
    """The dashboard's URL and a one-time sign-in link for a local admin account."""
    from herald.local import admin_account

    email, link = admin_account.sign_in_link()
    print(
        f"  dashboard: {api_url}/dashboard\n"
        f"  sign in:   {link}\n"
        f"             ({email}: works once, within 15 minutes; "
        f"`herald users link {email}` for another)",
        flush=True,
    )


def _banner(api_url: str, endpoint: str, companions: list, standins) -> None:
    from herald.local.invoke import queue_handlers, schedules

    app = environment.import_app()
    lines = [
        f"Herald is running: {api_url}   (AWS on moto: {endpoint})",
        f"  schedules: {', '.join(f'{n} {e}' for n, e in schedules(app).items()) or 'none'}",
        f"  queues:    {', '.join(c.name for c in queue_handlers(app))}",
        f"  mail:      {LOCAL_DIR / 'mail'}",
        f"  channels:  {standins.describe()}",
        *(f"  {c.name}: {c.url}" for c in companions),
        "  `herald status`, `herald fire NAME` from another terminal; Ctrl-C stops everything.",
    ]
    print("\n".join(lines), flush=True)
