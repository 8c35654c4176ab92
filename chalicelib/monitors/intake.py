"""Herald watching its own intake: a missed ping its own outage may have lost is not an alert.

When Herald's ping path fails (pings answered 5xx, or Lambda throttling or
failing the functions that take pings), the pings sent meanwhile are lost, and
the checker would tell "down" of every monitor whose ping fell in that time:
a flood of alerts about jobs that ran fine. So before the first "down" of a
silence the checker asks CloudWatch whether the intake failed while that
ping was expected (from the expected ping to the deadline; from the last
ping for a max_sleep monitor, whose pings have no expected time). If it did,
the alert is held: the monitor stays late, its silence counts again from
the end of the intake's outage (`intake_base`), so it is down at its next
deadline if it stays silent. Held once per silence: a second miss is told
whatever the intake did, so a failing intake can delay an alert by one
period, never suppress it. The operator gets one mail per intake outage.

Signals, 1-minute sums: Herald's own `PingErrors` (a ping answered 5xx,
counted by the middleware) and AWS/Lambda Throttles and Errors of the two
functions that take pings. CloudWatch is asked only when a monitor is about
to be told down, once per run for the span all of them need.

Race, named: CloudWatch publishes a minute's figures a minute or two late,
so an intake failure in the last minute or two before a deadline may not be
seen yet, and that monitor is alerted as before.

On in Lambda unless INTAKE_WATCH=off; off elsewhere (local mode has no
CloudWatch figures) unless INTAKE_WATCH=on.
"""

import os
from datetime import timedelta
from decimal import Decimal

from chalicelib.core import aws, clock, settings
from chalicelib.core.observability import count, logger
from chalicelib.monitors import policy

MINUTE = 60
PING_FUNCTIONS = ("ping_door", "api_handler")
LAMBDA_SIGNALS = ("Throttles", "Errors")
# CloudWatch keeps 1-minute figures for 15 days.
LOOKBACK = 14 * 86400


def enabled() -> bool:
    switch = os.environ.get("INTAKE_WATCH", "")
    return switch == "on" or (settings.in_lambda() and switch != "off")


def _queries() -> list[dict]:
    """The signals, as GetMetricData queries (ids q0, q1, ...)."""
    herald = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Herald")
    metrics = [(herald, "PingErrors", "service", "herald")]
    for handler in PING_FUNCTIONS:
        function = f"herald-{settings.stage()}-{handler}"
        metrics += [("AWS/Lambda", name, "FunctionName", function) for name in LAMBDA_SIGNALS]
    return [
        {
            "Id": f"q{number}",
            "MetricStat": {
                "Metric": {
                    "Namespace": namespace,
                    "MetricName": name,
                    "Dimensions": [{"Name": dimension, "Value": value}],
                },
                "Period": MINUTE,
                "Stat": "Sum",
            },
        }
        for number, (namespace, name, dimension, value) in enumerate(metrics)
    ]


class Watch:
    """One run's view of the intake: the failing minutes since `since`."""

    def __init__(self, now: float):
        self.now, self.since, self.minutes, self.held = now, now, {}, []

    def failures(self, start: float, end: float) -> dict[float, float]:
        """{minute start: failed requests} of the minutes that overlap [start, end]."""
        if start < self.since:
            self._read(start)
        return {at: n for at, n in self.minutes.items() if at + MINUTE > start and at <= end}

    def _read(self, start: float) -> None:
        self.since, start = start, max(start - start % MINUTE, self.now - LOOKBACK)
        found: dict[float, float] = {}
        pages = (
            aws.client("cloudwatch")
            .get_paginator("get_metric_data")
            .paginate(
                MetricDataQueries=_queries(),
                StartTime=clock.from_epoch(start),
                EndTime=clock.from_epoch(self.now) + timedelta(minutes=1),
            )
        )
        for page in pages:
            for result in page["MetricDataResults"]:
                for at, value in zip(result["Timestamps"], result["Values"], strict=True):
                    if value > 0:
                        minute = at.timestamp() - at.timestamp() % MINUTE
                        found[minute] = found.get(minute, 0) + value
        self.minutes = found


_watch: Watch | None = None


def watch(now: float) -> Watch:
    """The run's watch (a new run, a new `now`, reads CloudWatch afresh)."""
    global _watch
    if _watch is None or _watch.now != now:
        _watch = Watch(now)
    return _watch


def explains(item: dict, now: float) -> bool:
    """Whether the intake failed while the ping this first silence misses was expected."""
    return _outage(item, now) is not None


def _outage(item: dict, now: float) -> tuple[float, float] | None:
    """(first failing minute, end of the outage) in the missed ping's span."""
    if not enabled() or item.get("status") == "down" or policy.intake_held_until(item) is not None:
        return None
    since = float(policy.base(item, float(item["last_ping"]), now))
    expected, deadline = policy.deadlines(item, since)
    seen = watch(now)
    try:
        failing = seen.failures(expected if expected < deadline else since, deadline)
    except Exception:  # noqa: BLE001 - CloudWatch's trouble must not hold back an alert
        logger.exception("intake watch could not read CloudWatch")
        return None
    if not failing:
        return None
    # The outage goes on as long as minutes keep failing, up to now.
    end = max(failing) + MINUTE
    while end in seen.minutes and end <= now:
        end += MINUTE
    return min(failing), min(end, now)


def hold(item: dict, now: float) -> dict:
    """What holding writes: the silence counts again from the outage's end."""
    start, end = _outage(item, now)
    watch(now).held.append((item["name"], start, end))
    count("MonitorAlertsHeldForIntake")
    logger.warning(
        "missed ping not alerted: Herald's intake failed when it was expected",
        extra={"monitor": item["name"], "intake_failed_from": clock.iso(clock.from_epoch(start))},
    )
    return {"intake_base": Decimal(f"{end:.6f}")}


def report(now: float) -> None:
    """The run's end: one mail to the operator per intake outage, naming the
    monitors this run held (the figures are read afresh by the next run)."""
    global _watch
    seen, _watch = _watch, None
    if seen is None or seen.now != now or not seen.held:
        return
    from chalicelib.core import outbox

    held = seen.held
    start, end = min(h[1] for h in held), max(h[2] for h in held)
    failed = sum(n for at, n in seen.minutes.items() if start <= at < end)
    names = ", ".join(sorted({h[0] for h in held}))
    outbox.tell_operator(
        subject=f"Herald's ping intake failed at {_hhmm(start)} UTC: alerts held",
        text=(
            f"Herald's ping intake failed between {clock.iso(clock.from_epoch(start))} and "
            f"{clock.iso(clock.from_epoch(end))}: {int(failed)} requests to the ping "
            "functions answered 5xx, throttled or failed (CloudWatch).\n\n"
            f"Pings sent then may have been lost, so these monitors were not alerted: "
            f"{names}.\nEach is alerted at its next deadline if it stays silent.\n"
        ),
        kind="monitors.intake_held",
        id=f"intake-held-{int(start)}",
    )


def _hhmm(epoch: float) -> str:
    return clock.from_epoch(epoch).strftime("%Y-%m-%d %H:%M")
