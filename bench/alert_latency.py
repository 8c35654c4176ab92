"""Alert latency: seconds from each monitor's deadline to its mail accepted by SES.

Herald's local stack, as `make run` builds it, in real time: a moto server
(in this process, so SES's backend can be read), the stack deployed from
infra/, `chalice local` serving the API, the runner's scheduler firing
check_monitors every minute and its queue worker per @app.on_sqs_message
handler (outbox, wake-ups, ...). Nothing is fired by hand except one
checker run in step 1.

1. 1,000 healthy monitors (pinged, deadline an hour away), written straight
   to the table: the SQS requests of a checker run with them alone, and the
   wake-ups queued for them during the whole bench (target 0 both).
2. 50 monitors pinged through the API, max_sleep 61 to 181 s, so their
   deadlines spread over two minutes and across the checker's minute.
   Deadline: the stored last_ping + max_sleep. Mail accepted: the instant
   moto's SES backend accepts the SendRawEmail (time.time(), same clock).
   p50 / p99 / max of (accepted - deadline), linear-interpolated quantiles
   (with 50 samples p99 is near the maximum). Also, for comparison, when the
   checker alone would have started looking (its first run after each
   deadline, from this run's own fire times): computed, not measured.

Takes about four minutes of real time. The machine's load shows in the
figures (moto, chalice local and every handler share its CPUs).
"""

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from decimal import Decimal
from email.parser import BytesParser
from email.policy import default

import harness

STAGE = "dev"
HEALTHY = 1000
LATE = 50
SPREAD = 120.0  # seconds over which the 50 deadlines spread
FIRST = 61.0  # the earliest deadline after its ping: a checker run always comes before it


