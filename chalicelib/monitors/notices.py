"""What a monitor has to say: disconnection, failure, recovery, flapping, channel-neutral.

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
from datetime import date
from decimal import Decimal

from chalicelib.core import clock
from chalicelib.core.channels.notice import Notice
from chalicelib.monitors import links


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

    subject, paragraphs = _compose(item, notice)
    children = sorted(item.get("dependents") or ())
    if children and notice["kind"] != "up":
        paragraphs.append(
            f"Depending on it: {', '.join(children[:20])}{' ...' if len(children) > 20 else ''}. "
            "While it is down they are marked blocked and send no alerts of their own."
        )
    if notice.get("held_since") is not None and not notice.get("summary"):
        paragraphs.append(
            f"Held during quiet hours since {_when(notice['held_since'])}: nobody was told then."
        )
    return subject, paragraphs


def _compose(item: dict, notice: dict) -> tuple[str, list[str]]:
    if notice.get("flapping") or notice["kind"] == "steady":
        return _flapping(item, notice)
    name, kind = item["name"], notice["kind"]
    at = float(notice["at"])
    if kind == "down":
        last_ping = float(notice["last_ping"])
        paragraphs = [
            f"No ping from {name} since {_when(last_ping)}, "
            f"{duration(at - last_ping)} before this check.",
            _expectation(item, last_ping) + _reminders(item, notice),
        ]
        if notice.get("reminder"):
            paragraphs.append(_reminder(item, notice, at))
        return f"{name} disconnection detected", paragraphs
    if kind == "fail":
        streak, at_first = int(notice.get("streak", 1)), _when(notice["fail_at"])
        first = f"{name} sent a failure ping at {at_first}."
        if int(item.get("failure_threshold") or 1) > 1:
            first = f"{name} sent {streak} failure pings in a row, the first at {at_first}."
        return f"{name} reported a failure", [first, _until_recovered(item)]
    if kind == "long":
        started = float(notice["started"])
        return f"{name} has been running for {duration(at - started)}", [
            f"{name} started at {_when(started)} and has not finished: its max_runtime is "
            f"{duration(float(item['max_runtime']))}.",
            _until_recovered(item),
        ]
    if notice.get("summary"):
        return _summary(item, notice)
    last_ping, outage_start = float(notice["last_ping"]), float(notice["outage_start"])
    # An outage a failure ping opened starts at that ping: nothing was silent.
    failed = notice.get("first_fail_at") is not None
    failed = failed and float(notice["first_fail_at"]) == outage_start
    since = duration(last_ping - outage_start)
    paragraphs = [
        f"{name} succeeded again at {_when(last_ping)}, {since} after its first failure "
        f"({_when(outage_start)})."
        if failed
        else f"{name} pinged again at {_when(last_ping)} after {since} "
        f"of silence (last ping before the outage: {_when(outage_start)}).",
    ]
    down_since = notice.get("down_since")
    if down_since is not None:
        missed = "" if failed else f"; {_missed(item, outage_start, last_ping)}"
        paragraphs.append(
            f"The outage lasted {duration(last_ping - float(down_since))} (down since "
            f"{_when(down_since)}){missed}."
        )
    return f"{name} is back up", paragraphs


def _flapping(item: dict, notice: dict) -> tuple[str, list[str]]:
    """The notice that starts a flapping episode (flapping.py), and the one that ends it."""
    name, at = item["name"], float(notice["at"])
    if notice["kind"] != "steady":
        now = "up" if notice["kind"] == "up" else "down"
        return f"{name} is flapping", [
            f"{name} changed state {int(notice['changes'])} times within "
            f"{duration(float(notice['window']))}; it is {now} now ({_when(at)}).",
            "No more alerts until it stays steady; one message will say when it has.",
        ]
    since, state = float(notice["since"]), notice["state"]
    return f"{name} stopped flapping: {state}", [
        f"{name} has been steady since its last change. While flapping (from {_when(since)}, "
        f"{duration(at - since)}) it changed state {int(notice['changes'])} times.",
        f"It is {state} now." + ("" if state == "up" else " " + _until_recovered(item)),
    ]


def _until_recovered(item: dict) -> str:
    needed = int(item.get("recovery_threshold") or 1)
    if needed == 1:
        return "You will be told when it reports success again."
    return f"You will be told when it reports success {needed} times in a row."


def _reminder(item: dict, notice: dict, at: float) -> str:
    down = item.get("down_since")
    since = f" (down since {_when(down)}, {duration(at - float(down))})" if down else ""
    limit = item.get("realert_limit")
    of = f" of at most {int(limit)}" if limit is not None else ""
    return f"This is reminder {int(notice['reminder'])}{of}{since}."


def _summary(item: dict, notice: dict) -> tuple[str, list[str]]:
    """A recovery within quiet hours, of an outage nobody was told about."""
    name, last_ping = item["name"], float(notice["last_ping"])
    down = notice.get("down_since") or notice.get("held_since") or notice["outage_start"]
    return f"{name} was down during quiet hours and is back up", [
        f"{name} went down at {_when(down)}, during quiet hours, and pinged again at "
        f"{_when(last_ping)}: it was down for {duration(last_ping - float(down))}.",
        "Nobody was told while it was down; this is the summary.",
    ]


MISSED_LIMIT = 1000  # counting cron matches one by one: bounded, on a ping's path


def _missed(item: dict, outage_start: float, back: float) -> str:
    """The expected pings whose grace ran out before the recovering ping came."""
    from chalicelib.monitors import schedule

    grace = float(item.get("grace") or 0)
    count = schedule.expected_between(item, outage_start, back - grace, MISSED_LIMIT)
    if count >= MISSED_LIMIT:
        return f"at least {MISSED_LIMIT:,} expected pings were missed"
    return f"{count} expected {'ping was' if count == 1 else 'pings were'} missed"


def _expectation(item: dict, last_ping: float) -> str:
    from chalicelib.monitors import schedule

    if schedule.kind(item) == "max_sleep":
        max_sleep = int(float(item["max_sleep"]))
        return f"max_sleep is {max_sleep} s ({duration(max_sleep)})."
    expected = schedule.late_at(item, last_ping)
    misses = int(item.get("failure_threshold") or 1)
    missed = f" ({misses} expected pings missed in a row)" if misses > 1 else ""
    return (
        f"A ping was expected by {_when(expected)} ({schedule.describe(item)}), "
        f"and its grace of {duration(float(item['grace']))} has passed{missed}."
    )


def _reminders(item: dict, notice: dict) -> str:
    every, limit = item.get("email_frequency"), item.get("realert_limit")
    if every is None:
        return ""
    if limit is not None and int(notice.get("reminder", 0)) >= int(limit):
        return " No more reminders will come; you will be told when it pings again."
    return f" You will be reminded every {duration(float(every))} while it stays silent."


def notice_id(monitor_id: str, notice: dict) -> str:
    """A notice's stable name: whoever sends it (ping or checker, once or twice)."""
    kind = notice["kind"]
    if notice.get("flapping"):
        tag = f"flapping-{int(notice['seq'])}"
    elif kind == "steady":
        tag = f"steady-{_micros(notice['since'])}"
    elif kind == "fail":
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


