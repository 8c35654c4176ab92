"""Capacity: write units a second on the hottest DynamoDB partitions, 100,000 monitors, N pings/s.

Method. Three monitors (steady, paused, rate-probed) are created on moto
(in-process) by Herald's own admin.upsert, with infra/'s tables, and pinged
through `app(event, context)` with REST API proxy events (POST, bodies of 100
bytes of log text, 10,000 bytes of log text and 10,000 bytes of random
base64) at instants fixed with time-machine (bench/ping_writes.py). After
each ping the monitor item and the ping's log item are read back with boto3
and sized by DynamoDB's documented rules (attribute name bytes + value
bytes; a number about one byte per two significant digits plus one:
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).
From them:

- the base table: a ping's UpdateItem on the monitor item (store.key: sized
  on the larger of before and after) and its PutItem of a log item
  (store.log_pk), ceil(size / 1 KB) units each;
- each index of infra/resources.yaml (keys and projection read from the
  template): the entry before and after the ping (ALL: the item; KEYS_ONLY:
  table and index keys), two writes when an index key moved, one when only a
  projected attribute changed, none otherwise, per "Provisioned throughput
  considerations for Global Secondary Indexes"
  (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations.Writes);
  measured for a monitor's first ping in a minute and for another ping in the
  same minute (due_at is rounded down to the minute, so the second moves
  nothing, if the code still does so when this runs);
- how monitors share an index partition, from the entries written: the
  "due" index's partition is due_index.shard(name) (the hottest shard is the
  largest count of due_index.shard over 100,000 generated names, with
  due_index.shards() as configured); an index partition every monitor's
  entry carries (gsi1 "MONITORS", while monitor items had gsi1pk) takes all
  100,000 monitors' writes; an index the pinged items are not in, none;
- the per-monitor rate limit, measured: one monitor pinged 4 times a second
  for 20 s; the accepted rate caps each monitor's accepted pings, and every
  refused ping is counted as one failed conditional write of the monitor item
  (which DynamoDB bills like a write of the stored item:
  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithItems.html#WorkingWithItems.ConditionalWrites.ReturnConsumedCapacity),
  although Herald remembers a refusal per Lambda instance and skips most.

Load: N pings a second spread evenly over the 100,000 monitors (N / 100,000
each), steady pings (no news, no flip). A partition takes 1,000 write units a
second
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/warm-throughput-scenarios.html);
each monitor's item and log are partition keys of their own, which DynamoDB
spreads over physical partitions as traffic grows, so the base table's
hottest key is one monitor's. Printed: the hottest partition of each kind at
N = 20,000 and at the rate limit, the table's and each index's total beside
the default per-table quota (information), and the largest N that keeps
every partition under 1,000 for each body. Target: that N >= 20,000 for
every body.
"""

import harness
import ping_writes as pw

MONITORS = 100_000
TARGET_N = 20_000
# On-demand tables: 40,000 write request units a second per table (and per GSI) by
# default, adjustable on request
# (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html).
TABLE_QUOTA = 40_000
DEFAULT_STEP = 60.0  # seconds a ping rounds due_at down to, unless due_index.STEP says


def main() -> None:
    harness.environment(HERALD_PUBLIC_URL="http://herald.bench", POWERTOOLS_METRICS_DISABLED="true")
    harness.quiet()
    with harness.moto_stack():
        measured = pw.measure()
    model = Model(measured, pw.shard_counts(MONITORS))
    print(f"\n== capacity: {MONITORS:,} monitors, N pings a second spread evenly over them")
    print("Assumptions:")
    for line in assumptions(model):
        print(f"  - {line}")
    print_items(measured)
    print_index_writes(measured)
    print_probe_and_shards(model)
    print_loads(model)
    print_totals(model)
    largest = print_largest(model)
    harness.report(summary(model, largest), "capacity: write units on the hottest partitions")