class Recorder:
    """Checker fire times, SES acceptances, and the app's SQS requests (by thread)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.fires: list[float] = []
        self.accepted: list[tuple[float, str]] = []  # (time, subject)
        self.sqs: list[tuple[str, str, str, list]] = []  # (thread, operation, queue, bodies)

    def watch_ses(self) -> None:
        from moto.ses.models import SESBackend

        original = SESBackend.send_raw_email

        def accepted(backend, *args, **kwargs):
            message = original(backend, *args, **kwargs)
            raw = (
                message.raw_data.encode() if isinstance(message.raw_data, str) else message.raw_data
            )
            subject = BytesParser(policy=default).parsebytes(raw)["Subject"]
            with self.lock:
                self.accepted.append((time.time(), str(subject)))
            return message

        SESBackend.send_raw_email = accepted

    def watch_sqs(self) -> None:
        from chalicelib.core import aws

        def seen(params, model, **_kwargs):
            queue = params.get("QueueUrl", params.get("QueueName", "")).rsplit("/", 1)[-1]
            bodies = [e.get("MessageBody", "") for e in params.get("Entries", [])]
            bodies += [params["MessageBody"]] if "MessageBody" in params else []
            with self.lock:
                self.sqs.append((threading.current_thread().name, model.name, queue, bodies))

        aws.client("sqs").meta.events.register("before-parameter-build.sqs", seen)


def start_stack(recorder: Recorder, workdir: str):
    """moto, the stack, chalice local, the scheduler and the queue workers; returns stoppers."""
    from herald.local import runner

    moto_port, api_port = harness.free_port(), harness.free_port()
    endpoint, api_url = f"http://127.0.0.1:{moto_port}", f"http://127.0.0.1:{api_port}"
    moto = runner._start_moto(moto_port)
    from herald import environment

    env = environment.local_env(
        endpoint,
        STAGE,
        HERALD_PUBLIC_URL=api_url,
        POWERTOOLS_LOG_LEVEL="WARNING",
        POWERTOOLS_METRICS_DISABLED="true",
    )
    os.environ.update(env)
    from chalicelib.core import aws
    from herald.local import stack

    aws.reset()
    stack.deploy(STAGE, visibility_seconds=30)
    log = open(os.path.join(workdir, "api.log"), "w")  # noqa: SIM115 - closed by the stopper
    api = subprocess.Popen(
        [sys.executable, "-m", "herald.local.api", "--host", "127.0.0.1", "--port", str(api_port)]
        + ["--stage", STAGE],
        cwd=environment.ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    runner._wait_healthy(f"{api_url}/health", api)
    recorder.watch_ses()
    recorder.watch_sqs()

    from herald.local.invoke import fire, queue_handlers, schedules
    from herald.local.scheduler import Scheduler
    from herald.local.worker import QueueWorker

    app = environment.import_app()

    def fired(name: str) -> None:
        if name == "check_monitors":
            with recorder.lock:
                recorder.fires.append(time.time())
        fire(app, name)

    scheduler = Scheduler(schedules(app), fired)
    workers = [QueueWorker(app, config) for config in queue_handlers(app)]
    for name, part in [("scheduler", scheduler), *((f"worker-{w.name}", w) for w in workers)]:
        threading.Thread(target=part.run, name=name, daemon=True).start()

    def stop() -> None:
        for part in (scheduler, *workers):
            part.stopped.set()
        api.terminate()
        api.wait(timeout=10)
        log.close()
        moto.stop()

    return app, api_url, stop


def write_healthy(now: float) -> set[str]:
    """1,000 monitors pinged now, their deadline an hour away; returns their keys."""
    from chalicelib.core import aws
    from chalicelib.monitors import admin, rules, store

    settings = {"max_sleep": 3600, "email_frequency": 3600, "device_email": "o@example.com"}
    keys = set()
    with aws.table(store.TABLE).batch_writer() as batch:
        for n in range(HEALTHY):
            name = f"healthy-{n:04d}"
            item = admin._new_item(name, rules.validate(name, settings), None)
            item.update(
                status="up",
                last_ping=Decimal(f"{now:.6f}"),
                due_pk=item["shard_pk"],
                due_at=Decimal(f"{now + 3600:.6f}"),
            )
            batch.put_item(Item=item)
            keys.add(item["pk"])
    return keys


def ping_late_ones(api_url: str) -> dict[str, float]:
    """50 monitors, pinged once through the API; name -> deadline (epoch seconds)."""
    from chalicelib.monitors import admin, store

    names = []
    for n in range(LATE):
        name = f"late-{n:02d}"
        max_sleep = round(FIRST + n * SPREAD / (LATE - 1), 3)
        settings = {"max_sleep": max_sleep, "email_frequency": 3600}
        admin.upsert(name, {**settings, "device_email": [f"{name}@example.com"]})
        names.append(name)
    for name in names:
        with urllib.request.urlopen(f"{api_url}/ping/{store.uuid_for(name)}", timeout=10) as reply:  # noqa: S310 - loopback
            assert reply.status == 200, reply.status
    deadlines = {}
    for name in names:
        item = store.get(name)
        deadlines[name] = float(item["last_ping"]) + float(item["max_sleep"])
    return deadlines


def quantile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def first_run_after(deadline: float, fires: list[float]) -> float | None:
    later = [f for f in fires if f > deadline]
    return min(later) if later else None


def main() -> None:
    harness.quiet()
    workdir = tempfile.mkdtemp(prefix="herald-bench-")
    os.environ["HERALD_LOCAL_DIR"] = workdir  # the secret key of this run, not .local/
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        os.environ.pop(name, None)
    recorder = Recorder()
    app, api_url, stop = start_stack(recorder, workdir)
    try:
        rows = measure(app, api_url, recorder)
    finally:
        stop()
    harness.report(rows, "alert latency")


def measure(app, api_url: str, recorder: Recorder) -> list:
    from herald.local.invoke import fire

    started = time.time()
    healthy = write_healthy(started)
    mark = len(recorder.sqs)
    result = fire(app, "check_monitors")  # the main thread: only this run's requests
    alone = [r for r in recorder.sqs[mark:] if r[0] == threading.current_thread().name]
    print(f"{HEALTHY} healthy monitors; a checker run with them alone: {result}", flush=True)

    deadlines = ping_late_ones(api_url)
    last = max(deadlines.values())
    print(
        f"{LATE} monitors pinged; deadlines {min(deadlines.values()) - time.time():.0f} to "
        f"{last - time.time():.0f} s from now; waiting for their mail ...",
        flush=True,
    )
    while time.time() < last + 75:  # time for the backstop to catch any straggler
        with recorder.lock:
            told = {s for _, s in recorder.accepted}
        if all(f"{name} disconnection detected" in told for name in deadlines):
            break
        time.sleep(1)
    time.sleep(3)  # a duplicate would come within seconds
    return rows_of(recorder, deadlines, healthy, alone, time.time() - started)


def rows_of(recorder, deadlines: dict, healthy: set, alone: list, seconds: float) -> list:
    with recorder.lock:
        accepted, fires, sqs = list(recorder.accepted), list(recorder.fires), list(recorder.sqs)
    latency, copies = {}, {name: 0 for name in deadlines}
    for when, subject in accepted:
        name = subject.removesuffix(" disconnection detected")
        if name in deadlines:
            copies[name] += 1
            latency.setdefault(name, when - deadlines[name])
    values = sorted(latency.values())
    checker_alone = [
        run - deadline
        for deadline in deadlines.values()
        if (run := first_run_after(deadline, fires)) is not None
    ]
    wake_sends = [r for r in sqs if r[2].endswith("-wakeups") and r[1].startswith("SendMessage")]
    for_healthy = sum(
        1 for r in wake_sends for body in r[3] if json.loads(body).get("pk") in healthy
    )
    minutes = seconds / 60
    p50, p99, worst = quantile(values, 50), quantile(values, 99), max(values)
    alone_p50 = quantile(checker_alone, 50) if len(checker_alone) > 1 else math.nan
    return [
        harness.Row(
            "mails accepted (one per monitor)",
            f"{len(values)} of {len(deadlines)}",
            f"{len(deadlines)}",
            len(values) == len(deadlines),
        ),
        harness.Row(
            "monitors mailed twice",
            sum(1 for n in copies.values() if n > 1),
            "0",
            all(n <= 1 for n in copies.values()),
        ),
        harness.Row("deadline -> mail accepted, p50 (s)", p50),
        harness.Row("deadline -> mail accepted, p99 (s)", p99, "<= 5", p99 <= 5),
        harness.Row("deadline -> mail accepted, max (s)", worst, "<= 10", worst <= 10),
        harness.Row(
            "checker alone: deadline -> its next run starts, p50 / max (s), computed",
            f"{alone_p50:.2f} / {max(checker_alone, default=math.nan):.2f}",
        ),
        harness.Row("p50 ratio, wake-ups / checker alone", p50 / alone_p50),
        harness.Row(
            f"SQS requests of a checker run with {HEALTHY} healthy monitors alone (per minute)",
            len(alone),
            "0",
            len(alone) == 0,
        ),
        harness.Row(
            f"wake-ups queued for the {HEALTHY} healthy monitors, per minute ({minutes:.1f} min)",
            f"{for_healthy / minutes:.2f}",
            "0",
            for_healthy == 0,
        ),
        harness.Row(
            f"wake-up send requests for the {LATE} late monitors (messages)",
            f"{len(wake_sends)} ({sum(len(r[3]) for r in wake_sends)})",
        ),
    ]


if __name__ == "__main__":
    main()
