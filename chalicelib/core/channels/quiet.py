"""A channel's own quiet hours, and critical channels.

A channel may have `quiet_hours` (windows as monitors take them: weekly,
cron or one-off, in a time zone). A monitor's notice (down, failure, run too
long, back up, flapping) told to it inside one is held, not dropped: it goes
to the channel's slot for that monitor (pk CHANNEL#<id>, sk HELD#<monitor>,
keeping the first and the latest notice held), and a release message waits
on the queue until the window's end. There the slot becomes one message:
the latest alert, saying since when it was held; or, when the monitor was
back up by then and the channel had been told nothing of the outage, one
summary ("was down during quiet hours and is back up"; `quiet_summary:
false`: nothing); or the recovery of an outage the channel was told before.
Tests and subscription news are never held.

A `critical` channel ignores quiet hours: its own cannot be set, and a
monitor's quiet hours do not hold what it is told (chalicelib/monitors/
live.py tells it at once).

At least once: the slot is written before the release is queued, and
deleted (if unchanged) only after its message is handed on under an id fixed
by the latest notice, so a repeated release delivers it once. A notice held
after the release read the slot stays, with a release of its own.
"""

from dataclasses import asdict, replace

from chalicelib.core import aws, clock, errors, sqs

FIELDS = ("critical", "quiet_hours", "quiet_summary")
HELD_KINDS = ("down", "fail", "long", "up", "flapping")
ALERTS = ("down", "fail", "long", "flapping")
_TABLE = "CORE_TABLE"


def check(changes: dict, record: dict | None = None) -> dict:
    """The channel's critical, quiet_hours and quiet_summary, checked; defaults as None."""
    from chalicelib.core import windows

    sets = {}
    for flag in ("critical", "quiet_summary"):
        if flag in changes and not isinstance(changes[flag], bool):
            raise errors.Invalid.at(flag, "must be true or false")
    if "critical" in changes:
        sets["critical"] = changes["critical"] or None
    if "quiet_summary" in changes:
        sets["quiet_summary"] = None if changes["quiet_summary"] else False
    if "quiet_hours" in changes:
        sets["quiet_hours"] = windows.check(changes["quiet_hours"], "quiet_hours")
    after = {**(record or {}), **sets}
    if after.get("critical") and after.get("quiet_hours"):
        raise errors.Invalid.at("quiet_hours", "a critical channel ignores quiet hours: drop one")
    return sets


def shown(record: dict) -> dict:
    from chalicelib.core import values

    return {
        "critical": bool(record.get("critical")),
        "quiet_hours": values.plain(record.get("quiet_hours") or []),
        "quiet_summary": record.get("quiet_summary") is not False,
    }


def held_until(record: dict, notice, now: float) -> float | None:
    """The end of the channel's quiet window when it must hold `notice`."""
    if notice.kind not in HELD_KINDS or record.get("critical") or not record.get("quiet_hours"):
        return None
    from chalicelib.core import windows

    window = windows.active(record["quiet_hours"], now)
    return None if window is None else window[1]


def _slot(channel_id: str, monitor: str) -> dict:
    return {"pk": f"CHANNEL#{channel_id}", "sk": f"HELD#{monitor}"}


def hold(record: dict, notice, until: float) -> None:
    """Keep the notice in the channel's slot; queue its release at `until`."""
    data = asdict(notice)
    aws.conditional(
        aws.table(_TABLE).update_item,
        Key=_slot(record["id"], notice.monitor),
        UpdateExpression="SET #first = if_not_exists(#first, :n), #last = :n",
        # Out of order (a retried notice): the later one stays the latest.
        ConditionExpression="attribute_not_exists(#last) OR #last.#at <= :at",
        ExpressionAttributeNames={"#first": "first", "#last": "last", "#at": "at"},
        ExpressionAttributeValues={":n": data, ":at": notice.at},
    )
    message = {
        "herald": "channel-delivery",
        "release": notice.monitor,
        "channel_id": record["id"],
        "delivery_id": f"release:{record['id']}:{notice.id}",
        "attempt": 1,
        "first_at": clock.epoch(),
        "not_before": until,
    }
    sqs.send("hooks", [message])


def release(message: dict) -> None:
    """At the window's end: the slot as one message (or none), then the slot gone."""
    from chalicelib.core.channels import delivery, store, telling

    record = store.get(message["channel_id"])
    key = _slot(message["channel_id"], message["release"])
    slot = aws.table(_TABLE).get_item(Key=key, ConsistentRead=True).get("Item")
    if slot is None:
        return  # released already
    if record is None:  # the channel was deleted: nothing to tell, nothing to keep
        aws.table(_TABLE).delete_item(Key=key)
        return
    until = held_until(record, delivery.notice_of(slot["last"]), clock.epoch())
    if until is not None:  # a window again (back to back, or moved): later
        sqs.send("hooks", [{**message, "not_before": until}])
        return
    told = _collapsed(record, slot)
    if told is not None:
        telling.hand(record, told)
    aws.conditional(
        aws.table(_TABLE).delete_item,
        Key=key,
        ConditionExpression="#last.id = :id",
        ExpressionAttributeNames={"#last": "last"},
        ExpressionAttributeValues={":id": slot["last"]["id"]},
    )


def _collapsed(record: dict, slot: dict):
    """What a slot becomes: the latest alert, a summary, a recovery, or None."""
    from chalicelib.core.channels import delivery

    first, last = delivery.notice_of(slot["first"]), delivery.notice_of(slot["last"])
    held = f"Held during quiet hours since {_when(first.at)}: nothing was sent then."
    if last.kind in ALERTS:
        return replace(last, paragraphs=(*last.paragraphs, held))
    if first.kind == "up":
        return last  # the outage was told before the window: its end, now
    if record.get("quiet_summary") is False:
        return None
    return replace(
        last,
        subject=f"{last.monitor} was down during quiet hours and is back up",
        paragraphs=(
            f"{last.monitor} went down at {_when(first.at)}, during this channel's quiet "
            f"hours, and was back up at {_when(last.at)}.",
            "Nothing was sent while it was down; this is the summary.",
        ),
        details=(),
    )


def _when(iso: str) -> str:
    from datetime import datetime

    moment = datetime.fromisoformat(iso) if iso else clock.now()
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