class Model:
    """Write units a second on each kind of partition, for N pings a second."""

    def __init__(self, measured: pw.Measured, shards):
        self.m, self.shards = measured, shards
        probe = measured.probe
        self.cap = probe.sustained if probe.limited else None
        self.refused_units = probe.refused.item_units if probe.refused is not None else 0
        share = {"shard": max(shards.values()), "all": MONITORS, "own": 1, "none": 0}
        self.sharing = {i.name: share[measured.shared[i.name]] for i in measured.table.indexes}

    def rates(self, n: float) -> tuple[float, float, float]:
        """(accepted, refused, first-in-its-minute) pings a second of one monitor."""
        offered = n / MONITORS
        accepted = min(offered, self.cap) if self.cap is not None else offered
        return accepted, offered - accepted, min(accepted, 1 / step())

    def index_rate(self, first: pw.Ping, again: pw.Ping, name: str, n: float) -> float:
        """One monitor's write units a second on an index: a first-in-its-minute ping's
        writes once a minute at most, another ping's (measured, maybe none) the rest."""
        accepted, _, minutes = self.rates(n)
        return minutes * first.index_units(name) + (accepted - minutes) * again.index_units(name)

    def base_rates(self, n: float, body: str) -> tuple[float, float]:
        """One monitor's write units a second on its item and on its log partition."""
        accepted, refused, _ = self.rates(n)
        ping, again = self.m.first(body), self.m.again(body)
        item = accepted * max(ping.item_units, again.item_units) + refused * self.refused_units
        return item, accepted * max(ping.log_units, again.log_units)

    def partitions(self, n: float, body: str, *, rounding: bool = True) -> dict[str, float]:
        """Write units a second on the hottest partition of each kind."""
        item, log = self.base_rates(n, body)
        found = {
            "base: one monitor's item (MON#<id>)": item,
            "base: one monitor's log (LOG#<id>)": log,
        }
        first = self.m.first(body)
        later = self.m.again(body) if rounding else first
        for index in self.m.table.indexes:
            rate = self.index_rate(first, later, index.name, n)
            found[self.index_label(index)] = self.sharing[index.name] * rate
        return found

    def totals(self, n: float, body: str) -> dict[str, float]:
        """Write units a second on the whole base table and on each whole index."""
        found = {"base table": MONITORS * sum(self.base_rates(n, body))}
        first, again = self.m.first(body), self.m.again(body)
        for index in self.m.table.indexes:
            found[f"index {index.name}"] = MONITORS * self.index_rate(first, again, index.name, n)
        return found

    def index_label(self, index: pw.Index) -> str:
        share = self.sharing[index.name]
        writes = self.m.first(next(iter(pw.BODIES))).index.get(index.name) or []
        partition = f'"{writes[0].partition}"' if writes else "-"
        return {
            "shard": f"index {index.name}: largest shard ({share:,} monitors)",
            "all": f"index {index.name}: {partition} (all {share:,} monitors)",
            "own": f"index {index.name}: one monitor's partition",
            "none": f"index {index.name}: pinged items not in it",
        }[self.m.shared[index.name]]

    def hottest(self, n: float, body: str, **options) -> tuple[float, str]:
        found = self.partitions(n, body, **options)
        where = max(found, key=found.get)
        return found[where], where

    def largest_n(self, body: str, **options) -> int:
        """The largest N keeping every partition under PARTITION_WRITE_UNITS a second."""
        return _largest(lambda n: self.hottest(n, body, **options)[0] < pw.PARTITION_WRITE_UNITS)

    def largest_within_quota(self, body: str) -> int:
        """The largest N keeping the table and each index within TABLE_QUOTA units a second."""
        return _largest(lambda n: max(self.totals(n, body).values()) <= TABLE_QUOTA)

    def parked_rate(self, n: float) -> float:
        """A paused monitor's index write units a second (its entry sits in one partition)."""
        first, again = self.m.parked(SCENARIOS[0]), self.m.parked(SCENARIOS[1])
        return sum(self.index_rate(first, again, i.name, n) for i in self.m.table.indexes)


def _largest(holds, ceiling: int = 10**15) -> int:
    """The largest integer N >= 0 for which holds(N), holds being true up to some N."""
    low, high = 0, 1
    while holds(high):
        low, high = high, high * 2
        if high > ceiling:
            return ceiling
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if holds(middle) else (low, middle)
    return low


SCENARIOS = ("first in its minute", "again in the same minute")


def step() -> float:
    """The seconds a ping rounds its due_at down to (due_index.STEP): the most often a
    monitor's entry can move; whether it does is what the "again" ping measured."""
    from chalicelib.monitors import due_index

    return float(getattr(due_index, "STEP", DEFAULT_STEP))


