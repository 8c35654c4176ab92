"""Pings: the three URL forms, each answered with two DynamoDB writes at most.

1. one conditional UpdateItem on the monitor: it checks the monitor exists
   and the key (in the condition, so a wrong key changes nothing), records
   the ping, and puts the monitor back in the "due" index at the time it
   could next alert, all computed by DynamoDB from the stored settings;
2. one PutItem of the log entry, which expires through TTL.

A fail that opens an outage, or the first success after an alerted one, is
news: the update records it (the monitor is due now) and returns the monitor
as it was, from which the ping builds the mail and puts it on the outbox (SQS)
at once. The checker, a minute later at most, claims the same notice and
enqueues the same mail ids, which the outbox sends once: a ping that dies
before its enqueue loses nothing, and one that enqueued sends no second mail.
Nothing heavy is imported here: this is the hottest path Herald has.
"""

import os
import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import unquote

from chalice import Response

from chalicelib.core import aws, clock, errors, http
from chalicelib.core.observability import count, logger
from chalicelib.monitors import alert_rule, store

BODY_LIMIT = 10_000
SUFFIXES = {"start", "fail", "log"}
HEADERS = {"Access-Control-Allow-Origin": "*", "Ping-Body-Limit": str(BODY_LIMIT)}


def kind_of(suffix: str | None) -> tuple[str, int | None]:
    """(kind, exit status) for a URL suffix: start, fail, log or 0-255."""
    if suffix is None or suffix == "":
        return "success", None
    if suffix in SUFFIXES:
        return suffix, None
    if re.fullmatch(r"[0-9]{1,9}", suffix):
        status = int(suffix)
        if status > 255:
            raise errors.Invalid(f"exit status {status} is out of range (0-255)")
        return ("success" if status == 0 else "fail"), status
    raise errors.Invalid(f"unknown ping suffix {suffix!r}: use start, fail, log or 0-255")


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


# ---- the update ------------------------------------------------------------------


def _update(kind: str, now: Decimal) -> tuple[str, dict]:
    """The UpdateExpression and its values for one kind of ping."""
    values = {":t": now, ":zero": Decimal(0), ":one": Decimal(1)}
    parts = ["pings = if_not_exists(pings, :zero) + :one", "last_ping_kind = :kind"]
    removes = []
    values[":kind"] = kind
    if kind == "start":
        parts.append("last_start = :t")
    elif kind in ("success", "fail"):
        parts += ["last_ping = :t", "rev = if_not_exists(rev, :zero) + :one"]
        # The shard is a hash of the name; a UUID ping leaves it as stored.
        parts.append("due_pk = if_not_exists(parked, shard_pk)")
        removes.append("last_start")
        if kind == "success":
            values[":up"] = "up"
            parts.append("#st = :up")
            # During an outage recover_base + max_sleep is in the past: due now,
            # so the checker sends the recovery mail; else due when it could alert.
            parts.append("due_at = if_not_exists(recover_base, :t) + max_sleep")
        else:
            values[":down"] = "down"
            parts += [
                "#st = :down",
                "due_at = :t",
                "fail_news_at = if_not_exists(outage_start, :t)",
                "outage_start = if_not_exists(outage_start, :t)",
                "recover_base = :t - max_sleep",
            ]
    if kind == "log":
        del values[":t"]
    expression = "SET " + ", ".join(parts)
    if removes:
        expression += " REMOVE " + ", ".join(removes)
    return expression, values


def record(
    *,
    name: str | None = None,
    monitor_uuid: str | None = None,
    given_key: str | None = None,
    kind: str,
    exit_status: int | None,
    meta: dict,
    body: bytes,
) -> float:
    """Record a ping; returns its time. Raises errors.Forbidden or errors.NotFound."""
    now = clock.epoch()
    stamp = Decimal(f"{now:.6f}")
    monitor_id = store.id_for_uuid(monitor_uuid) if monitor_uuid else store.id_for(name)
    expression, values = _update(kind, stamp)
    condition = _condition(monitor_uuid, given_key, values)
    table = aws.table(store.TABLE)
    names = {"ExpressionAttributeNames": {"#st": "status"}} if "#st" in expression else {}
    try:
        old = table.update_item(
            Key=store.key(monitor_id),
            UpdateExpression=expression,
            ConditionExpression=condition,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_OLD",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
            **names,
        )["Attributes"]
    except Exception as error:
        if not aws.rejected(error):
            raise
        raise _refusal(error, name, given_key) from None
    table.put_item(Item=_log_entry(monitor_id, now, stamp, old, kind, exit_status, meta, body))
    _tell_news(monitor_id, kind, old, stamp)
    return now


