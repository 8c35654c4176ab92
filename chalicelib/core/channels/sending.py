"""Sending one notice to one channel, and the log of every attempt.

send() is the one way a notice reaches a channel's service: the kind renders
it, the one outgoing HTTP client (SSRF guard; loopback only in local mode)
or SNS carries it, and the attempt is logged under the channel (time,
outcome, answer code, duration) for LOG_DAYS through DynamoDB's TTL.
E-mail channels hand their mails to the outbox, which sends each id once:
their alerts come through here too (telling.py), so every attempt of every
kind is in the log.
"""

import os
import time
from dataclasses import dataclass
from decimal import Decimal

from chalicelib.core import aws, clock, outgoing
from chalicelib.core.observability import count, logger

_TABLE = "CORE_TABLE"
LOG_DAYS = 30
# Answers that say "this will never work": the channel is misconfigured or gone.
PERMANENT = {400, 401, 403, 404, 410}
# Telegram and Discord answer with the message itself (4 KB and more): a cap
# it could pass would fail a delivery the service took, and send it again.
REPLY_BYTES = 64 * 1024


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: str  # "sent", "queued" (e-mail: the outbox sends it), "failed", "refused"
    code: int | None = None
    answer: str = ""
    duration_ms: int = 0
    retry_after: float | None = None  # the service's Retry-After, for the next attempt


def send(record: dict, notice) -> Outcome:
    """Tell the channel's service about the notice; the attempt is logged."""
    from chalicelib.core.channels import store

    config = store.config_of(record)
    started = time.monotonic()
    if record["kind"] == "email":
        outcome = _mail(config, notice, record["id"])
    else:
        outcome = _request(record["kind"], config, notice)
    elapsed = int((time.monotonic() - started) * 1000)
    answer = _scrubbed(outcome.answer, record["kind"], config)[:300]
    outcome = Outcome(
        outcome.ok, outcome.status, outcome.code, answer, elapsed, outcome.retry_after
    )
    logger.info(
        "channel attempt",
        extra={"channel_kind": record["kind"], "status": outcome.status, "code": outcome.code},
    )
    try:
        log(record["id"], notice.id, outcome)
    except Exception:  # noqa: BLE001 - sent is sent: a lost log line must not send it again
        logger.exception("writing a channel's delivery log failed")
        count("ChannelLogNotWritten")
    return outcome


def _scrubbed(answer: str, kind: str, config: dict) -> str:
    """The answer without the channel's secrets: a connection error names the
    URL (a hook's path, a bot token), and the log is shown by the API."""
    from chalicelib.core.channels import config as channel_config

    for key, spec in channel_config.fields(kind).items():
        value = config.get(key)
        if spec.secret and isinstance(value, str) and len(value) >= 4:
            answer = answer.replace(value, "[secret]")
            answer = answer.replace(value.split("://", 1)[-1], "[secret]")
    return answer


def _mail(config: dict, notice, channel_id: str) -> Outcome:
    from chalicelib.core.channels import email

    # Tagged with the channel's id: its mails' ids differ from a monitor's own
    # recipients' (email.send), and stay what they were when telling.py sent them.
    email.send({"kind": "email", "recipients": config["recipients"]}, notice, tag=channel_id)
    return Outcome(True, "queued", answer=f"{len(config['recipients'])} mails on the outbox")


def _request(kind: str, config: dict, notice) -> Outcome:
    from chalicelib.core.channels import kinds

    module = kinds.kind(kind)
    if kind == "webhook":
        # Signed at send time: receivers refuse a webhook-timestamp minutes old.
        request = module.render(notice, config, at=clock.epoch())
    else:
        request = module.render(notice, config)
    if request.publish is not None:
        return _publish(request.publish, module.region(request.publish["TopicArn"]))
    try:
        reply = outgoing.request(
            request.method,
            request.url,
            json=request.json,
            data=request.data,
            headers=request.headers,
            timeout=10.0,
            max_bytes=REPLY_BYTES,
            plain_http=_local(),
        )
    except outgoing.Failure as failure:
        return Outcome(False, "failed", answer=str(failure))
    answer = reply.body.decode("utf-8", errors="replace")
    if 200 <= reply.status < 300:
        return Outcome(True, "sent", reply.status, answer)
    permanent = reply.status in PERMANENT
    later = outgoing.retry_after(reply.headers.get("retry-after"))
    return Outcome(False, "refused" if permanent else "failed", reply.status, answer, 0, later)


