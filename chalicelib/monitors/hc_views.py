"""Herald's monitors, pings and flips as Healthchecks' API v3 shows them.

A read-write key sees a check's UUID, its ping URL and its API URLs; a
read-only key sees none of them but a `unique_key` instead: a keyed hash of
the monitor's identity (stable across calls and across rotated ping URLs),
which names the check in GET /api/v3/checks/<unique_key> and its flips.

Names: a check created through this API is a monitor named by its slug, its
free-text name kept as the monitor's `title`; a monitor made elsewhere shows
its title or else its name, and its name as slug when it is slug-shaped.
Times are Healthchecks' ISO 8601 with "+00:00"; statuses are Healthchecks'
(Herald's "late" is its "grace"), worked out as of `now`, since the checker
writes them only once a minute.
"""

import re
import uuid
from datetime import UTC, datetime

from chalicelib.core import auth, clock, values
from chalicelib.monitors import store

SLUG_SHAPED = re.compile(r"[a-z0-9_-]+")
API = "/api/v3/checks"
FLIP_STATUSES = {"up", "down", "new", "paused"}  # "late" is Healthchecks' grace: no flip
PING_TYPES = {"ignored": "ign"}  # a GET on a POST-only check


def when(epoch, *, micro: bool = False) -> str | None:
    """Healthchecks' time format: seconds (or microseconds) and "+00:00"."""
    if epoch is None:
        return None
    moment = datetime.fromtimestamp(float(epoch), UTC)
    return (moment if micro else moment.replace(microsecond=0)).isoformat()


def monitor_uuid(item: dict) -> str:
    return store.uuid_for(item["name"], store.generation(item))


def unique_key(item: dict) -> str:
    # 40 hex digits, like Healthchecks' (clients may check the shape).
    return auth.digest(f"hc-unique-key:{item['pk']}")[:40]


def name(item: dict) -> str:
    return item.get("title") or item["name"]


def slug(item: dict) -> str:
    return item["name"] if SLUG_SHAPED.fullmatch(item["name"]) else ""


def tags(item: dict) -> str:
    return " ".join(item.get("tags") or [])


def status(item: dict, now: float) -> str:
    """new, up, grace, down or paused, as of now (the checker writes "down" up
    to a minute after the deadline; Healthchecks shows it at once)."""
    from chalicelib.monitors import alert_rule, schedule

    shown = store.status(item, now)
    if shown == "off":
        return "paused"  # Healthchecks' word for a check that alerts nobody
    if shown != "late":
        return shown
    since = alert_rule.silence_from(item, now)
    return "down" if since is not None and now > schedule.down_at(item, since) else "grace"


def next_ping(item: dict) -> str | None:
    """When the next ping is expected: only for a check that is up (or in grace)."""
    from chalicelib.monitors import alert_rule, schedule

    since = alert_rule.silence_from(item, clock.epoch())
    if item.get("paused") or item.get("status") not in ("up", "late") or since is None:
        return None
    return when(schedule.late_at(item, since))


def timing(item: dict) -> dict:
    """timeout (simple checks) or schedule and tz (cron checks); Herald's own
    max_sleep monitors show as simple checks with no grace."""
    kind = item.get("schedule_kind") or "max_sleep"
    if kind == "cron":
        return {"schedule": item["schedule"], "tz": item.get("tz", "UTC")}
    if kind == "simple":
        return {"timeout": values.plain(item["timeout"])}
    return {"timeout": values.plain(item["max_sleep"])}


def grace(item: dict) -> int | float:
    if (item.get("schedule_kind") or "max_sleep") == "max_sleep":
        return 0
    return values.plain(item.get("grace", 3600))


