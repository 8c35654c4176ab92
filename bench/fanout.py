"""Fan-out benchmark: 10,000 profiles against a site that takes 50 ms per send.

Prints
  * the SQS requests the schedule uses to enqueue 10,000 jobs (target <= 1,000);
  * the original's serial loop (list, then one send after another) versus
    Herald's fan-out (the real schedule and queue handler, N concurrent
    handlers pulling batches of 10 from the site-jobs queue), as a ratio.

Everything runs locally on loopback: the sample GroupServer site and a moto
server each in a process of their own, the handlers as threads here. To stay
within a few minutes both loops are timed on a SAMPLE of the 10,000 and
extrapolated linearly to 10,000; the output says so. moto does its work one
request at a time (see _MOTO), so the fan-out figure is bound by moto's CPU
per job, which real DynamoDB and SQS spread over many machines: the local
ratio understates what Lambda gets.

    .venv/bin/python bench/fanout.py [--handlers N] [--serial-sample S] [--fanout-sample F]
"""

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROFILES = 10_000
SEND_SECONDS = 0.05

# A moto server that applies one request at a time (moto is not thread-safe)
# and skips the table copy moto takes before each TransactWriteItems (for a
# rollback Herald's transactions never need: they fail on their first item or
# not at all), which would make each outcome write O(table size).
_MOTO = """
import sys, threading
from moto.dynamodb import models
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

class NoCopy:
    @staticmethod
    def deepcopy(value, memo=None):
        return value

models.copy = NoCopy
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def child(code: str, *args) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        text=True,
    )
    if process.stdout.readline().strip() != "ready":
        raise SystemExit("a benchmark server did not start")
    return process


def environment() -> None:
    from herald import environment as env

    os.environ.update(
        {
            **env.stage_env("dev"),
            **env.fake_credentials(),
            "HERALD_SECRET_KEY": "bench",
            "HERALD_SITE_BENCH_TOKEN": secrets.token_urlsafe(16),
        }
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.pop("HERALD_LOCAL", None)


def enqueue_requests(profiles: list[str]) -> int:
    """SQS requests site_jobs.enqueue makes for all profiles (in-process moto).

    moto's SQS slows down as a queue grows (it recounts the queue on every
    send), so the jobs are enqueued 100 at a time and the queue emptied between:
    enqueue() batches each chunk exactly as it would the whole list.
    """
    from moto import mock_aws
    from moto.sqs.models import sqs_backends

    from chalicelib import aws, site_jobs
    from herald.local import stack

    with mock_aws():
        aws.reset()
        stack.deploy("dev")
        counts = {}

        def seen(event_name, **_):
            operation = event_name.rsplit(".", 1)[-1]
            counts[operation] = counts.get(operation, 0) + 1

        aws.client("sqs").meta.events.register("before-call.sqs.*", seen)
        queue = sqs_backends["123456789012"]["us-east-1"].get_queue(os.environ["SITE_JOBS_QUEUE"])
        for first in range(0, len(profiles), 100):
            chunk = profiles[first : first + 100]
            site_jobs.enqueue("bench", "bench", "profile-status", "2026-11", chunk)
            queue._messages.clear()
    aws.reset()
    return counts.get("SendMessageBatch", 0) + counts.get("SendMessage", 0)


def serial(url: str, token: str, sample: int) -> float:
    """The original sendprofile: list the profiles, then send to each in turn."""
    from chalicelib import groupserver as gs

    started = time.perf_counter()
    profiles = gs.get_profile_ids(url, token)
    for profile_id in profiles[:sample]:
        gs.send_profile_status(url, profile_id, token)
    return time.perf_counter() - started


def fan_out(handlers: int) -> float:
    """N handler threads, each like a Lambda: receive 10, handle, delete."""
    from chalicelib import aws, site_jobs
    from herald.local.invoke import sqs_record

    sqs, url = aws.client("sqs"), aws.queue_url("site-jobs")

    def handler():
        while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
            event = {"Records": [sqs_record(m, "arn:bench") for m in messages]}
            failed = {f["itemIdentifier"] for f in site_jobs.handle(event)["batchItemFailures"]}
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
    parser.add_argument("--fanout-sample", type=int, default=500)
    args = parser.parse_args()
    environment()
    import logging

    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")
    from chalicelib import aws, runs, site_jobs

    site_jobs.count = lambda *_args, **_kwargs: None  # keep EMF metric lines off the output
    requests = enqueue_requests([f"p{i:05d}" for i in range(PROFILES)])
    print(f"SQS requests to enqueue {PROFILES} jobs: {requests} (target <= 1000)")

    token, site_port, moto_port = os.environ["HERALD_SITE_BENCH_TOKEN"], free_port(), free_port()
    site = child(_SITE, args.fanout_sample, site_port, token, SEND_SECONDS)
    moto = child(_MOTO, moto_port)
    try:
        url = f"http://127.0.0.1:{site_port}"
        serial_seconds = serial(url, token, args.serial_sample)
        serial_total = serial_seconds / args.serial_sample * PROFILES
        print(
            f"serial loop (original): {args.serial_sample} sends in {serial_seconds:.1f} s "
            f"-> {serial_total:.0f} s for {PROFILES} (extrapolated linearly)"
        )
        os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{moto_port}"
        os.environ["SITES"] = json.dumps([{"name": "bench", "url": url}])
        aws.reset()
        from herald.local import stack

        stack.deploy("dev")
        started = time.perf_counter()
        (result,) = site_jobs.start(site_jobs.PROFILE)["runs"]
        listed = time.perf_counter() - started
        handled = fan_out(args.handlers)
        jobs = result["listed"]
        fan_total = (listed + handled) / jobs * PROFILES
        run = runs.summary(runs.get(result["run"]))
        print(
            f"Herald fan-out, N={args.handlers} concurrent handlers: {jobs} jobs listed and "
            f"enqueued in {listed:.1f} s, handled in {handled:.1f} s -> {fan_total:.0f} s "
            f"for {PROFILES} (extrapolated linearly)"
        )
        print(
            f"  run {run['state']}: triggered {run['counts']['triggered']}, "
            f"duplicate {run['counts']['duplicate']}, failed {run['counts']['failed']}"
        )
        print(f"ratio serial / fan-out: {serial_total / fan_total:.1f}x with N={args.handlers}")
        per_job = max(0.0, handled - SEND_SECONDS * jobs / args.handlers) / jobs
        print(
            f"  moto handles one request at a time here (~{per_job * 1000:.0f} ms of it a job), "
            "so the local ratio is bound by moto; with AWS serving the handlers in parallel "
            f"the site-bound limit is {args.handlers}x (computed, not measured)"
        )
    finally:
        for process in (site, moto):
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
