"""Herald's suppression list: the addresses it no longer mails, and why.

One item per address in the core table (pk SUPPRESSED#<address>, listed by
gsi1 SUPPRESSIONS), put there by SES's events (ses_events.py): a permanent
bounce or a complaint at once, TRANSIENT_LIMIT transient bounces in a row
(counted on a TRANSIENT#<address> item a delivery deletes). The outbox asks
is_suppressed() before every send: one GetItem. An operator lifts an entry
(DELETE /suppressions/{address}, `herald mail lift`).
"""

import hashlib
import os
from email.utils import parseaddr

from chalicelib.core import aws, clock
from chalicelib.core.observability import count, logger

_TABLE = "CORE_TABLE"
TRANSIENT_LIMIT = 3
TRANSIENT_TTL = 30 * 86400  # a streak older than this starts again


def normalised(address: str) -> str:
    """The bare address, lower-cased: "Ops <OPS@x.org>" and "ops@x.org" are one."""
    return (parseaddr(address)[1] or address).strip().lower()


def _key(address: str) -> dict:
    return {"pk": f"SUPPRESSED#{normalised(address)}", "sk": "SUPPRESSED"}


def _streak_key(address: str) -> dict:
    return {"pk": f"TRANSIENT#{normalised(address)}", "sk": "TRANSIENT"}


def is_suppressed(address: str) -> dict | None:
    """The address's entry, or None when Herald may mail it."""
    return aws.table(_TABLE).get_item(Key=_key(address)).get("Item")


def suppressed(addresses: list[str]) -> dict[str, dict]:
    """The entries of those addresses that are suppressed, by normalised address."""
    keys = list({normalised(a): _key(a) for a in addresses}.values())
    found = aws.batch_get(aws.table(_TABLE), keys) if keys else []
    return {item["address"]: item for item in found}


def warnings(entries: dict[str, dict], what: str) -> list[str]:
    """One line per entry of suppressed(), as a monitor, channel or subscriber
    shows it: "alerts to ops@x are suppressed since T: mailbox does not exist"."""
    return [
        f"{what} to {address} are suppressed since {entry['since']}: {entry['reason']}"
        for address, entry in sorted(entries.items())
    ]


def all_entries() -> list[dict]:
    from boto3.dynamodb.conditions import Key

    return aws.query_all(
        aws.table(_TABLE), IndexName="gsi1", KeyConditionExpression=Key("gsi1pk").eq("SUPPRESSIONS")
    )


def public(item: dict) -> dict:
    return {name: item.get(name) for name in ("address", "reason", "kind", "since", "mail_id")}


def suppress(address: str, *, reason: str, kind: str, mail_id: str, event_id: str) -> bool:
    """Put the address on the list; True when this event put it there (now,
    or on an earlier try of the same event), so its notice is due once."""
    address = normalised(address)
    item = {
        **_key(address),
        "gsi1pk": "SUPPRESSIONS",
        "gsi1sk": address,
        "address": address,
        "reason": reason[:300],
        "kind": kind,
        "since": clock.iso(clock.now()),
        "mail_id": mail_id,
        "event_id": event_id,
    }
    table = aws.table(_TABLE)
    put = aws.conditional(table.put_item, Item=item, ConditionExpression="attribute_not_exists(pk)")
    if put is None:
        # Already there: ours if an earlier try of this very event put it.
        earlier = table.get_item(Key=_key(address), ConsistentRead=True).get("Item") or {}
        return earlier.get("event_id") == event_id
    logger.info("address suppressed", extra={"address": address, "kind": kind, "mail_id": mail_id})
    count("AddressSuppressed")
    return True


def lift(address: str) -> dict | None:
    """Take the address off the list (and forget its streak); its entry, or None."""
    table = aws.table(_TABLE)
    old = table.delete_item(Key=_key(address), ReturnValues="ALL_OLD").get("Attributes")
    table.delete_item(Key=_streak_key(address))
    if old:
        logger.info("suppression lifted", extra={"address": normalised(address)})
    return old


def transient_bounce(address: str, event_id: str) -> int:
    """Count one more transient bounce in a row; the streak's length. The same
    event counted twice (a retry after a crash) counts once."""
    now = int(clock.epoch())
    reply = aws.conditional(
        aws.table(_TABLE).update_item,
        Key=_streak_key(address),
        UpdateExpression="ADD bounces :one SET last_event = :event, expires_at = :expires",
        ConditionExpression="attribute_not_exists(last_event) OR last_event <> :event",
        ExpressionAttributeValues={":one": 1, ":event": event_id, ":expires": now + TRANSIENT_TTL},
        ReturnValues="ALL_NEW",
    )
    if reply is None:
        item = aws.table(_TABLE).get_item(Key=_streak_key(address), ConsistentRead=True)
        return int(item.get("Item", {}).get("bounces", 0))
    return int(reply["Attributes"]["bounces"])


def delivered(address: str) -> None:
    """A delivery ends a streak of transient bounces."""
    aws.table(_TABLE).delete_item(Key=_streak_key(address))


def tell_operator(address: str, reason: str, event_id: str) -> None:
    """One mail to OPERATOR_EMAIL per suppression (its id is the event's, so a
    retried event enqueues the same mail, which the outbox sends once)."""
    from chalicelib.core import outbox

    operator = os.environ.get("OPERATOR_EMAIL")
    if not operator or normalised(operator) == normalised(address):
        return  # none configured, or the notice could not reach its own address
    digest = hashlib.sha256(f"{normalised(address)}|{event_id}".encode()).hexdigest()[:32]
    outbox.tell_operator(
        subject=f"Herald no longer mails {normalised(address)}",
        text=(
            f"Herald put {normalised(address)} on its suppression list: {reason}.\n\n"
            "Mail to it is skipped from now on. Once the address works again, lift it:\n"
            f"  herald mail lift {normalised(address)}\n"
        ),
        kind="mail.suppressed.notice",
        id=f"suppressed-{digest}",
    )
