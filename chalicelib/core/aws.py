"""Lazily created, cached AWS clients and the names of Herald's resources.

boto3 costs ~220 ms to import, so it is imported on first use rather than
when app.py loads; a handler that touches no AWS service never pays for it.
Resource names come from the environment (.chalice/config.json per stage),
and every client honours AWS_ENDPOINT_URL, which is how tests and local mode
point Herald at moto.
"""

import contextlib
import functools
import gc
import os
import threading

TABLES = ("CORE_TABLE", "MONITORS_TABLE", "SITES_TABLE", "SUBSCRIPTIONS_TABLE", "HOOKS_TABLE")

# The short queue names used in @app.on_sqs_message(queue=...) and the
# environment variables holding each queue's real name. The packaged template
# points every event source at the queue resource itself (infra/), and the
# local worker uses this map to find the queue to poll.
QUEUES = {
    "outbox": "OUTBOX_QUEUE",
    "site-jobs": "SITE_JOBS_QUEUE",
    "notify": "NOTIFY_QUEUE",
    "hooks": "HOOKS_QUEUE",
    "wakeups": "WAKEUPS_QUEUE",
    "mail-events": "MAIL_EVENTS_QUEUE",  # SES's bounces, complaints, deliveries
}


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


@functools.cache
def client(service: str, in_region: str | None = None):
    """A client in the deployment's region, or in in_region (an SNS topic's own)."""
    return _once(
        ("client", service, in_region),
        lambda s: s.client(service, region_name=in_region or region()),
    )


@functools.cache
def dynamodb():
    """The DynamoDB service resource (for batch_get_item and friends)."""
    return _once(("resource", "dynamodb"), lambda s: s.resource("dynamodb", region_name=region()))


# One session for every client: a session loads the endpoint and partition
# data of its own, and a cold ping builds two clients (SSM's, DynamoDB's).
# Clients are thread-safe, a session is not: they are built one at a time,
# and each once: the checker's threads that all ask for DynamoDB's client on
# a cold start wait for the first to build it (functools.cache would let
# each of them build one, each ~50 ms, in turn).
_building = threading.Lock()
_built: dict = {}


def _once(what: tuple, build):
    made = _built.get(what)
    if made is None:
        with _building:
            made = _built.get(what)
            if made is None:
                with collector_paused():
                    made = _built[what] = build(_session())
    return made


@functools.cache
def _session():
    import boto3

    return boto3.session.Session()


@contextlib.contextmanager
def collector_paused():
    """Python's cyclic garbage collector off while boto3 builds a client.

    botocore builds it from JSON models of a few MB: hundreds of thousands of
    new objects, whose every few hundred set off a collection that walks what
    the process holds and frees nothing. That was a fifth of a cold Lambda's
    first ping (bench/cold_start.py). The collector is process-wide: a thread
    that finds it already off leaves turning it back on to the one that did.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def table(env_name: str):
    """The DynamoDB Table named by the environment variable env_name."""
    return _table(os.environ[env_name])


@functools.cache
def _table(name: str):
    # Built once per process: boto3 makes a new resource class for every
    # Table() (a fifth of a ping's CPU when it was done per call).
    return dynamodb().Table(name)


def rejected(error: Exception) -> bool:
    """Whether a DynamoDB call failed only because its condition did not hold.

    That is an answer (someone else got there first), not a fault: callers
    turn it into "not claimed" or "already done".
    """
    code = getattr(error, "response", {}).get("Error", {}).get("Code")
    if code == "TransactionCanceledException":
        reasons = error.response.get("CancellationReasons", [])
        return any(r.get("Code") == "ConditionalCheckFailed" for r in reasons)
    return code == "ConditionalCheckFailedException"


def refused_item(error: Exception) -> dict | None:
    """The item a refused write returned (ReturnValuesOnConditionCheckFailure).

    boto3's resource layer deserializes replies, not errors: the item comes
    in DynamoDB's wire format ({"status": {"S": "up"}}) and is turned into
    what a get_item would give.
    """
    raw = getattr(error, "response", {}).get("Item")
    return from_wire(raw) if raw else None


# ---- the plain client, for the ping's two writes ------------------------------------
# The resource layer walks every request and reply through the service model to
# convert values (a sixth of a ping's CPU), and loading it costs a cold start
# its resource model: the ping path calls client("dynamodb") with values
# converted here instead. Everything else keeps the resource layer's comfort.


@functools.cache
def _converters():
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


def to_wire(values: dict) -> dict:
    """Python values (str, Decimal, bool, None, dict, list, set) as DynamoDB's wire format."""
    serializer = _converters()[0]
    return {name: serializer.serialize(value) for name, value in values.items()}


def from_wire(item: dict) -> dict:
    deserializer = _converters()[1]
    return {name: deserializer.deserialize(value) for name, value in item.items()}


def table_name(env_name: str) -> str:
    return os.environ[env_name]


def conditional(call, /, **arguments):
    """call(**arguments), a write with a condition: its reply, or None when
    the condition did not hold. Any other failure propagates."""
    try:
        return call(**arguments)
    except Exception as error:
        if rejected(error):
            return None
        raise


def batch_get(table_, keys: list[dict]) -> list[dict]:
    """The items of keys (missing ones left out): 100 keys to a request, and
    what DynamoDB left unprocessed asked for again."""
    found: list[dict] = []
    for start in range(0, len(keys), 100):
        request = {table_.name: {"Keys": keys[start : start + 100]}}
        while request:
            reply = dynamodb().batch_get_item(RequestItems=request)
            found.extend(reply["Responses"].get(table_.name, []))
            request = reply.get("UnprocessedKeys")
    return found


def query_all(table_, limit: int | None = None, **query) -> list[dict]:
    """Every item a Query returns, following pages, up to limit items."""
    found: list[dict] = []
    while limit is None or len(found) < limit:
        page = table_.query(**query)
        found.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            break
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return found if limit is None else found[:limit]


@functools.cache
def queue_url(short_name: str) -> str:
    name = os.environ[QUEUES[short_name]]
    return client("sqs").get_queue_url(QueueName=name)["QueueUrl"]


def reset() -> None:
    """Forget every client (tests start each case on a fresh moto)."""
    client.cache_clear()
    dynamodb.cache_clear()
    _built.clear()
    _session.cache_clear()
    _table.cache_clear()
    queue_url.cache_clear()