def _dated(notice: dict):
    """The time whose day of pings the notice links to."""
    if notice["kind"] == "up":
        return notice["outage_start"]
    if notice["kind"] == "long":
        return notice["started"]
    return notice["last_ping"]


def build(item: dict, notice: dict, monitor_id: str) -> Notice:
    """The Notice for a notice state as the checker or a ping recorded it."""
    subject, paragraphs = compose(item, notice)
    day = _day(_dated(notice))
    return Notice(
        id=notice_id(incarnation(item, monitor_id), notice),
        kind=_kind(notice),
        monitor=item["name"],
        subject=subject,
        paragraphs=tuple(paragraphs),
        link=links.link(item["name"], day),
        link_label=f"Pings on {day.isoformat()}",
        at=clock.iso(clock.from_epoch(float(notice["at"]))),
        details=_details(item, notice),
    )


def _kind(notice: dict) -> str:
    """What channels see: "flapping", or a steady monitor's state (so PagerDuty
    resolves the episode's incident, or keeps it open)."""
    if notice.get("flapping"):
        return "flapping"
    return notice["state"] if notice["kind"] == "steady" else notice["kind"]


def _details(item: dict, notice: dict) -> tuple[tuple[str, str], ...]:
    """A failure's exit status and the first lines of its body, as fields."""
    if notice["kind"] != "fail":
        return ()
    details = []
    if item.get("last_exit") is not None:
        details.append(("Exit status", str(int(item["last_exit"]))))
    if item.get("fail_excerpt"):
        details.append(("Body", str(item["fail_excerpt"])))
    return tuple(details)
