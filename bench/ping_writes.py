"""What a ping writes to DynamoDB, measured on moto: item sizes, write units, index entries.

Shared by bench/capacity.py and bench/cost.py (run as a script it does nothing).

    import ping_writes                   # bench/ is on sys.path when a bench runs
    with harness.moto_stack():
        measured = ping_writes.measure()  # monitors made by admin.upsert, pinged by app()

Monitors are created by Herald's own admin.upsert and pinged through
`app(event, context)` with an API Gateway proxy event (POST, a body), at
instants fixed with time-machine so that "first ping in its minute" and
"another ping in the same minute" are what they say. Before and after each
ping the monitor item is read back with boto3 (consistent GetItem) and the
ping's log item is read from the partition store.log_pk names, so every key,
attribute and index entry is the one the code wrote, never a copy.

Sizes follow DynamoDB's documented rules (SIZE_RULES): attribute name bytes
plus value bytes; strings their UTF-8 bytes; numbers about 1 byte per two
significant digits plus 1; binary its raw bytes; booleans and nulls 1; lists
and maps 3 bytes plus 1 per element. A write costs one unit per 1 KB (1,024
bytes) or part of it; an UpdateItem is sized on the larger of the item
before and after (WRITE_RULES), and one whose condition fails still costs
the stored item's size (CONDITIONAL_WRITES).

Index writes follow "Provisioned throughput considerations for Global
Secondary Indexes" (GSI_WRITES): an entry is the index keys, the table keys
and the projected attributes (ALL: the whole item; KEYS_ONLY: the keys
alone; INCLUDE: those named too); an item absent from the index before and
after costs the index nothing; a changed index key costs two writes (the old
entry deleted, the new one put); a write that changes only projected
attributes costs one; a write that changes no projected attribute, nothing.
Each index write costs ceil(entry size / 1 KB) units. The indexes, their
keys and projections are read from infra/resources.yaml.
"""

import math
import random
import time
from collections import Counter
from dataclasses import dataclass, field

import canned_aws
import harness

KB = 1024
PARTITION_WRITE_UNITS = 1000  # per partition, per second (PARTITION_LIMITS)
SIZE_RULES = (
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html"
)
WRITE_RULES = (
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html"
)
CONDITIONAL_WRITES = (
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithItems.html"
    "#WorkingWithItems.ConditionalWrites.ReturnConsumedCapacity"
)
GSI_WRITES = (
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html"
    "#GSI.ThroughputConsiderations.Writes"
)
STORAGE_OVERHEAD = 100  # bytes per stored item, billed on top of its size (SIZE_RULES)
PARTITION_LIMITS = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/warm-throughput-scenarios.html"

# The bodies pinged: (bytes, kind). Log text is what cron jobs send and compresses
# several times; random base64 is the worst case for the log's compression.
BODIES = {
    "100 B": (100, "text"),
    "10,000 B text": (10_000, "text"),
    "10,000 B random": (10_000, "random"),
}
USER_AGENT, SOURCE_IP = "curl/8.5.0", "203.0.113.7"  # a typical cron job's ping
SETTINGS = {"max_sleep": 3600, "email_frequency": 3600, "device_email": "o@example.com"}
PROBE_SECONDS, PROBE_RATE = 20, 4  # the rate limit probe: 4 pings a second for 20 s


# ---- DynamoDB's size rules ------------------------------------------------------------


def item_size(item: dict) -> int:
    """Bytes of an item in DynamoDB's wire form ({"name": {"S": ...}}), per SIZE_RULES."""
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def value_size(value: dict) -> int:
    ((kind, data),) = value.items()
    sizes = {
        "S": lambda: len(data.encode()),
        "N": lambda: number_size(data),
        "B": lambda: len(data),  # boto3 hands binary over decoded: raw bytes
        "BOOL": lambda: 1,
        "NULL": lambda: 1,
        "SS": lambda: sum(len(s.encode()) for s in data),
        "NS": lambda: sum(number_size(n) for n in data),
        "BS": lambda: sum(len(b) for b in data),
        "L": lambda: 3 + sum(1 + value_size(v) for v in data),
        "M": lambda: 3 + sum(1 + len(k.encode()) + value_size(v) for k, v in data.items()),
    }
    return sizes[kind]()


def number_size(text: str) -> int:
    """About 1 byte per two significant digits, plus 1; leading and trailing zeros trimmed."""
    mantissa = text.lstrip("+-").lower().split("e")[0]
    digits = mantissa.replace(".", "").strip("0") or "0"
    return math.ceil(len(digits) / 2) + 1


def units(size: int) -> int:
    """Write units of one write of an item or index entry this size (1 KB each, rounded up)."""
    return max(1, math.ceil(size / KB))


