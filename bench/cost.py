"""Cost: US dollars per million pings, from what a ping was measured to write and to take.

Method. The same measurement as bench/capacity.py (bench/ping_writes.py):
monitors created on moto by admin.upsert, pinged through `app(event,
context)` with POST bodies of 100 bytes of log text, 10,000 bytes of log text
and 10,000 bytes of random base64; the monitor item and the stored log item
read back with boto3 and sized by DynamoDB's rules. Then per million pings:

- DynamoDB writes: the monitor's UpdateItem (larger of before and after),
  the log's PutItem and every index write the ping caused, worst case: each
  ping its monitor's first in a minute, so it moves its "due" entry (two index
  writes); ceil(size / 1 KB) units each. Reads: the DynamoDB reads a steady
  ping was counted making (a strongly consistent 4 KB unit each).
  On-demand: write and read request units at their prices. Provisioned: the
  units a second divided by the utilisation auto scaling holds
  (PROVISIONED_UTILISATION), at the WCU-hour and RCU-hour prices.
- Storage: the stored log item (+ 100 bytes DynamoDB bills per item) for
  PING_LOG_RETENTION_DAYS (its TTL; TTL deletes cost nothing), at the
  GB-month price; and point-in-time recovery on the same bytes, since
  infra/resources.yaml enables it on the table.
- Lambda: billed duration = the ping's CPU time, measured as bench/ping_cpu.py
  does (time.process_time over batches of pings through the door's handler,
  with every DynamoDB call answered by a canned botocore stub recorded from
  moto: bench/canned_aws.py), scaled by the share of a vCPU the function's
  memory buys (1,769 MB = 1 vCPU), plus the ping's DynamoDB requests x
  DYNAMODB_ROUND_TRIP_MS, rounded up to 1 ms; times the memory .chalice/config.json
  gives the door's function (Chalice's own lookup), at the GB-second price of its
  architecture; plus Lambda's request charge.
- The front door's request charge: the REST API (api_handler) or the
  function URL (ping_door; no charge of its own).

Prices are us-east-1 list prices, each a constant below with where it was
checked. Target: at most $1.00 per million pings with 100-byte bodies through
the cheaper door, on DynamoDB on-demand (the table's billing mode in infra/);
that line alone sets the exit status. The provisioned figure is printed
beside it, met or missed, for information.
"""

import json
import math
import os
import time

import canned_aws
import harness
import ping_writes as pw

# ---- prices, us-east-1, checked 2 December 2026 -------------------------------------------
PRICES_CHECKED = "2 December 2026"
# DynamoDB on-demand, since the 50 % cut of 1 November 2024. The AWS page
# (https://aws.amazon.com/dynamodb/pricing/on-demand/) renders its figures in
# the browser: not verified there; the figures as third-party summaries give
# them (https://airbyte.com/data-engineering-resources/dynamodb-pricing).
ON_DEMAND_WRITE = 0.625 / 1e6  # $ per write request unit
ON_DEMAND_READ = 0.125 / 1e6  # $ per read request unit
# DynamoDB provisioned (https://aws.amazon.com/dynamodb/pricing/provisioned/):
# not verified on the AWS page either; as quoted by third parties, e.g.
# https://zeonedge.com/en/blog/dynamodb-cost-optimization-on-demand-provisioned-dax-single-table
PROVISIONED_WCU_HOUR = 0.00065
PROVISIONED_RCU_HOUR = 0.00013
PROVISIONED_UTILISATION = 0.70  # consumed / provisioned that auto scaling targets (assumed)
# Storage: "prices start from $0.25 per GB-month" (https://aws.amazon.com/dynamodb/pricing/,
# verified; the first 25 GB a month are free, left out here). "DynamoDB denotes 1 KB =
# 1024 bytes, ... 1 GB = 1024 MB" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html).
STORAGE_GB_MONTH = 0.25
GB = 2**30
# Point-in-time recovery, billed on the table's size
# (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Point-in-time-recovery.html);
# the price is not verified on an AWS page: as a third party gives it,
# https://finops.com.py/services/dynamodb/backups
PITR_GB_MONTH = 0.20
# Lambda (https://aws.amazon.com/lambda/pricing/, first duration tier). The page
# renders its table in the browser: not verified there; the GB-second figures as
# artillery's prices.js (which cites that page) and other summaries give them.
LAMBDA_GB_SECOND = {"x86_64": 0.0000166667, "arm64": 0.0000133334}
# $0.20 per million requests and 1 ms billing: verified in AWS's own example,
# https://aws.amazon.com/blogs/aws/new-for-aws-lambda-1ms-billing-granularity-adds-cost-savings/
LAMBDA_REQUEST = 0.20 / 1e6
BILLED_MS = 1
# "At 1,769 MB, a function has the equivalent of one vCPU" (verified:
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html).
VCPU_MB = 1769
# API Gateway: REST $3.50 a million for the first 333 million a month, HTTP APIs
# $1.00 for the first 300 million (verified: AWS's whitepaper "Best Practices for
# Designing Amazon API Gateway Private APIs and Private Integration", table 4,
# https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html).
REST_API_REQUEST = 3.50 / 1e6
HTTP_API_REQUEST = 1.00 / 1e6  # not offered by Herald: printed for comparison
# "There is no additional charge for using function URLs. You pay the standard
# price for AWS Lambda." (verified: the Lambda FAQ, https://aws.amazon.com/lambda/faqs/)
FUNCTION_URL_REQUEST = 0.0
# A DynamoDB request from Lambda in the same region, as of 2 December 2026: an
# assumption, the top of the "single-digit millisecond" latency AWS reports for
# DynamoDB (Elhemali et al., USENIX ATC 2022,
# https://www.usenix.org/conference/atc22/presentation/vig); not measured here.
DYNAMODB_ROUND_TRIP_MS = 10

