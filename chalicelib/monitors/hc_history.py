"""Healthchecks' API v3 for a check's history, and the project-wide lists.

Pings: the newest PING_LIMIT entries of the monitor's log (its present
life), newest first, numbered by `n` as Herald numbers them (the monitor's
ping count at the time); a body is served as it was stored, as text/plain.
Flips come from chalicelib.monitors.flips, shown as Healthchecks records
them (hc_views.flips). Pings, bodies and channels need a read-write key, as
in Healthchecks; flips and badges take a read-only one too.
"""

import re

from chalicelib.core import aws, clock, errors, http, settings
from chalicelib.monitors import hc_api, hc_views, ping_bodies, store

PING_LIMIT = 100  # Healthchecks' default log limit
FLIP_BOUNDS = {"seconds": 31_536_000, "start": 10_000_000_000, "end": 10_000_000_000}


def pings(request, code: str) -> dict:
    hc_api.caller(request, {}, write=True)  # as in Healthchecks: pings need a read-write key
    item = hc_api.find(code)
    base = settings.public_url()
    body_url = f"{base}{hc_views.API}/{hc_views.monitor_uuid(item)}/pings"
    scheme = "http" if base.startswith("http:") else "https"
    return {
        "pings": [
            hc_views.ping(entry, body_url=body_url, scheme=scheme)
            for entry in recent_pings(item, PING_LIMIT)
        ]
    }


def ping_body(request, code: str, n: str):
    hc_api.caller(request, {}, write=True)
    item = hc_api.find(code)
    wanted = int(n) if re.fullmatch(r"[0-9]{1,12}", n) else None
    entry = next((e for e in recent_pings(item, PING_LIMIT) if int(e["seq"]) == wanted), None)
    if entry is None:
        raise errors.NotFound("ping not found")
    if not hc_views.has_body(entry):
        raise errors.NotFound("ping has no body")
    # Healthchecks sends the body as it came, as text/plain: http.reply() builds
    # the one kind of reply there is, and the body is put in as it is.
    reply = http.reply(200, None, {"Content-Type": "text/plain; charset=utf-8"})
    reply.body = ping_bodies.text(entry)
    return reply


def recent_pings(item: dict, limit: int) -> list[dict]:
    """The monitor's newest log entries (of its present life), newest first."""
    from boto3.dynamodb.conditions import Key

    now = clock.epoch()
    query = {
        "KeyConditionExpression": Key("pk").eq(store.log_pk(item["pk"].removeprefix("MON#"), item)),
        "ScanIndexForward": False,
    }
    found = []
    while len(found) < limit:
        page = aws.table(store.TABLE).query(**query, Limit=limit - len(found))
        found += [e for e in page["Items"] if int(e.get("expires_at", now + 1)) > now]
        if "LastEvaluatedKey" not in page:
            break
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return found[:limit]


def flips(request, code: str) -> dict:
    """Healthchecks answers {"flips": [...]} (its documentation shows a bare list)."""
    from chalicelib.monitors import flips as flip_log

    hc_api.caller(request, {}, write=False)
    item = hc_api.find(code, by_unique_key=True)
    bounds = _flip_bounds(request.query_params or {})
    start = bounds.get("start")
    if bounds.get("seconds") is not None:
        since = clock.epoch() - bounds["seconds"]
        start = since if start is None else max(start, since)
    entries = flip_log.entries(item)
    return {"flips": hc_views.flips(entries, start, bounds.get("end"))}


def _flip_bounds(params) -> dict:
    """seconds, start and end: whole numbers within Healthchecks' limits, else 400."""
    bounds = {}
    for field, highest in FLIP_BOUNDS.items():
        raw = params.get(field)
        if raw is None or raw == "":
            continue
        if not re.fullmatch(r"[0-9]{1,11}", raw):
            raise errors.Invalid.at(field, f"must be a whole number, got {raw[:40]!r}")
        if int(raw) > highest:
            raise errors.Invalid.at(field, f"out of bounds (at most {highest})")
        if int(raw):  # 0 filters nothing in Healthchecks
            bounds[field] = int(raw)
    return bounds


def channels(request) -> dict:
    """Herald's channels, and one e-mail "integration" per distinct set of recipients."""
    from chalicelib.core.channels import store as channel_store

    hc_api.caller(request, {}, write=True)
    return {"channels": hc_views.channels(store.list_all(), channel_store.list_all())}


def badges(request) -> dict:
    hc_api.caller(request, {}, write=False)
    return {"badges": {}}  # Herald serves no badges yet