# ---- the table as infra/ declares it ----------------------------------------------------


@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[str, ...]  # partition key first
    projection: str  # ALL, KEYS_ONLY or INCLUDE
    non_key: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    logical: str
    keys: tuple[str, ...]
    indexes: tuple[Index, ...]
    billing: str
    pitr: bool
    ttl: str | None


def table(logical: str = "MonitorsTable") -> Table:
    """The table's keys, indexes (keys, projection), billing, PITR and TTL, from infra/."""
    from herald.local import stack

    properties = stack.load_template()["Resources"][logical]["Properties"]

    def keys(schema):
        return tuple(k["AttributeName"] for k in sorted(schema, key=lambda k: k["KeyType"]))

    indexes = tuple(
        Index(
            name=index["IndexName"],
            keys=keys(index["KeySchema"]),
            projection=index["Projection"]["ProjectionType"],
            non_key=tuple(index["Projection"].get("NonKeyAttributes", ())),
        )
        for index in properties.get("GlobalSecondaryIndexes", ())
    )
    recovery = properties.get("PointInTimeRecoverySpecification", {})
    ttl = properties.get("TimeToLiveSpecification", {})
    return Table(
        logical=logical,
        keys=keys(properties["KeySchema"]),
        indexes=indexes,
        billing=properties.get("BillingMode", "PROVISIONED"),
        pitr=bool(recovery.get("PointInTimeRecoveryEnabled")),
        ttl=ttl.get("AttributeName") if ttl.get("Enabled") else None,
    )


def entry(index: Index, item: dict | None, table_keys: tuple[str, ...]) -> dict | None:
    """The item's entry in the index (wire form), or None when the item is not in it."""
    if item is None or not all(key in item for key in index.keys):
        return None
    if index.projection == "ALL":
        return dict(item)
    kept = {*table_keys, *index.keys, *(index.non_key if index.projection == "INCLUDE" else ())}
    return {name: value for name, value in item.items() if name in kept}


@dataclass(frozen=True)
class IndexWrite:
    action: str  # put, delete or update
    partition: str  # the index partition key's value
    size: int

    @property
    def units(self) -> int:
        return units(self.size)


def index_writes(index: Index, before, after, table_keys) -> list[IndexWrite]:
    """The index writes one table write costs, per GSI_WRITES."""
    old, new = entry(index, before, table_keys), entry(index, after, table_keys)

    def write(action, which):
        return IndexWrite(action, _text(which[index.keys[0]]), item_size(which))

    if old is None and new is None:
        return []
    if old is None:
        return [write("put", new)]
    if new is None:
        return [write("delete", old)]
    if any(old[key] != new[key] for key in index.keys):
        return [write("delete", old), write("put", new)]
    if old != new:
        bigger = old if item_size(old) > item_size(new) else new
        return [write("update", bigger)]
    return []


def _text(value: dict) -> str:
    return str(next(iter(value.values())))


# ---- one ping, measured -----------------------------------------------------------------