DOORS = {  # door -> (its function in .chalice/config.json, $ per request)
    "REST API": ("api_handler", REST_API_REQUEST),
    "function URL": ("ping_door", FUNCTION_URL_REQUEST),
}
MODES = ("on-demand", f"provisioned {PROVISIONED_UTILISATION:.0%}")
STAGE = "prod"
TARGET = 1.00  # $ per million pings, 100-byte bodies, cheaper door, on-demand
MILLION = 1e6
PINGS = int(os.environ.get("BENCH_PINGS", "500"))  # per door and body, for the CPU time
BATCH = 100
DAYS_PER_MONTH = 365.25 / 12


def main() -> None:
    harness.environment(HERALD_PUBLIC_URL="http://herald.bench", POWERTOOLS_METRICS_DISABLED="true")
    harness.quiet()
    with harness.moto_stack():
        measured = pw.measure()
    canned_aws.install(measured.recording)  # moto has stopped: DynamoDB answered from here on
    cpu = cpu_per_ping(measured)
    costs = {label: Cost(measured, label, cpu) for label in pw.BODIES}
    print_costs(measured, costs, cpu)
    harness.report(rows(costs), "cost per million pings")


# ---- Lambda: memory, architecture, CPU --------------------------------------------------


def function_config(function: str) -> tuple[int, str]:
    """(memory MB, architecture) Chalice deploys `function` with on STAGE (its own lookup)."""
    from chalice.config import Config
    from chalice.constants import DEFAULT_LAMBDA_MEMORY_SIZE

    on_disk = json.loads((harness.ROOT / ".chalice" / "config.json").read_text())
    config = Config(
        chalice_stage=STAGE,
        function_name=function,
        config_from_disk=on_disk,
        default_params={"lambda_memory_size": DEFAULT_LAMBDA_MEMORY_SIZE},
    )
    return int(config.lambda_memory_size), config.lambda_architecture


def function_url_event(rest: dict) -> dict:
    """A function URL's event (payload format 2.0) for the same ping as a REST proxy event."""
    headers = {name.lower(): value for name, value in rest["headers"].items()}
    identity = rest["requestContext"]["identity"]
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": rest["path"],
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "bench",
            "domainName": "bench.lambda-url.us-east-1.on.aws",
            "http": {
                "method": rest["httpMethod"],
                "path": rest["path"],
                "protocol": "HTTP/1.1",
                "sourceIp": identity["sourceIp"],
                "userAgent": identity["userAgent"],
            },
            "requestId": "bench",
            "routeKey": "$default",
            "stage": "$default",
            "timeEpoch": int(time.time() * 1000),
        },
        "body": rest["body"],
        "isBase64Encoded": rest["isBase64Encoded"],
    }


def handlers() -> dict:
    """door -> (handler, event maker); a door whose handler app.py lacks is left out."""
    import app as module

    found = {"REST API": (module.app, lambda event: event)}
    if hasattr(module, "ping_door"):
        found["function URL"] = (module.ping_door, function_url_event)
    return found