def _condition(monitor_uuid: str | None, given_key: str | None, values: dict) -> str:
    """The monitor exists and, on the name forms, the key is right (or not required)."""
    if monitor_uuid is not None:
        return "attribute_exists(pk)"  # the UUID is the credential
    if given_key:
        values[":kd"] = store.key_digest(given_key)
        return "attribute_exists(pk) AND key_digest = :kd"
    values[":false"] = False
    return "attribute_exists(pk) AND require_key = :false"


def _refusal(error: Exception, name: str | None, given_key: str | None) -> errors.HeraldError:
    """Why the condition failed. On the name forms the key comes first: it is
    derived from the name, so only whoever holds a name's key learns whether
    that name has a monitor (else 403 would tell names apart from 404s)."""
    if name is not None and not given_key:
        return errors.Forbidden("missing ping key: pass key=KEY or the X-Ping-Key header")
    if name is not None and not store.is_ping_key(name, given_key):
        return errors.Forbidden("wrong ping key for this monitor")
    if not error.response.get("Item"):
        return errors.NotFound("no such monitor")
    return errors.Forbidden("wrong ping key for this monitor")


def _tell_news(monitor_id: str, kind: str, old: dict, stamp: Decimal) -> None:
    """Hand a ping's news to the monitor's channels; the checker is the backstop."""
    notice = alert_rule.ping_news(kind, old, stamp)
    if notice is None:
        return
    from chalicelib.monitors import channels, notices

    try:
        channels.deliver(old, notices.build(old, notice, monitor_id))
    except Exception:  # noqa: BLE001 - recorded already: the checker mails it within a minute
        logger.exception("mailing ping news failed", extra={"monitor": old.get("name")})
        count("MonitorPingNewsDeferred")
        return
    count(f"MonitorPingNews{notice['kind'].capitalize()}")


def _log_entry(monitor_id, now, stamp, old, kind, exit_status, meta, body) -> dict:
    seq = int(old.get("pings", 0)) + 1
    entry = {
        "pk": f"LOG#{monitor_id}",
        "sk": f"{clock.iso(clock.from_epoch(now))}#{seq:010d}",
        "t": stamp,
        "seq": seq,
        "kind": kind,
        "method": meta.get("method", ""),
        "source_ip": meta.get("source_ip", ""),
        "user_agent": (meta.get("user_agent") or "")[:500],
        "body": body[:BODY_LIMIT].decode("utf-8", errors="replace"),
        "body_bytes": len(body),
        "expires_at": int(now) + retention_days() * 86400,
    }
    if exit_status is not None:
        entry["exit_status"] = exit_status
    if kind in ("success", "fail") and old.get("last_start") is not None:
        entry["duration"] = stamp - old["last_start"]
    return entry


def retention_days() -> int:
    return int(os.environ.get("PING_LOG_RETENTION_DAYS", "90"))


# ---- HTTP ------------------------------------------------------------------------


def _meta(request) -> dict:
    identity = (request.context or {}).get("identity", {}) or {}
    return {
        "method": request.method,
        "source_ip": identity.get("sourceIp", ""),
        "user_agent": request.headers.get("user-agent", ""),
    }


def _body(request) -> bytes:
    if request.method != "POST":
        return b""
    return (request.raw_body or b"")[: BODY_LIMIT + 1]


def _reply(text: str, method: str) -> Response:
    return Response(
        body="" if method == "HEAD" else text,
        status_code=200,
        headers={**HEADERS, "Content-Type": "text/plain; charset=utf-8"},
    )


def handle_original(request) -> Response:
    """/ping?username=NAME&key=KEY (key also as X-Ping-Key): the original's form."""
    try:
        params = request.query_params or {}
        name = params.get("username")
        if not name:
            raise errors.Invalid("missing query parameter username")
        given = params.get("key") or request.headers.get("x-ping-key")
        when = record(
            name=name,
            given_key=given,
            kind="success",
            exit_status=None,
            meta=_meta(request),
            body=_body(request),
        )
    except errors.HeraldError as error:
        return http.error_reply(error, HEADERS)
    return _reply(datetime.fromtimestamp(when, UTC).strftime("%y/%m/%d %H:%M:%S"), request.method)


def handle_path(request, parts: list[str]) -> Response:
    """/ping/UUID[/suffix] and /ping/KEY/NAME[/suffix]: Healthchecks' forms."""
    try:
        if is_uuid(parts[0]) and len(parts) <= 2:
            kind, status = kind_of(parts[1] if len(parts) == 2 else None)
            target = {"monitor_uuid": parts[0].lower()}
        elif len(parts) in (2, 3):
            kind, status = kind_of(parts[2] if len(parts) == 3 else None)
            target = {"name": unquote(parts[1]), "given_key": parts[0]}
        else:
            raise errors.Invalid("malformed ping URL: use /ping/UUID or /ping/KEY/NAME")
        record(**target, kind=kind, exit_status=status, meta=_meta(request), body=_body(request))
    except errors.HeraldError as error:
        return http.error_reply(error, HEADERS)
    return _reply("OK", request.method)
