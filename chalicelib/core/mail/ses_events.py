"""What SES tells us back: bounces, complaints, deliveries, rejections.

SES publishes each event of the configuration set (infra/resources.yaml) to
an SNS topic, which puts it on the mail-events queue in SNS's envelope
({"Type": "Notification", "MessageId", "Message": "<the SES event>"}); the
event's shape is AWS's "Contents of event data that Amazon SES publishes to
Amazon SNS" (docs/mail.md). Each envelope is handled once, claimed under
its SNS MessageId: a permanent bounce or a complaint suppresses each
recipient, TRANSIENT_LIMIT transient bounces in a row do, a delivery ends
the streak. A message that is not such an event is logged and dropped.
"""

import json
import re

from chalicelib.core import idempotency, sqs
from chalicelib.core.mail import suppressions
from chalicelib.core.observability import count, logger

DONE_TTL = 14 * 86400  # SQS keeps a message 4 days at most: a copy comes within that
KINDS = ("Bounce", "Complaint", "Delivery", "Reject")
# bounceSubType in words, for the list's reason when no diagnosticCode says more.
SUBTYPES = {
    "NoEmail": "mailbox does not exist",
    "Suppressed": "on SES's suppression list",
    "OnAccountSuppressionList": "on the account's SES suppression list",
    "MailboxFull": "mailbox full",
    "MessageTooLarge": "message too large",
    "ContentRejected": "content rejected",
    "AttachmentRejected": "attachment rejected",
}


def handle(event: dict, context=None) -> dict:
    return sqs.each_record(event, _record, name="MailEvents", context=context)


def parse(body) -> tuple[str, dict]:
    """(SNS MessageId, the SES event); ValueError for anything else."""
    envelope = json.loads(body)
    if not isinstance(envelope, dict) or envelope.get("Type") != "Notification":
        raise ValueError("not an SNS notification")
    message_id = envelope.get("MessageId")
    if not isinstance(message_id, str) or not 0 < len(message_id) <= 100:
        raise ValueError("no MessageId")
    notice = json.loads(envelope.get("Message") or "null")
    if not isinstance(notice, dict) or not isinstance(notice.get("mail"), dict):
        raise ValueError("not an SES event")
    # eventType with event publishing; notificationType for an identity's notifications.
    kind = notice.get("eventType") or notice.get("notificationType")
    if kind not in KINDS:
        raise ValueError(f"not a {', '.join(KINDS)} event")
    return message_id, notice


def _record(record: dict) -> bool:
    try:
        event_id, notice = parse(record.get("body"))
    except (ValueError, TypeError) as error:
        # Nothing could ever make it readable: dropped, not retried.
        logger.error("mail event dropped", extra={"error": str(error)[:200]})
        count("MailEventDropped")
        return True
    claim = f"mail-event:{event_id}"
    if not idempotency.claim(claim, ttl=DONE_TTL, **sqs.claimant(record)):
        if idempotency.is_done(claim):
            return True  # a copy of an event already recorded
        sqs.retry_later("mail-events", record, idempotency.LEASE + 5)
        return False
    try:
        apply(event_id, notice)
    except Exception:
        idempotency.release(claim)
        raise  # each_record logs it; SQS hands it out again, then dead-letters it
    idempotency.complete(claim)
    return True


def mail_id(mail: dict) -> str:
    """Herald's id of the mail: from the Message-ID it was sent with (outbox.
    message_id), read from the original headers SES reports; SES's own id if
    the headers are not there."""
    found = (mail.get("commonHeaders") or {}).get("messageId")
    for header in mail.get("headers") or []:
        if isinstance(header, dict) and str(header.get("name", "")).lower() == "message-id":
            found = header.get("value")
    match = re.fullmatch(r"\s*<?([^@<>\s]+)@[^<>\s]*>?\s*", str(found or ""))
    return match.group(1) if match else str(mail.get("messageId") or "unknown")


def apply(event_id: str, notice: dict) -> None:
    kind = notice.get("eventType") or notice.get("notificationType")
    herald_id = mail_id(notice["mail"])
    recipients = _recipients(kind, notice)
    logger.info(
        f"mail.{kind.lower()}",
        extra={"mail_id": herald_id, "recipients": recipients, "event_id": event_id},
    )
    count(f"Mail{kind}")
    for address in recipients:
        if kind == "Bounce":
            _bounced(address, notice.get("bounce") or {}, herald_id, event_id)
        elif kind == "Complaint":
            _suppress(address, "complaint", "complaint", herald_id, event_id)
        elif kind == "Delivery":
            suppressions.delivered(address)
        # Reject: SES refused the content (a virus), not the address: logged only.


def _recipients(kind: str, notice: dict) -> list[str]:
    if kind == "Bounce":
        listed = [r.get("emailAddress") for r in _list(notice.get("bounce"), "bouncedRecipients")]
    elif kind == "Complaint":
        complaint = notice.get("complaint")
        listed = [r.get("emailAddress") for r in _list(complaint, "complainedRecipients")]
    elif kind == "Delivery":
        listed = (notice.get("delivery") or {}).get("recipients") or []
    else:
        listed = notice["mail"].get("destination") or []
    return [suppressions.normalised(a) for a in listed if isinstance(a, str) and "@" in a]


def _list(section, name: str) -> list[dict]:
    items = (section or {}).get(name) if isinstance(section, dict) else None
    return [item for item in items or [] if isinstance(item, dict)]


def _bounced(address: str, bounce: dict, herald_id: str, event_id: str) -> None:
    why = _reason(address, bounce)
    if bounce.get("bounceType") == "Permanent":
        _suppress(address, why, "bounce", herald_id, event_id)
        return
    # Transient (or Undetermined): a full mailbox may empty; a streak does not.
    streak = suppressions.transient_bounce(address, event_id)
    if streak >= suppressions.TRANSIENT_LIMIT:
        reason = f"{streak} transient bounces in a row (last: {why})"
        _suppress(address, reason, "transient-bounce", herald_id, event_id)


def _reason(address: str, bounce: dict) -> str:
    subtype = str(bounce.get("bounceSubType") or "General")
    words = SUBTYPES.get(subtype, f"{bounce.get('bounceType', 'unknown')} bounce ({subtype})")
    for recipient in _list(bounce, "bouncedRecipients"):
        code = recipient.get("diagnosticCode")
        if suppressions.normalised(str(recipient.get("emailAddress"))) == address and code:
            return f"{words}: {str(code)[:200]}"
    return words


def _suppress(address: str, reason: str, kind: str, herald_id: str, event_id: str) -> None:
    if suppressions.suppress(
        address, reason=reason, kind=kind, mail_id=herald_id, event_id=event_id
    ):
        suppressions.tell_operator(address, reason, event_id)