def cpu_per_ping(measured: pw.Measured) -> dict[tuple[str, str], float]:
    """(door, body) -> median CPU seconds per ping, batches interleaved (as ping_cpu.py)."""
    from chalicelib.core import aws

    aws.reset()  # clients made from now on carry the stub
    context = canned_aws.lambda_context()
    work = {}
    for door, (handler, convert) in handlers().items():
        for label, event in measured.events.items():
            work[(door, label)] = _pinger(handler, convert(event), context)
    for ping in work.values():  # warm: the first ping builds the clients
        for _ in range(20):
            ping()
    samples: dict[tuple, list[float]] = {key: [] for key in work}
    for _ in range(max(1, PINGS // BATCH)):
        for key, ping in work.items():
            start = time.process_time()
            for _ in range(BATCH):
                ping()
            samples[key].append((time.process_time() - start) / BATCH)
    return {key: harness.median(values) for key, values in samples.items()}


def _pinger(handler, event, context):
    def ping():
        reply = handler(event, context)
        assert reply["statusCode"] == 200, reply

    return ping


# ---- the cost of a million pings -----------------------------------------------------


class Cost:
    """Dollars per million pings of one body, by door and billing mode."""

    def __init__(self, measured: pw.Measured, body: str, cpu: dict):
        from chalicelib.monitors import pings

        self.body, self.m = body, measured
        ping = measured.first(body)  # worst case: every ping moves its due entry
        self.item_units, self.log_units = ping.item_units, ping.log_units
        self.index_units = {i.name: ping.index_units(i.name) for i in measured.table.indexes}
        self.write_units = self.item_units + self.log_units + sum(self.index_units.values())
        self.read_units = ping.reads * max(1, math.ceil(pw.item_size(ping.after) / 4096))
        self.log_bytes = pw.item_size(ping.log) + pw.STORAGE_OVERHEAD
        self.log_indexed = any(
            pw.entry(i, ping.log, measured.table.keys) for i in measured.table.indexes
        )
        self.retention_days = pings.retention_days()
        self.requests = ping.reads + ping.writes  # DynamoDB round trips of one ping
        self.cpu = {door: cpu[(door, body)] for door in DOORS if (door, body) in cpu}

    def lambda_ms(self, door: str) -> tuple[float, int, int, str]:
        """(modelled duration ms, billed ms, memory MB, architecture) of one ping."""
        memory, architecture = function_config(DOORS[door][0])
        cpu_ms = self.cpu[door] * 1000 * max(1.0, VCPU_MB / memory)
        duration = cpu_ms + self.requests * DYNAMODB_ROUND_TRIP_MS
        return duration, math.ceil(duration / BILLED_MS) * BILLED_MS, memory, architecture

    def dynamodb(self, mode: str) -> tuple[float, float]:
        """($ writes, $ reads) per million pings."""
        if mode == MODES[0]:
            return (
                self.write_units * MILLION * ON_DEMAND_WRITE,
                self.read_units * MILLION * ON_DEMAND_READ,
            )
        # A unit a second provisioned for a second per unit used, at the utilisation held.
        hours = MILLION / 3600 / PROVISIONED_UTILISATION
        return (
            self.write_units * hours * PROVISIONED_WCU_HOUR,
            self.read_units * hours * PROVISIONED_RCU_HOUR,
        )

    def lines(self, door: str, mode: str) -> dict[str, float]:
        """Cost lines, $ per million pings."""
        gb_months = self.log_bytes * MILLION / GB * self.retention_days / DAYS_PER_MONTH
        writes, reads = self.dynamodb(mode)
        _, billed, memory, architecture = self.lambda_ms(door)
        gb_seconds = billed / 1000 * memory / 1024 * MILLION
        return {
            "DynamoDB writes": writes,
            "DynamoDB reads": reads,
            "log storage": gb_months * STORAGE_GB_MONTH,
            "PITR backup": gb_months * PITR_GB_MONTH if self.m.table.pitr else 0.0,
            "Lambda duration": gb_seconds * LAMBDA_GB_SECOND[architecture],
            "Lambda requests": MILLION * LAMBDA_REQUEST,
            "front door": MILLION * DOORS[door][1],
        }

    def total(self, door: str, mode: str) -> float:
        return sum(self.lines(door, mode).values())

    def labels(self) -> dict[str, str]:
        """What each line is made of, for the table's first column."""
        indexes = "".join(f" + {name} {n}" for name, n in self.index_units.items() if n)
        parts = f"item {self.item_units} + log {self.log_units}{indexes}"
        return {
            "DynamoDB writes": f"DynamoDB writes: {self.write_units} units a ping ({parts})",
            "DynamoDB reads": f"DynamoDB reads: {self.read_units} units a ping",
            "log storage": f"log storage: {self.log_bytes:,} B for {self.retention_days} days",
            "PITR backup": "point-in-time recovery of that log"
            + ("" if self.m.table.pitr else " (off in infra/)"),
            "Lambda duration": "Lambda duration (below)",
            "Lambda requests": "Lambda requests",
            "front door": "front door's requests",
        }

    def doors(self) -> list[str]:
        return [door for door in DOORS if door in self.cpu]


def cheaper_door(cost: Cost) -> str:
    return min(cost.doors(), key=lambda door: cost.total(door, MODES[0]))


# ---- what is printed -----------------------------------------------------------------


def print_costs(m: pw.Measured, costs: dict[str, Cost], cpu: dict) -> None:
    print(f"\n== cost per million pings: us-east-1 list prices checked {PRICES_CHECKED}")
    print("Assumptions:")
    for line in assumptions(m, costs[next(iter(costs))]):
        print(f"  - {line}")
    print("\nCPU per ping here (median of interleaved batches of 100, canned DynamoDB):")
    doors = [door for door in DOORS if any(key[0] == door for key in cpu)]
    table = [("body", *doors)]
    for label in pw.BODIES:
        table.append((label, *(f"{cpu[(d, label)] * 1000:.3f} ms" for d in doors)))
    print(pw.table_text(table))
    for cost in costs.values():
        print_table(cost)


def assumptions(m: pw.Measured, small: Cost) -> list[str]:
    floor = (small.item_units + small.log_units) * MILLION * ON_DEMAND_WRITE
    return [
        "every ping is its monitor's first in a minute, so it moves its due entry (worst case);"
        f" steady success pings (no news, no flip); infra/ bills the table {m.table.billing}"
        " (on-demand)",
        f"provisioned: capacity held at {PROVISIONED_UTILISATION:.0%} utilisation by auto"
        " scaling (consumed / provisioned), steady load; free tiers left out",
        f"Lambda: the ping's CPU time here x {VCPU_MB} MB / memory (the share of a vCPU Lambda"
        " gives; one core here taken as one Lambda vCPU) plus"
        f" {small.requests} DynamoDB requests x {DYNAMODB_ROUND_TRIP_MS} ms (assumed,"
        f" {PRICES_CHECKED}), rounded up to {BILLED_MS} ms; warm invocations (no init)",
        f"storage: the log item + {pw.STORAGE_OVERHEAD} B per item, 1 GB = 2^30 B (DynamoDB's"
        f" units), a month = {DAYS_PER_MONTH:.2f} days, kept {small.retention_days} days (TTL"
        f" deletes are free); the log item is in an index: {small.log_indexed}",
        "data transfer out (the reply is 2 bytes), CloudWatch logs and metrics are left out",
        f"on-demand floor: the two items a ping writes cost ({small.item_units} +"
        f" {small.log_units}) x ${ON_DEMAND_WRITE * MILLION:.3f} = ${floor:.2f} a million alone,"
        f" above the ${TARGET:.2f} target before any index, storage or Lambda",
    ]


def print_table(cost: Cost) -> None:
    columns = [(door, mode) for door in cost.doors() for mode in MODES]
    lines = {column: cost.lines(*column) for column in columns}
    table = [(f"-- {cost.body} body, $ a million", *(f"{d}, {mode}" for d, mode in columns))]
    for line, label in cost.labels().items():
        table.append((label, *(f"${lines[c][line]:.3f}" for c in columns)))
    table.append(("total", *(f"${sum(lines[c].values()):.2f}" for c in columns)))
    print()
    print(pw.table_text(table))
    for door in cost.doors():
        duration, billed, memory, architecture = cost.lambda_ms(door)
        print(
            f"  Lambda, {door} ({DOORS[door][0]}): {billed} ms billed ({duration:.1f} ms)"
            f" at {memory} MB {architecture}"
        )
    print(
        f"  (an HTTP API, not offered, would charge ${HTTP_API_REQUEST * MILLION:.2f} a million"
        f" where the REST API charges ${REST_API_REQUEST * MILLION:.2f})"
    )


def rows(costs: dict[str, Cost]) -> list[harness.Row]:
    small = costs[next(iter(costs))]
    door = cheaper_door(small)
    headline, provisioned = small.total(door, MODES[0]), small.total(door, MODES[1])
    verdict = "met" if provisioned <= TARGET else "missed"
    found = [
        harness.Row(
            f"{small.body} bodies, {door} (the cheaper door), {MODES[0]}: the target line",
            f"${headline:.2f}",
            f"<= ${TARGET:.2f}",
            headline <= TARGET,
        ),
        harness.Row(
            f"{small.body} bodies, {door}, {MODES[1]} (beside it: {verdict})",
            f"${provisioned:.2f}",
            f"(<= ${TARGET:.2f})",
        ),
    ]
    for cost in list(costs.values())[1:]:
        found += [
            harness.Row(f"{cost.body} bodies, {door}, {mode}", f"${cost.total(door, mode):.2f}")
            for mode in MODES
        ]
    found += [
        harness.Row(f"{small.body} bodies, {d}, {mode}", f"${small.total(d, mode):.2f}")
        for d in small.doors()
        if d != door
        for mode in MODES
    ]
    return found


if __name__ == "__main__":
    main()