def assumptions(model: Model) -> list[str]:
    cap = (
        f"each monitor's accepted pings are capped at the measured {model.cap:.2f} a second;"
        " each refused ping is counted as one failed conditional write of the monitor item"
        " (billed as a write of the stored item)"
        if model.cap is not None
        else "no per-monitor rate limit was measured: every ping is accepted"
    )
    return [
        f"N pings a second, uniform: each of the {MONITORS:,} monitors takes N / {MONITORS:,}"
        " a second; steady success pings (no news, no flip, no run id)",
        cap,
        "a partition takes 1,000 write units a second; each monitor's item and log partition"
        " keys are spread over physical partitions by DynamoDB, so the base table's hottest"
        " key is one monitor's",
        "an index partition shared by monitors takes the sum of their index writes; a"
        f" monitor's entry moves at most once in {step():g} s (due_index.STEP) if another ping"
        " in the same minute was measured to write no index entry (else on every ping)",
        f"monitor: {pw.SETTINGS}; pings POST a body with User-Agent {pw.USER_AGENT!r},"
        f" source {pw.SOURCE_IP} (IPv4); bodies: 100 B and 10,000 B of log text, 10,000 B of"
        " random base64 (compresses least)",
        "reads, the checker's and the dashboard's writes are left out (per minute or per"
        " person, not per ping)",
    ]


def print_items(m: pw.Measured) -> None:
    spec, first = m.table, m.first(next(iter(pw.BODIES)))
    print(f"\nMeasured on moto ({spec.logical}: keys {'/'.join(spec.keys)}; indexes from infra/):")
    monitor = max(pw.item_size(first.before), pw.item_size(first.after))
    rows = [
        ("item (read back with boto3)", "bytes", "write units"),
        ("monitor item, UpdateItem (larger of before/after)", f"{monitor:,}", first.item_units),
    ]
    for label in pw.BODIES:
        log = m.first(label).log
        kept = "body_z (zlib)" if "body_z" in log else "body (text)"
        rows.append(
            (
                f"log item, {label} body, kept as {kept}",
                f"{pw.item_size(log):,}",
                pw.units(pw.item_size(log)),
            )
        )
    for index in spec.indexes:
        new = pw.entry(index, first.after, spec.keys)
        what = "the item" if index.projection == "ALL" else ", ".join(new or index.keys)
        size = f"{pw.item_size(new):,}" if new is not None else "not in it"
        rows.append((f"{index.name} entry ({index.projection}: {what})", size, "-"))
    print(pw.table_text(rows))


def print_index_writes(m: pw.Measured) -> None:
    small, indexes = next(iter(pw.BODIES)), m.table.indexes
    print("\nIndex writes per ping (each write: ceil(entry / 1 KB) units):")
    rows = [("ping", *(i.name for i in indexes))]
    pings = [(f"{s}, {small}", m.pings[f"{s}, {small}"]) for s in SCENARIOS]
    pings += [(f"paused monitor, {s}", m.parked(s)) for s in SCENARIOS]
    for label, ping in pings:
        rows.append((label, *(describe(ping.index[i.name]) for i in indexes)))
    print(pw.table_text(rows))


def describe(writes: list[pw.IndexWrite]) -> str:
    if not writes:
        return "0"
    return " + ".join(f"{w.action} {w.units}" for w in writes) + f" ({writes[0].partition})"


def print_probe_and_shards(model: Model) -> None:
    from chalicelib.monitors import due_index

    m, probe, counts = model.m, model.m.probe, model.shards
    print(
        f"\nRate limit probe: {len(probe.statuses)} pings to one monitor, {pw.PROBE_RATE} a second"
        f" for {pw.PROBE_SECONDS} s: {probe.accepted} accepted ({probe.sustained:.2f} a second;"
        f" {probe.first_second} in the first second), {len(probe.statuses) - probe.accepted}"
        f" refused, making {harness.detail(probe.refusal_calls) or 'no requests'}"
        f" (a refusal is remembered per Lambda instance){limit_constants()}"
    )
    mean = MONITORS / len(counts)
    print(
        f"Due shards: {due_index.shards()} (HERALD_PEAK_PINGS as configured); over {MONITORS:,}"
        f" generated names due_index.shard() puts at most {max(counts.values()):,} in one"
        f" (mean {mean:,.0f}: {max(counts.values()) / mean:.2f}x); the pinged monitor's due_pk"
        f" {'is' if m.shared.get('due') == 'shard' else 'is NOT'} due_index.shard(its name)"
    )