def check(item: dict, *, read_only: bool, base: str, now: float, ping_base: str = "") -> dict:
    """One check, with Healthchecks' fields in Healthchecks' order; its ping URL
    on ping_base (the ping door's) when given, its API URLs on base."""
    success = ",".join(item.get("success_keywords") or [])
    failure = ",".join(item.get("failure_keywords") or [])
    last_ping = item.get("last_ping")
    started = item.get("last_start") is not None and (
        last_ping is None or float(item["last_start"]) > float(last_ping)
    )
    result = {
        "name": name(item),
        "slug": slug(item),
        "tags": tags(item),
        "desc": item.get("desc", ""),
        "grace": grace(item),
        "n_pings": int(item.get("pings", 0)),
        "status": status(item, now),
        "started": started,
        "last_ping": when(last_ping),
        "next_ping": next_ping(item),
        "manual_resume": bool(item.get("manual_resume", False)),
        "methods": item.get("methods", ""),
        "subject": "",
        "subject_fail": "",
        "start_kw": "",
        "success_kw": success,
        "failure_kw": failure,
        "filter_subject": False,
        "filter_body": False,
        "filter_http_body": bool(success or failure),
        "filter_default_fail": False,
        "badge_url": None,  # Herald serves no badges
    }
    if read_only:
        result["unique_key"] = unique_key(item)
    else:
        code = monitor_uuid(item)
        result.update(
            uuid=code,
            ping_url=f"{ping_base or base}/ping/{code}",
            update_url=f"{base}{API}/{code}",
            pause_url=f"{base}{API}/{code}/pause",
            resume_url=f"{base}{API}/{code}/resume",
            channels=",".join(check_channels(item)),
        )
    result.update(timing(item))
    return result


# ---- channels: Herald's channels, and each distinct set of e-mail recipients ---------

# Healthchecks' names for the kinds Herald shares with it.
HC_KINDS = {"teams": "msteamsw", "pagerduty": "pd"}


def channel_id(recipients: list[str]) -> str | None:
    """A stable UUID for a set of addresses (a keyed hash: it reveals none of them)."""
    if not recipients:
        return None
    digest = auth.digest("hc-channel:" + "\n".join(sorted(set(recipients))))
    return str(uuid.UUID(hex=digest[:32]))


def herald_channel_id(channel_id_: str) -> str:
    """A Herald channel's id as the UUID Healthchecks' clients expect."""
    return str(uuid.UUID(hex=auth.digest("hc-channel-id:" + channel_id_)[:32]))


def check_channels(item: dict) -> list[str]:
    """The check's integrations: its recipients' set, then the channels it names."""
    implicit = channel_id(item.get("recipients") or [])
    named = [herald_channel_id(i) for i in item.get("channels") or []]
    return ([implicit] if implicit else []) + named


def channels(items: list[dict], records: list[dict]) -> list[dict]:
    sets = {tuple(sorted(set(i.get("recipients") or []))) for i in items}
    listed = [
        {"id": channel_id(list(addresses)), "name": ", ".join(addresses), "kind": "email"}
        for addresses in sorted(sets)
        if addresses
    ]
    listed += [
        {
            "id": herald_channel_id(record["id"]),
            "name": record["name"],
            "kind": HC_KINDS.get(record["kind"], record["kind"]),
        }
        for record in records
    ]
    return listed


# ---- pings and flips ---------------------------------------------------------------


def ping(entry: dict, *, body_url: str, scheme: str) -> dict:
    result = {
        "type": PING_TYPES.get(entry["kind"], entry["kind"]),
        "date": when(entry["t"], micro=True),
        "n": int(entry["seq"]),
        "scheme": scheme,
        "remote_addr": entry.get("source_ip", ""),
        "method": entry.get("method", ""),
        "ua": entry.get("user_agent", ""),
        "rid": entry.get("rid"),
        "body_url": f"{body_url}/{int(entry['seq'])}/body" if has_body(entry) else None,
    }
    if entry.get("duration") is not None:
        result["duration"] = round(float(entry["duration"]), 2)
    return result


def has_body(entry: dict) -> bool:
    return bool(entry.get("body") or entry.get("body_z")) or int(entry.get("body_bytes", 0)) > 0


def flips(entries: list[dict], start=None, end=None) -> list[dict]:
    """Flips newest first, with start <= time < end, as Healthchecks records
    them: Herald's "late" is no change of state there (it is grace), so it is
    left out, and so is the "up" that follows it; a creation is no flip either."""
    shown, previous = [], None
    for entry in entries:
        status = entry["status"]
        if status not in FLIP_STATUSES or status == previous or entry.get("reason") == "created":
            continue
        previous = status
        t = float(entry["t"])
        if (start is None or t >= start) and (end is None or t < end):
            shown.append({"timestamp": when(t), "up": 1 if status == "up" else 0})
    return shown[::-1]