@dataclass
class Ping:
    label: str
    status: int
    before: dict
    after: dict
    log: dict | None  # the log item this ping stored (None: it stored none)
    calls: Counter
    index: dict[str, list[IndexWrite]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def item_units(self) -> int:
        """The monitor's UpdateItem: the larger of before and after (a refused one: the item)."""
        return units(max(item_size(self.before), item_size(self.after)))

    @property
    def log_units(self) -> int:
        return units(item_size(self.log)) if self.log is not None else 0

    def index_units(self, name: str) -> int:
        return sum(w.units for w in self.index.get(name, ()))

    @property
    def reads(self) -> int:
        return sum(n for op, n in self.calls.items() if op in READS)

    @property
    def writes(self) -> int:
        return sum(n for op, n in self.calls.items() if op not in READS)


READS = {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"}


@dataclass
class Probe:
    """PROBE_RATE pings a second to one monitor for PROBE_SECONDS: what the rate limit let by."""

    statuses: list[int]
    refusal_calls: Counter  # DynamoDB requests of all refused pings together
    refused: Ping | None  # the first refused ping

    @property
    def accepted(self) -> int:
        return sum(1 for status in self.statuses if status < 400)

    @property
    def limited(self) -> bool:
        return self.accepted < len(self.statuses)

    @property
    def sustained(self) -> float:
        """Accepted pings a second over the probe (the limit's rate, if it held any back)."""
        return self.accepted / PROBE_SECONDS

    @property
    def first_second(self) -> int:
        return sum(1 for status in self.statuses[:PROBE_RATE] if status < 400)


@dataclass
class Measured:
    table: Table
    names: dict[str, str]  # role -> monitor name
    pings: dict[str, Ping]  # scenario -> ping
    probe: Probe
    shared: dict[str, str]  # index -> how monitors share its partitions (see _sharing)
    recording: list[dict]  # the DynamoDB calls of a steady 100-byte ping (canned_aws form)
    events: dict[str, dict]  # body label -> its ping's API Gateway event
    payloads: dict[str, bytes]  # body label -> the body sent

    def first(self, label: str) -> Ping:
        return self.pings[f"first in its minute, {label}"]

    def again(self, label: str) -> Ping:
        return self.pings[f"again in the same minute, {label}"]

    def parked(self, scenario: str = "first in its minute") -> Ping:
        return self.pings[f"paused monitor, {scenario}"]


def body(size: int, kind: str = "text", seed: int = 7) -> bytes:
    """size bytes of a cron job's output (log lines with varying numbers and ids), or of
    random base64 (kind "random", which compresses least)."""
    rng = random.Random(seed)
    if kind == "random":
        import base64

        return base64.b64encode(rng.randbytes(size))[:size]
    lines: list[str] = []
    while sum(len(line) for line in lines) < size:
        lines.append(
            f"2026-12-02T03:{rng.randrange(60):02d}:{rng.randrange(60):02d}Z"
            f" backup[{rng.randrange(99999)}]: copied {rng.randrange(10**6)} files"
            f" ({rng.randrange(10**9)} bytes) id {rng.getrandbits(64):016x}\n"
        )
    return "".join(lines).encode()[:size]


def ping_event(monitor_uuid: str, payload: bytes) -> dict:
    """The REST API's proxy event for a POST ping with this body (as API Gateway sends it)."""
    event = canned_aws.api_gateway_event(f"/ping/{monitor_uuid}", "/ping/{a}", {"a": monitor_uuid})
    headers = {
        "Host": "herald.bench",
        "User-Agent": USER_AGENT,
        "Content-Type": "text/plain",
        "Content-Length": str(len(payload)),
    }
    return {
        **event,
        "httpMethod": "POST",
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "requestContext": {
            **event["requestContext"],
            "httpMethod": "POST",
            "identity": {"sourceIp": SOURCE_IP, "userAgent": USER_AGENT},
        },
        "body": payload.decode(),
        "isBase64Encoded": False,
    }


SCENARIOS = (("first in its minute", 5), ("again in the same minute", 15))  # second of it
NAMES = {"steady": "bench-capacity", "paused": "bench-capacity-paused", "probe": "bench-probe"}


class _Session:
    """The monitors, their ping events, and pings at fixed instants (minute by minute)."""

    def __init__(self):
        from chalicelib.monitors import admin, store

        self.spec, self.minute = table(), 0
        for name in NAMES.values():
            admin.upsert(name, SETTINGS)
        self.payloads = {label: body(size, kind) for label, (size, kind) in BODIES.items()}
        steady = store.uuid_for(NAMES["steady"])
        self.events = {label: ping_event(steady, data) for label, data in self.payloads.items()}
        small = self.payloads[next(iter(BODIES))]
        # The rate probe has a monitor of its own: Herald remembers a refusal in the
        # process, and the steady monitor's pings must not meet that memory.
        for role in ("paused", "probe"):
            self.events[role] = ping_event(store.uuid_for(NAMES[role]), small)
        self.base = (int(time.time()) // 60 + 2) * 60  # a minute boundary ahead of now

    def travel(self, seconds: float):
        import time_machine

        return time_machine.travel(self.base + 60 * self.minute + seconds, tick=False)

    def ping(self, seconds: float, label: str, event: str, role: str) -> Ping:
        from chalicelib.monitors import store

        with self.travel(seconds):
            return _ping(label, self.events[event], store.id_for(NAMES[role]), self.spec)

    def next_minute(self) -> None:
        self.minute += 1


def measure() -> Measured:
    """Monitors created and pinged on moto (inside harness.moto_stack()); see the docstring."""
    from chalicelib.monitors import admin

    run, pings, small = _Session(), {}, next(iter(BODIES))
    # The first ping of a life also writes a flip (new -> up): not a steady ping.
    for role, second in (("steady", 5), ("paused", 6), ("probe", 7)):
        run.ping(second, "warm-up", small if role == "steady" else role, role)
    for label in BODIES:
        run.next_minute()
        for scenario, second in SCENARIOS:
            key = f"{scenario}, {label}"
            pings[key] = run.ping(second, key, label, "steady")
    run.next_minute()
    with run.travel(0):
        admin.set_paused(NAMES["paused"], True)
    run.ping(5, "paused, warm-up", "paused", "paused")
    run.next_minute()
    for scenario, second in SCENARIOS:
        key = f"paused monitor, {scenario}"
        pings[key] = run.ping(second, key, "paused", "paused")
    run.next_minute()
    probe = _probe(run)
    run.next_minute()
    with run.travel(5):
        recording = canned_aws.record_ping(run.events[small])
    return Measured(
        table=run.spec,
        names=dict(NAMES),
        pings=pings,
        probe=probe,
        shared=_sharing(run.spec, NAMES, pings),
        recording=recording,
        events={label: run.events[label] for label in BODIES},
        payloads=run.payloads,
    )


def _probe(run: _Session) -> Probe:
    """The per-monitor rate limit, if any: PROBE_RATE pings a second for PROBE_SECONDS."""
    statuses, calls, refused = [], Counter(), None
    for n in range(PROBE_SECONDS * PROBE_RATE):
        ping = run.ping(n / PROBE_RATE, "rate probe", "probe", "probe")
        statuses.append(ping.status)
        if ping.status >= 400:
            calls += ping.calls
            refused = refused or ping
    return Probe(statuses, calls, refused)


def _ping(label: str, event: dict, monitor_id: str, spec: Table) -> Ping:
    from app import app
    from chalicelib.core import aws
    from chalicelib.monitors import store

    client = aws.client("dynamodb")
    name = aws.table_name(store.TABLE)
    key = aws.to_wire(store.key(monitor_id))

    def monitor():
        return client.get_item(TableName=name, Key=key, ConsistentRead=True)["Item"]

    def newest_log(item):
        query = {
            "TableName": name,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {
                ":pk": {"S": store.log_pk(monitor_id, aws.from_wire(item))}
            },
            "ScanIndexForward": False,
            "Limit": 1,
            "ConsistentRead": True,
        }
        found = client.query(**query)["Items"]
        return found[0] if found else None

    before, log_before = monitor(), newest_log(monitor())
    with harness.RequestCounter() as dynamodb:
        reply = app(event, canned_aws.lambda_context())
        calls = Counter(dynamodb.calls)
    after = monitor()
    log = newest_log(after)
    ping = Ping(
        label, reply["statusCode"], before, after, None if log == log_before else log, calls
    )
    ping.index = {i.name: index_writes(i, before, after, spec.keys) for i in spec.indexes}
    return ping


def _sharing(spec: Table, names: dict[str, str], pings: dict[str, Ping]) -> dict[str, str]:
    """How monitors share each index's partitions, judged from the two monitors' entries:
    "shard" (the value is due_index.shard(name)), "all" (one value for every monitor),
    "own" (a value per monitor) or "none" (pinged monitors are not in it)."""
    from chalicelib.monitors import due_index

    steady = pings[f"first in its minute, {next(iter(BODIES))}"].after
    paused_item = pings["paused monitor, first in its minute"].before  # the other monitor
    shared = {}
    for index in spec.indexes:
        mine = entry(index, steady, spec.keys)
        other = entry(index, paused_item, spec.keys)
        if mine is None:
            shared[index.name] = "none"
        elif _text(mine[index.keys[0]]) == due_index.shard(names["steady"]):
            shared[index.name] = "shard"
        elif other is not None and mine[index.keys[0]] == other[index.keys[0]]:
            shared[index.name] = "all"
        else:
            shared[index.name] = "own"
    return shared


def shard_counts(monitors: int, seed: int = 11) -> Counter:
    """Monitors per due_index.shard() value over `monitors` generated names."""
    from chalicelib.monitors import due_index

    return Counter(due_index.shard(name) for name in generated_names(monitors, seed))


def generated_names(count: int, seed: int = 11) -> list[str]:
    """Names as people give them: a word, a host or job part, a number; all distinct."""
    rng = random.Random(seed)
    words = ["backup", "cron", "etl", "sync", "report", "billing", "mail", "db", "cache", "export"]
    hosts = ["web", "api", "worker", "batch", "prod", "eu", "us", "edge", "core", "ops"]
    names: set[str] = set()
    while len(names) < count:
        names.add(
            f"{rng.choice(words)}-{rng.choice(hosts)}{rng.randrange(100)}-{rng.randrange(10**5)}"
        )
    return sorted(names)


def table_text(rows: list[tuple], indent: str = "  ") -> str:
    """Rows as aligned columns, the first row a header (numbers right-aligned)."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = []
    for row in cells:
        parts = [
            cell.rjust(w) if i and _numeric(cell) else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append(indent + "  ".join(parts).rstrip())
    return "\n".join(lines)


def _numeric(cell: str) -> bool:
    return bool(cell) and (cell[0].isdigit() or cell[0] in "$-") and not cell.startswith("-- ")