def limit_constants() -> str:
    try:
        from chalicelib.monitors import ping_rate
    except ImportError:
        return ""
    span = ping_rate.window()
    if span is None:
        return "; ping_rate: no limit configured"
    return f"; ping_rate: {ping_rate.BURST} pings in any {span:g} s"


def print_loads(model: Model) -> None:
    bodies = list(pw.BODIES)
    loads = [(TARGET_N, f"At N = {TARGET_N:,} pings a second ({TARGET_N / MONITORS:g} a monitor):")]
    if model.cap is not None:
        full = round(model.cap * MONITORS)
        loads.append(
            (
                full,
                f"At N = {full:,} ({model.cap:g} a monitor: each at its rate limit; beyond it,"
                " pings are refused):",
            )
        )
    for n, title in loads:
        table = [("hottest partition, write units a second", *(f"{b} body" for b in bodies))]
        found = {b: model.partitions(n, b) for b in bodies}
        for partition in found[bodies[0]]:
            table.append((partition, *(f"{found[b][partition]:,.2f}" for b in bodies)))
        print(f"\n{title}")
        print(pw.table_text(table))


def print_totals(model: Model) -> None:
    bodies = list(pw.BODIES)
    table = [(f"whole table or index at N = {TARGET_N:,}, units/s", *(f"{b} body" for b in bodies))]
    found = {b: model.totals(TARGET_N, b) for b in bodies}
    for part in found[bodies[0]]:
        table.append((part, *(f"{found[b][part]:,.0f}" for b in bodies)))
    quota = (
        f"largest N within {TABLE_QUOTA:,} units/s",
        *(f"{model.largest_within_quota(b):,}" for b in bodies),
    )
    table.append(quota)
    print(
        f"\nTotals: not partitions, but the default on-demand quota of {TABLE_QUOTA:,} write units"
    )
    print("a second per table and per index (AWS raises it on request):")
    print(pw.table_text(table))


def print_largest(model: Model) -> dict[str, int]:
    table, largest = [("body", "largest N", "hottest partition there", "units/s")], {}
    for b in pw.BODIES:
        largest[b] = n = model.largest_n(b)
        units, where = model.hottest(n, b)
        table.append((b, f"{n:,}", where, f"{units:,.1f}"))
    limit = pw.PARTITION_WRITE_UNITS
    print(f"\nLargest N keeping every partition under {limit:,} write units a second:")
    print(pw.table_text(table))
    worst = min(largest.values())
    print(f"largest N: {worst:,} pings a second")
    if model.cap is not None and worst > MONITORS * model.cap:
        # Past every monitor's limit the rest are refused (one failed write each, at
        # most): what finally fills a partition is a flood that Herald answers 429.
        accepting = MONITORS * model.cap
        print(
            f"  (beyond {accepting:,.0f} every monitor is at its rate limit and the rest are"
            " refused; no partition fills before one monitor's refused pings do)"
        )
    print(f"target >= {TARGET_N:,}: {'met' if worst >= TARGET_N else 'missed'}")
    return largest


def summary(model: Model, largest: dict[str, int]) -> list[harness.Row]:
    bodies = list(pw.BODIES)
    rows = [
        harness.Row(
            f"largest N, {b} bodies (every partition < 1,000 units/s)",
            f"{n:,}",
            f">= {TARGET_N:,}",
            n >= TARGET_N,
        )
        for b, n in largest.items()
    ]
    rows += [
        harness.Row(
            f"largest N within the default {TABLE_QUOTA:,} units/s table quota, {b} bodies",
            f"{model.largest_within_quota(b):,}",
        )
        for b in bodies
    ]
    moving = model.largest_n(bodies[0], rounding=False)
    where = model.hottest(moving, bodies[0], rounding=False)[1]
    rows.append(
        harness.Row(
            f"largest N if every ping moved its index entry ({bodies[0]}; bound: {where})",
            f"{moving:,}",
        )
    )
    per_paused = model.parked_rate(TARGET_N)
    if per_paused:
        touched = "; ".join(describe(w) for w in model.m.parked().index.values() if w)
        rows.append(
            harness.Row(
                f"paused monitors, each pinged at N = {TARGET_N:,}'s rate, that their shared"
                f" index partition ({touched}) holds under 1,000 units/s",
                f"{int(pw.PARTITION_WRITE_UNITS / per_paused):,}",
            )
        )
    return rows


if __name__ == "__main__":
    main()
