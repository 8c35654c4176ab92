"""Shared ping keys: one key for a group of monitors, pinged by name.

Healthchecks gives each project one ping key, and `/ping/<key>/<slug>`
reaches any check of the project. Herald's shared key does the same for the
monitors whose `group_key` is its id. A monitor carries its group's key
digest, so a ping checks it in the same conditional write that checks the
monitor's own key (no extra read); only a refused ping reads the key record,
to tell "no such monitor" (and auto-create it on `?create=1`) from a wrong
key.

The key is shown once; its record (pk "PINGKEY#<id>") holds a keyed hash,
the id is the hash's first twelve digits, and the hash is compared in
constant time. `created` counts the monitors a key made, capped atomically.
"""

import hmac
import re
import secrets as random
from decimal import Decimal

from chalicelib.core import aws, clock, errors
from chalicelib.monitors import store

VALUE = re.compile(r"[A-Za-z0-9_-]{16,64}")
MAX_CAP = 10_000


def _key(key_id: str) -> dict:
    return {"pk": f"PINGKEY#{key_id}", "sk": "PINGKEY"}


def _public(record: dict) -> dict:
    return {
        "key_id": record["key_id"],
        "label": record.get("label", ""),
        "hint": record.get("hint", ""),
        "cap": int(record.get("cap", 0)),
        "created": int(record.get("created", 0)),
        "created_at": record.get("created_at"),
    }


def create(label: str = "", cap: int = 100, value: str | None = None) -> dict:
    """A new shared key (shown once in "key"), or the record of value if it exists.

    value: an existing key to adopt (a Healthchecks project's ping key).
    """
    if isinstance(cap, bool) or not isinstance(cap, int) or not 0 <= cap <= MAX_CAP:
        raise errors.Invalid(f"cap: must be a whole number from 0 to {MAX_CAP}")
    if not isinstance(label, str) or len(label) > 200:
        raise errors.Invalid("label: must be text of at most 200 characters")
    if value is not None and not (isinstance(value, str) and VALUE.fullmatch(value)):
        raise errors.Invalid("value: a ping key is 16-64 letters, digits, - or _")
    value = value or random.token_urlsafe(16)
    digest = store.key_digest(value)
    record = {
        **_key(digest[:12]),
        "gsi1pk": "PINGKEYS",
        "gsi1sk": digest[:12],
        "key_id": digest[:12],
        "digest": digest,
        "label": label,
        "hint": value[-4:],
        "cap": Decimal(cap),
        "created": Decimal(0),
        "created_at": clock.iso(clock.now()),
    }
    table = aws.table(store.TABLE)
    put = aws.conditional(
        table.put_item, Item=record, ConditionExpression="attribute_not_exists(pk)"
    )
    if put is None:
        return {**_public(find(value) or record), "key": value, "existed": True}
    return {**_public(record), "key": value, "existed": False}


def find(value: str) -> dict | None:
    """The record of a shared key given in a URL (None: not a shared key)."""
    if not VALUE.fullmatch(value or ""):
        return None
    digest = store.key_digest(value)
    record = aws.table(store.TABLE).get_item(Key=_key(digest[:12]), ConsistentRead=True)
    record = record.get("Item")
    if record and hmac.compare_digest(str(record["digest"]), digest):
        return record
    return None


def still_there(key_id: str) -> dict:
    """A transaction's ConditionCheck: the key was not revoked meanwhile, so a
    monitor cannot join a group after the revoke's sweep went past it."""
    return {"Key": _key(key_id), "ConditionExpression": "attribute_exists(pk)"}


def get(key_id: str) -> dict | None:
    return aws.table(store.TABLE).get_item(Key=_key(key_id), ConsistentRead=True).get("Item")


def list_keys() -> list[dict]:
    from boto3.dynamodb.conditions import Key

    condition = Key("gsi1pk").eq("PINGKEYS")
    items = aws.query_all(
        aws.table(store.TABLE), IndexName="gsi1", KeyConditionExpression=condition
    )
    return [_public(item) for item in items]


def claim_creation(record: dict) -> bool:
    """Count one more monitor made by the key, if it is under its cap (atomic)."""
    done = aws.conditional(
        aws.table(store.TABLE).update_item,
        Key=_key(record["key_id"]),
        UpdateExpression="SET created = created + :one",
        ConditionExpression="attribute_exists(pk) AND created < cap",
        ExpressionAttributeValues={":one": Decimal(1)},
    )
    return done is not None


def release_creation(record: dict) -> None:
    """Give back a count claim_creation took for a monitor that was not made."""
    aws.conditional(
        aws.table(store.TABLE).update_item,
        Key=_key(record["key_id"]),
        UpdateExpression="SET created = created - :one",
        ConditionExpression="attribute_exists(pk) AND created > :zero",
        ExpressionAttributeValues={":one": Decimal(1), ":zero": Decimal(0)},
    )


def revoke(key_id: str) -> bool:
    """Delete the key; its monitors stay, reachable by their own URLs only."""
    gone = aws.table(store.TABLE).delete_item(Key=_key(key_id), ReturnValues="ALL_OLD")
    if "Attributes" not in gone:
        return False
    for item in store.list_all():
        if item.get("group_key") == key_id:
            aws.conditional(
                aws.table(store.TABLE).update_item,
                Key={"pk": item["pk"], "sk": item["sk"]},
                UpdateExpression="REMOVE group_key, group_digest SET #rev = #rev + :one",
                ConditionExpression="group_key = :id",
                ExpressionAttributeNames={"#rev": "rev"},
                ExpressionAttributeValues={":id": key_id, ":one": Decimal(1)},
            )
    return True
