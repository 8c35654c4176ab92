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

from chalicelib import clock, feed_token

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


def _timeout() -> tuple[float, float]:
    seconds = float(os.environ.get("SUBSCRIPTIONS_FEED_TIMEOUT", "10"))
    return (min(seconds, 5.0), seconds)


def _private_allowed() -> bool:
    # An application in the same VPC, or this machine in local mode.
    return (
        os.environ.get("HERALD_LOCAL") == "1"
        or os.environ.get("SUBSCRIPTIONS_ALLOW_PRIVATE_FEEDS") == "1"
    )


def _allowed(url: str) -> None:
    """Refuse feeds inside Herald's own network (instance metadata, VPC hosts).

    Private addresses are allowed in local mode and with
    SUBSCRIPTIONS_ALLOW_PRIVATE_FEEDS=1; link-local ones (the instance
    metadata service) never are outside local mode.
    """
    import ipaddress
    import socket
    from urllib.parse import urlsplit

    if os.environ.get("HERALD_LOCAL") == "1":
        return
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise FeedError("connection", f"cannot resolve {parts.hostname}: {error}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if address.is_link_local or (not address.is_global and not _private_allowed()):
            raise FeedError("refused", f"{parts.hostname} is a private address ({address})")


def _session():
    """Plain requests where private feeds are allowed; else a session that
    checks the address each connection really reached (no DNS rebinding)."""
    import requests

    from chalicelib import ssrf

    return requests if _private_allowed() else ssrf.guarded_session()


def _post(url: str, body: dict, subscriber: str) -> dict:
    import requests

    from chalicelib import ssrf

    _allowed(url)
    token = feed_token.issue(
        feed_token.signing_key(), audience=url, subject=subscriber, now=clock.epoch()
    )
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }
    try:
        with _session().post(
            url, json=body, headers=headers, timeout=_timeout(), stream=True, allow_redirects=False
        ) as reply:
            if reply.status_code != 200:
                raise FeedError("http", f"status {reply.status_code}")
            data = reply.raw.read(MAX_REPLY_BYTES + 1, decode_content=True)
    except FeedError:
        raise
    except ssrf.Refused as error:
        raise FeedError("refused", str(error)) from None
    except Exception as error:  # noqa: BLE001 - requests and urllib3 both raise here
        if isinstance(error, requests.Timeout) or "timed out" in str(error).lower():
            raise FeedError("timeout", f"no answer from {url} in time") from None
        raise FeedError("connection", f"{type(error).__name__}: {error}"[:300]) from None
    if len(data) > MAX_REPLY_BYTES:
        raise FeedError("size", f"reply larger than {MAX_REPLY_BYTES} bytes")
    try:
        parsed = json.loads(data)
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
