"""What a monitor has to say: disconnection, failure, recovery, channel-neutral.

A Notice is words (subject, paragraphs, a link to the day's pings) and a
stable id, fixed by what happened, never by who noticed: the ping that was
news and the checker (its backstop, or a run retried after a crash) build
the same id, so each channel delivers it once. A silence alert is named by
its notice number; a failure by the time of the failing ping and a recovery
by the start of the outage it ends, which the ping knows as well as the
checker. How a notice looks in a mail or a chat message is each channel's
business (chalicelib/monitors/channels/).
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from chalicelib.core import clock
from chalicelib.monitors import links


@dataclass(frozen=True)
class Notice:
    id: str
    kind: str  # down, fail, up
    monitor: str
    subject: str
    paragraphs: tuple[str, ...]
    link: str
    link_label: str


def duration(seconds: float) -> str:
    seconds = int(round(seconds))
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            parts.append(f"{seconds // size} {unit}")
            seconds %= size
    if seconds or not parts:
        parts.append(f"{seconds} s")
    return " ".join(parts)


def _when(epoch) -> str:
    return clock.from_epoch(float(epoch)).strftime("%Y-%m-%d %H:%M:%S UTC")


def _day(epoch) -> date:
    return clock.from_epoch(float(epoch)).date()


def compose(item: dict, notice: dict) -> tuple[str, list[str]]:
    """(subject, paragraphs) for a notice (from the checker or from a ping)."""
    name, kind = item["name"], notice["kind"]
    at = float(notice["at"])
    last_ping = float(notice["last_ping"])
    max_sleep = int(float(item["max_sleep"]))
    if kind == "down":
        return f"{name} disconnection detected", [
            f"No ping from {name} since {_when(last_ping)}, "
            f"{duration(at - last_ping)} before this check.",
            f"max_sleep is {max_sleep} s ({duration(max_sleep)}). You will be reminded "
            f"every {duration(float(item['email_frequency']))} while it stays silent.",
        ]
    if kind == "fail":
        return f"{name} reported a failure", [
            f"{name} sent a failure ping at {_when(notice['fail_at'])}.",
            "You will be told when it reports success again.",
        ]
    silent = last_ping - float(notice["outage_start"])
    return f"{name} is back up", [
        f"{name} pinged again at {_when(last_ping)} after {duration(silent)} of silence "
        f"(last ping before the outage: {_when(notice['outage_start'])}).",
    ]


def notice_id(monitor_id: str, notice: dict) -> str:
    """A notice's stable name: whoever sends it (ping or checker, once or twice)."""
    kind = notice["kind"]
    if kind == "fail":
        tag = f"fail-{_micros(notice['fail_at'])}"
    elif kind == "up":
        tag = f"up-{_micros(notice['outage_start'])}"
    else:
        tag = str(int(notice["seq"]))
    return f"mon-{monitor_id}-{tag}"


def incarnation(item: dict, monitor_id: str) -> str:
    """The monitor's id plus when it was created.

    The id alone comes from the name, so a monitor deleted and created again
    would reuse its old notices' ids, and the outbox would take its first
    alerts for mail already sent.
    """
    created = re.sub(r"\D", "", str(item.get("created_at", "")))
    return f"{monitor_id}.{created}" if created else monitor_id


def _micros(epoch) -> int:
    return int(Decimal(str(epoch)).quantize(Decimal("0.000001")) * 1_000_000)


def build(item: dict, notice: dict, monitor_id: str) -> Notice:
    """The Notice for a notice state as the checker or a ping recorded it."""
    subject, paragraphs = compose(item, notice)
    day = _day(notice["last_ping"] if notice["kind"] != "up" else notice["outage_start"])
    return Notice(
        id=notice_id(incarnation(item, monitor_id), notice),
        kind=notice["kind"],
        monitor=item["name"],
        subject=subject,
        paragraphs=tuple(paragraphs),
        link=links.link(item["name"], day),
        link_label=f"Pings on {day.isoformat()}",
    )
