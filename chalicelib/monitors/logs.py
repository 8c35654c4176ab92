"""Reading the ping log: GET /logs (the original's form) and a monitor's full entries.

Log entries live under pk "LOG#<monitor id>[.<life>]" with sk = ISO time, so one UTC
day is one Query on a key prefix. DynamoDB's TTL removes old entries within
a day or two of expiry; reads skip the expired ones it has not removed yet.
"""

import re
from datetime import date

from chalicelib.core import auth, aws, clock, errors
from chalicelib.monitors import links, ping_bodies, store


def entries(item: dict, day: date) -> list[dict]:
    """The monitor's log entries of one UTC day (of its present life only)."""
    from boto3.dynamodb.conditions import Key

    now = clock.epoch()
    log_pk = store.log_pk(item["pk"].removeprefix("MON#"), item)
    condition = Key("pk").eq(log_pk) & Key("sk").begins_with(day.isoformat())
    items = aws.query_all(aws.table(store.TABLE), KeyConditionExpression=condition)
    return [item for item in items if int(item.get("expires_at", now + 1)) > now]


def public(entry: dict) -> dict:
    result = {
        "time": clock.iso(clock.from_epoch(float(entry["t"]))),
        "seq": int(entry["seq"]),
        "kind": entry["kind"],
        "method": entry.get("method"),
        "source_ip": entry.get("source_ip"),
        "user_agent": entry.get("user_agent"),
        "body": ping_bodies.text(entry),
        "body_bytes": int(entry.get("body_bytes", 0)),
    }
    if "exit_status" in entry:
        result["exit_status"] = int(entry["exit_status"])
    if "duration" in entry:
        result["duration"] = float(entry["duration"])
    if "rid" in entry:
        result["rid"] = entry["rid"]
    return result


def parse_day(year: str | None, month: str | None, day: str | None) -> date:
    """A UTC day from the original's parameters: year of 2 or 4 digits."""
    for field, value in (("year", year), ("month", month), ("day", day)):
        if value is None or value == "":
            raise errors.Invalid(f"missing query parameter {field}")
    if not re.fullmatch(r"[0-9]{2}|[0-9]{4}", year):
        raise errors.Invalid.at("year", f"must have 2 or 4 digits, got {year!r}")
    for field, value in (("month", month), ("day", day)):
        if not re.fullmatch(r"[0-9]{1,2}", value):
            raise errors.Invalid(f"{field} must be a number of 1 or 2 digits, got {value!r}")
    full_year = int(year) + 2000 if len(year) == 2 else int(year)
    try:
        return date(full_year, int(month), int(day))
    except ValueError as error:
        raise errors.Invalid(f"no such date: {error}") from None


def parse_iso_day(value: str | None) -> date:
    if value is None:
        return clock.now().date()
    match = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", value)
    if not match:
        raise errors.Invalid.at("date", f"must be YYYY-MM-DD, got {value!r}")
    return parse_day(*match.groups())


def _allowed(request, name: str, day: date, item: dict | None) -> bool:
    """Whether the request may read name's logs: asked before telling whether name
    has a monitor, so that nobody without a credential can tell names apart."""
    params = request.query_params or {}
    if links.verify(name, day, params.get("expires"), params.get("sig")):
        return True
    given = params.get("key") or request.headers.get("x-ping-key")
    if given:
        return store.holds_key(item, given) if item else store.is_ping_key(name, given)
    if request.headers.get("x-api-key"):
        auth.require(request)
        return True
    return False


def handle_logs(request) -> list[str]:
    """GET /logs?username&year&month&day: that day's ping times, oldest first."""
    params = request.query_params or {}
    name = params.get("username")
    if not name:
        raise errors.Invalid("missing query parameter username")
    day = parse_day(params.get("year"), params.get("month"), params.get("day"))
    item = store.get(name, consistent=False)
    if not _allowed(request, name, day, item):
        raise errors.Forbidden(
            "reading logs needs the monitor's ping key (key=...), an API key (X-Api-Key) "
            "or a valid signed link"
        )
    if item is None:
        raise errors.NotFound(f"no monitor named {name!r}")
    return [clock.from_epoch(float(e["t"])).strftime("%H:%M:%S") for e in entries(item, day)]
