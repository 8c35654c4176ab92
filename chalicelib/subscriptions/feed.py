"""The client for the change feed an application offers (openapi/feed.yaml).

Herald POSTs a JSON query to the resource URL with a bearer token and reads
the records changed in a window [since, until). Every reply is checked
strictly; a timeout, an HTTP error, bad JSON or a record of the wrong shape
raises FeedError, which the caller records and retries next cycle. Nothing
here raises anything else for a misbehaving application.
"""

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime

from chalicelib.core import clock, outgoing, settings, ssrf
from chalicelib.subscriptions import tokens

PAGE_SIZE = 100
MAX_PAGES = 20
MAX_REPLY_BYTES = 5 * 1024 * 1024
USER_AGENT = "Herald-subscriptions/1"


class FeedError(Exception):
    """The feed did not answer as the contract says; kind names how."""

    def __init__(self, kind: str, message: str):
        super().__init__(f"{kind}: {message}")
        self.kind = kind


@dataclass
class Record:
    id: str
    created_on: datetime
    modified_on: datetime
    title: str
    link: str | None
    fields: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Changes:
    records: list[Record]
    truncated: bool = False
    requests: int = 0


def _timeout() -> float:
    return settings.number("SUBSCRIPTIONS_FEED_TIMEOUT", 10)


def _private_allowed() -> bool:
    # An application in the same VPC. Never link-local, never loopback outside
    # local mode: the guard in core/ssrf.py decides that, at connect time too.
    return os.environ.get("SUBSCRIPTIONS_ALLOW_PRIVATE_FEEDS") == "1"


def _post(url: str, body: dict, subscriber: str) -> dict:
    try:  # before a token is minted for it (the client checks again, and on connect)
        ssrf.check_url(url, private=_private_allowed(), plain_http=True)
        token = tokens.for_feed(url, subscriber=subscriber, now=clock.epoch())
    except (ssrf.Refused, ValueError) as error:
        raise FeedError("refused", str(error)) from None
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }
    try:
        reply = outgoing.request(
            "POST", url, json=body, headers=headers, timeout=_timeout(),
            max_bytes=MAX_REPLY_BYTES, private=_private_allowed(), plain_http=True,
        )  # fmt: skip
    except outgoing.Failure as failure:
        kind = {"no-reply": "timeout", "too-large": "size"}.get(failure.kind, failure.kind)
        if kind in ("unreachable", "redirects"):
            kind = "connection"
        raise FeedError(kind, str(failure)) from None
    if reply.status != 200:
        raise FeedError("http", f"status {reply.status}")
    try:
        parsed = json.loads(reply.body)
    except ValueError:
        raise FeedError("json", "reply is not JSON") from None
    if not isinstance(parsed, dict):
        raise FeedError("shape", "reply is not a JSON object")
    return parsed


def changed_since(url: str, since: str) -> bool:
    """Whether anything at url changed at or after since (one request, no records)."""
    reply = _post(url, {"since": since, "kinds": ["new", "upd"], "limit": 0}, "")
    if isinstance(reply.get("changed"), bool):
        return reply["changed"]
    newest = reply.get("newest_modified_on")
    if newest is None and "newest_modified_on" in reply:
        return False
    if isinstance(newest, str):
        return _time(newest, "newest_modified_on") >= _time(since, "since")
    raise FeedError("shape", "reply to limit=0 has neither `changed` nor `newest_modified_on`")


def fetch(
    url: str,
    *,
    since: str,
    until: str,
    kinds: list[str],
    filter: dict,
    subscriber: str,
) -> Changes:
    """The records changed in [since, until), following the cursor."""
    body = {
        "since": since,
        "until": until,
        "kinds": kinds,
        "filter": filter,
        "subscriber": subscriber,
        "limit": PAGE_SIZE,
    }
    start, end = _time(since, "since"), _time(until, "until")
    changes, seen_cursors = Changes(records=[]), set()
    while True:
        reply = _post(url, body, subscriber)
        changes.requests += 1
        records = reply.get("records")
        if not isinstance(records, list):
            raise FeedError("shape", "`records` is missing or not a list")
        for i, raw in enumerate(records):
            record = _record(raw, i)
            # A record outside the window belongs to another check.
            if start <= record.modified_on < end:
                changes.records.append(record)
        cursor = reply.get("next_cursor")
        if cursor is None:
            return changes
        if not isinstance(cursor, str) or not cursor or cursor in seen_cursors:
            raise FeedError("shape", "`next_cursor` is not a new non-empty string")
        if changes.requests >= MAX_PAGES:
            changes.truncated = True
            return changes
        seen_cursors.add(cursor)
        body = {**body, "cursor": cursor}


def _time(value, name: str) -> datetime:
    if not isinstance(value, str):
        raise FeedError("shape", f"{name} is not a date-time string")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise FeedError("shape", f"{name} is not an ISO 8601 date-time: {value[:40]!r}") from None
    if moment.tzinfo is None:
        raise FeedError("shape", f"{name} has no time zone: {value[:40]!r}")
    return moment.astimezone(UTC)


def _record(raw, index: int) -> Record:
    where = f"records[{index}]"
    if not isinstance(raw, dict):
        raise FeedError("shape", f"{where} is not an object")
    record_id = raw.get("id")
    if isinstance(record_id, int) and not isinstance(record_id, bool):
        record_id = str(record_id)
    if not isinstance(record_id, str) or not 0 < len(record_id) <= 200:
        raise FeedError("shape", f"{where}.id is not a string or number")
    title = raw.get("title")
    if not isinstance(title, str):
        raise FeedError("shape", f"{where}.title is not a string")
    link = raw.get("link")
    if link is not None and not (
        isinstance(link, str) and link.startswith(("http://", "https://"))
    ):
        raise FeedError("shape", f"{where}.link is not an http(s) URL")
    return Record(
        id=record_id,
        created_on=_time(raw.get("created_on"), f"{where}.created_on"),
        modified_on=_time(raw.get("modified_on"), f"{where}.modified_on"),
        title=title[:500],
        link=link,
        fields=_fields(raw.get("fields"), where),
    )


def _fields(raw, where: str) -> list[tuple[str, str]]:
    if raw is None:
        return []
    if not isinstance(raw, dict) or len(raw) > 100:
        raise FeedError("shape", f"{where}.fields is not an object of at most 100 fields")
    result = []
    for label, value in raw.items():
        if value is not None and not isinstance(value, str | int | float | bool):
            raise FeedError("shape", f"{where}.fields[{label[:40]!r}] is not a plain value")
        result.append((label[:200], "" if value is None else str(value)[:2000]))
    return result
