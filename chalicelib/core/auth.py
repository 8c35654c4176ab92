"""API keys for the management API (sent as X-Api-Key).

A key is shown once, when created; the table keeps only an HMAC of it under
the deployment's secret key (SSM /herald/<stage>/secret-key), so a copy of
the table does not hand out working keys. Keys are compared in constant time.
A key looks like hk_<id>_<secret>: the id finds the record with one GetItem.
"""

import hashlib
import hmac
import re
import secrets as random

from chalicelib.core import aws, clock, errors
from chalicelib.core import secrets as config_secrets

PREFIX = "hk_"
KEY_ID = re.compile(r"[0-9a-f]{12}")
MAX_KEY = 100
_TABLE = "CORE_TABLE"


def digest(value: str) -> str:
    """Keyed hash of a secret value, for storing and comparing secrets."""
    key = config_secrets.get("secret-key").encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def create(*, read_only: bool = False, label: str = "") -> dict:
    key_id = random.token_hex(6)
    key = f"{PREFIX}{key_id}_{random.token_urlsafe(32)}"
    record = {
        "pk": f"APIKEY#{key_id}",
        "sk": "APIKEY",
        "gsi1pk": "APIKEYS",
        "gsi1sk": key_id,
        "key_id": key_id,
        "digest": digest(key),
        "read_only": read_only,
        "label": label,
        "created_at": clock.iso(clock.now()),
    }
    aws.table(_TABLE).put_item(Item=record)
    return {"key": key, "key_id": key_id, "read_only": read_only, "label": label}


def list_keys() -> list[dict]:
    from boto3.dynamodb.conditions import Key

    items = aws.table(_TABLE).query(
        IndexName="gsi1", KeyConditionExpression=Key("gsi1pk").eq("APIKEYS")
    )["Items"]
    return [{k: item[k] for k in ("key_id", "read_only", "label", "created_at")} for item in items]


def revoke(key_id: str) -> bool:
    result = aws.table(_TABLE).delete_item(
        Key={"pk": f"APIKEY#{key_id}", "sk": "APIKEY"}, ReturnValues="ALL_OLD"
    )
    return "Attributes" in result


def lookup(key: str | None) -> dict | None:
    """The key's record when key is valid, else None."""
    if not key or len(key) > MAX_KEY or not key.startswith(PREFIX) or key.count("_") < 2:
        return None
    key_id = key[len(PREFIX) :].split("_", 1)[0]
    # Ids are 12 hex digits: anything else names no key, and an oversized one
    # would reach DynamoDB as a key it refuses (a 500, not a 401).
    if not KEY_ID.fullmatch(key_id):
        return None
    item = aws.table(_TABLE).get_item(Key={"pk": f"APIKEY#{key_id}", "sk": "APIKEY"}).get("Item")
    stored = item["digest"] if item else "0" * 64
    # Compare even when no record exists, so timing does not reveal ids.
    if hmac.compare_digest(stored, digest(key)) and item:
        return item
    return None


def require(request, *, write: bool = False) -> dict:
    """The caller's key record, or a 401/403 that says what is missing."""
    header = request.headers.get("x-api-key")
    if not header:
        raise errors.Unauthorized("missing X-Api-Key header")
    record = lookup(header)
    if record is None:
        raise errors.Unauthorized("invalid API key")
    if write and record.get("read_only"):
        raise errors.Forbidden("this API key is read-only")
    return record
