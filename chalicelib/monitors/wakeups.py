"""Alerts within seconds: wake-ups on a delayed SQS queue, at each deadline.

The checker runs once a minute, so on its own an alert comes up to a minute
after the deadline. Each run therefore also reads, in the same Query per
shard, the monitors whose due_at falls within the next minute (AHEAD), and
hand_off() puts one message per monitor on the wake-up queue, delayed to
just after its due_at: the seconds until it, rounded up, plus one (the rule
is strict, "late" is after the deadline, and hosts' clocks differ a little).

handle() is the queue's handler. It reads the monitor (a consistent GetItem)
and runs the checker's own step, checker.process, only if the monitor is
still due: a ping that moved its due_at makes the wake-up do nothing. The
claim is the checker's conditional update on the monitor's revision and
mail ids are fixed by the notice, so a wake-up delivered twice, or racing
the backstop checker, sends one notice.

A wake-up that tells nobody but leaves the monitor due again before the end
of the minute the handing run covered (it turned late and its grace ends
within that minute; a cron monitor's first look after a ping) hands it to
one more wake-up; later times are the next run's. Everything here is best
effort: a message refused or lost, or a wake-up that fails, leaves the
monitor due, and the next checker run finds it as it always did.
"""

import json
import math
import re
from decimal import Decimal

from chalicelib.core import aws, clock, sqs
from chalicelib.core.observability import count, logger
from chalicelib.monitors import alert_rule, checker, due_index, intake, store

QUEUE = "wakeups"
AHEAD = due_index.AHEAD
_KEY = re.compile(r"MON#[0-9a-f]{32}")  # store.key(): nothing else is ever read


def delay(due_at: float, now: float) -> int:
    """DelaySeconds that wake a message sent at `now` strictly after due_at."""
    return min(sqs.MAX_DELAY, max(0, math.ceil(due_at - now)) + 1)


def hand_off(items: list[dict], now: float, until: float | None = None) -> int:
    """A delayed wake-up for each monitor due in (now, until]; returns how many are queued.

    until: the end of the minute the handing checker run covers (now + AHEAD).
    Never raises: what is not queued is left to the next checker run.
    """
    until = now + AHEAD if until is None else until
    soon = [item for item in items if _in_shard(item) and now < float(item["due_at"]) <= until]
    if not soon:
        return 0
    messages = [
        {"pk": i["pk"], "sk": i["sk"], "due_at": str(i["due_at"]), "until": f"{until:.6f}"}
        for i in soon
    ]
    try:
        sqs.send(QUEUE, messages, delays=[delay(float(i["due_at"]), now) for i in soon])
    except Exception as error:  # noqa: BLE001 - the next checker run is the backstop
        unsent = len(getattr(error, "unsent", soon))
        logger.warning("wake-ups not queued", extra={"unsent": unsent, "error": str(error)[:300]})
        count("MonitorWakeupsRefused", unsent)
        return len(soon) - unsent
    count("MonitorWakeupsQueued", len(soon))
    return len(soon)


def handle(event: dict, context=None) -> dict:
    """The wake-up queue's handler: the partial-batch reply."""
    return sqs.each_record(event, _wake, name="MonitorWakeup", context=context)


def _wake(record: dict) -> bool:
    wake = _parse(record.get("body"))
    if wake is None:
        # Retrying cannot mend it, and the checker still watches every monitor.
        logger.warning("malformed wake-up dropped", extra={"message_id": record.get("messageId")})
        count("MonitorWakeupsMalformed")
        return True
    key, until = wake
    now = clock.epoch()
    item = _read(key)
    if not _still_due(item, now):
        count("MonitorWakeupsIdle")  # pinged (or changed, deleted, paused) since the hand-off
        return True
    if checker.process(item, now) == 0:
        # Nobody told (it turned late, or only its exact time was set): due
        # again within the minute the handing run covers? Then wake it then.
        fresh = _read(key)
        hand_off([fresh] if fresh else [], clock.epoch(), until)
    intake.report(now)
    return True


def _parse(body) -> tuple[dict, float] | None:
    try:
        wake = json.loads(body)
        key = {"pk": wake["pk"], "sk": wake["sk"]}
        until, due_at = float(wake["until"]), float(wake["due_at"])
    except (TypeError, ValueError, KeyError):
        return None
    if not (isinstance(key["pk"], str) and _KEY.fullmatch(key["pk"]) and key["sk"] == "MON"):
        return None
    return (key, until) if math.isfinite(until) and math.isfinite(due_at) else None


def _read(key: dict) -> dict | None:
    return aws.table(store.TABLE).get_item(Key=key, ConsistentRead=True).get("Item")


def _in_shard(item: dict) -> bool:
    """In one of the checker's shards (not PARKED: paused, `monitor: false`)."""
    return str(item.get("due_pk", "")).startswith("DUE#") and item.get("due_at") is not None


def _still_due(item: dict | None, now: float) -> bool:
    return item is not None and _in_shard(item) and float(item["due_at"]) <= now


def took_early(item: dict, now: float) -> bool:
    """Whether a wake-up now waits for the exact deadline of a monitor looked at early.

    A success ping counts its due_at from the start of its minute (pings.py),
    so the index may bring a monitor up to a minute before its deadline: a
    wake-up at the exact time then costs less than moving the index entry
    (two writes) only for the next ping to move it again.
    """
    when, due_at = alert_rule.next_look({**item, "outgoing": None}, now), item.get("due_at")
    if due_at is None or when is None or not float(due_at) <= now < when:
        return False
    exact = {**item, "due_at": Decimal(f"{when:.6f}")}
    return when <= float(due_at) + due_index.STEP and hand_off([exact], now) == 1