def _publish(publish: dict, region: str) -> Outcome:
    try:
        reply = aws.client("sns", region).publish(**publish)
    except Exception as error:  # noqa: BLE001 - the answer is the outcome, logged
        code = getattr(error, "response", {}).get("Error", {}).get("Code", type(error).__name__)
        permanent = code in ("NotFound", "AuthorizationError", "InvalidParameter")
        return Outcome(False, "refused" if permanent else "failed", None, str(code))
    return Outcome(True, "sent", 200, reply.get("MessageId", ""))


def _local() -> bool:
    from chalicelib.core import settings

    # Local stand-ins speak plain http on loopback; deployed, https only.
    return settings.local_mode()


# ---- the delivery log -------------------------------------------------------------


def log(channel_id: str, notice_id: str, outcome: Outcome) -> None:
    now = clock.epoch()
    entry = {
        "pk": f"CHANLOG#{channel_id}",
        "sk": f"{clock.iso(clock.from_epoch(now))}#{notice_id}",
        "notice": notice_id,
        "status": outcome.status,
        "answer": outcome.answer,
        "duration_ms": outcome.duration_ms,
        "expires_at": int(now) + _log_days() * 86400,
    }
    if outcome.code is not None:
        entry["code"] = outcome.code
    aws.table(_TABLE).put_item(Item=entry)


def deliveries(channel_id: str, limit: int = 100) -> list[dict]:
    """The newest attempts first, expired ones skipped."""
    from boto3.dynamodb.conditions import Key

    table = aws.table(_TABLE)
    condition = Key("pk").eq(f"CHANLOG#{channel_id}")
    # No filter in the Query, so Limit bounds each page's size, not only its items.
    found = aws.query_all(
        table, limit=limit, KeyConditionExpression=condition, ScanIndexForward=False, Limit=limit
    )
    now = clock.epoch()
    return [_shown(entry) for entry in found if int(entry.get("expires_at", now + 1)) > now]


def _shown(entry: dict) -> dict:
    shown = {
        "time": entry["sk"].split("#", 1)[0],
        "notice": entry["notice"],
        "status": entry["status"],
        "code": int(entry["code"]) if isinstance(entry.get("code"), Decimal) else None,
        "answer": entry.get("answer", ""),
        "duration_ms": int(entry.get("duration_ms", 0)),
    }
    return shown


def _log_days() -> int:
    return int(os.environ.get("CHANNEL_LOG_DAYS", LOG_DAYS))


def test(record: dict) -> Outcome:
    """`herald channels test`: a test notice, then, for a kind that opens an
    incident for it (CLOSES_TEST: PagerDuty, Opsgenie), its end, so that no
    test incident is left open for someone to close by hand."""
    import dataclasses

    from chalicelib.core.channels import kinds

    notice = test_notice(record)
    outcome = send(record, notice)
    closes = record["kind"] in kinds.NAMES and getattr(
        kinds.kind(record["kind"]), "CLOSES_TEST", False
    )
    if not (outcome.ok and closes):
        return outcome
    over = send(record, dataclasses.replace(notice, kind="test-over"))
    ended = "resolved" if over.ok else f"not resolved ({over.status} {over.code}: {over.answer})"
    return dataclasses.replace(outcome, answer=f"{outcome.answer}; test incident {ended}")


def test_notice(record: dict):
    """What `herald channels test` sends: a notice of its own kind, "test"."""
    import secrets as random

    from chalicelib.core import settings
    from chalicelib.core.channels.notice import Notice

    now = clock.iso(clock.now())
    return Notice(
        id=f"test-{record['id']}-{random.token_hex(4)}",
        kind="test",
        monitor="Herald",
        subject=f"Test message for channel {record['name']}",
        paragraphs=(
            f"This is a test of the {record['kind']} channel {record['name']!r}, sent at {now}.",
            "If you can read it, Herald's alerts will reach you here.",
        ),
        link=settings.public_url() or "https://herald.invalid",
        link_label="Herald",
        at=now,
    )
