"""Channels: their records in CORE_TABLE, their secrets in SSM.

A channel is one item, pk "CHANNEL#<id>" (listed through gsi1, "CHANNELS"),
with its kind, name, enabled and default flags and the config keys that are
not secret (checked by chalicelib/core/channels/config.py). A default
channel is told by every monitor that names none; its gsi1sk starts with
DEFAULT, so the defaults are one Query of the index.
The secret ones (a Slack hook URL, a bot token, a routing key) go to one
SSM SecureString per channel, /herald/<stage>/channels/<id>, as JSON: they
are encrypted with KMS, readable only by the functions whose IAM policy
names that path, and never in a table, a backup of it or an export. The
item keeps a hint of each (its last four characters), which is all the API
ever shows again. SSM rather than code-level encryption: no key to manage or
rotate by hand, no crypto library in the bundle, and standard parameters
cost nothing.

A create writes the parameter first, then the item: a crash in between
leaves an unused parameter, never a channel without its secrets.
"""

import json
import secrets as random
from decimal import Decimal

from chalicelib.core import aws, clock, errors, settings
from chalicelib.core.channels import quiet
from chalicelib.core.channels.config import check, check_name, hints, split

_TABLE = "CORE_TABLE"
# A default channel's gsi1sk starts so: the defaults are one Query away.
DEFAULT = "default#"


def _key(channel_id: str) -> dict:
    return {"pk": f"CHANNEL#{channel_id}", "sk": "CHANNEL"}


def _parameter(channel_id: str) -> str:
    return f"/herald/{settings.stage()}/channels/{channel_id}"


def create(kind, name, config, enabled=True, default=False, when: dict | None = None) -> dict:
    """The new channel's record; a signing secret Herald made for a web-hook
    channel is in its "shown_once" (never stored anywhere but SSM). `when`:
    critical, quiet_hours, quiet_summary (quiet.py)."""
    kind, name, config = check(kind, name, config)
    timing = {k: v for k, v in quiet.check(when or {}).items() if v is not None}
    once = {}
    if kind == "webhook" and not config.get("secret"):
        import base64

        once["secret"] = "whsec_" + base64.b64encode(random.token_bytes(32)).decode()
        config = {**config, **once}
    channel_id = random.token_hex(8)
    plain, secret = split(kind, config)
    if secret:
        _put_secret(channel_id, secret)
    now = clock.iso(clock.now())
    record = {
        **_key(channel_id),
        "gsi1pk": "CHANNELS",
        "gsi1sk": _sort_key(channel_id, default),
        "id": channel_id,
        "kind": kind,
        "name": name,
        "config": plain,
        "hints": hints(secret),
        "enabled": bool(enabled),
        "default": bool(default),
        **timing,
        "rev": Decimal(0),
        "created_at": now,
        "updated_at": now,
    }
    aws.table(_TABLE).put_item(Item=record)
    return {**record, "shown_once": once} if once else record


def _sort_key(channel_id: str, default: bool) -> str:
    return f"{DEFAULT}{channel_id}" if default else channel_id


def get(channel_id: str) -> dict | None:
    if not isinstance(channel_id, str) or not channel_id.isalnum() or len(channel_id) > 40:
        return None
    return aws.table(_TABLE).get_item(Key=_key(channel_id), ConsistentRead=True).get("Item")


def get_many(channel_ids: list[str]) -> dict[str, dict]:
    """Channel records by id (missing ones left out), in one BatchGetItem."""
    keys = [_key(i) for i in dict.fromkeys(channel_ids) if isinstance(i, str) and i.isalnum()]
    return {item["id"]: item for item in aws.batch_get(aws.table(_TABLE), keys)}


def list_all() -> list[dict]:
    from boto3.dynamodb.conditions import Key

    condition = Key("gsi1pk").eq("CHANNELS")
    items = aws.query_all(aws.table(_TABLE), IndexName="gsi1", KeyConditionExpression=condition)
    return sorted(items, key=lambda item: (item["name"], item["id"]))


def defaults() -> list[dict]:
    """The deployment's default channels (for monitors that name none), in one
    Query; the index is eventually consistent, so a channel marked default a
    moment ago may be missed by a notice that very moment."""
    from boto3.dynamodb.conditions import Key

    condition = Key("gsi1pk").eq("CHANNELS") & Key("gsi1sk").begins_with(DEFAULT)
    items = aws.query_all(aws.table(_TABLE), IndexName="gsi1", KeyConditionExpression=condition)
    return sorted(items, key=lambda item: item["id"])


def config_of(record: dict) -> dict:
    """The channel's whole config, secrets included (one SSM read): for sending only."""
    secret = _get_secret(record["id"]) if record.get("hints") else {}
    return {**record.get("config", {}), **secret}


def update(channel_id: str, changes: dict) -> dict | None:
    """PATCH: name, enabled, default, and config keys to replace (secrets among them)."""
    record = get(channel_id)
    if record is None:
        return None
    unknown = sorted(set(changes) - {"name", "enabled", "default", "config", *quiet.FIELDS})
    if unknown:
        raise errors.Invalid.at(unknown[0], "unknown field (kind cannot change)")
    for flag in ("enabled", "default"):
        if flag in changes and not isinstance(changes[flag], bool):
            raise errors.Invalid.at(flag, "must be true or false")
    given = changes.get("config", {})
    if not isinstance(given, dict):
        raise errors.Invalid.at("config", "must be an object")
    sets = {"name": check_name(changes.get("name", record["name"]))}
    sets.update(quiet.check({k: v for k, v in changes.items() if k in quiet.FIELDS}, record))
    sets["updated_at"] = clock.iso(clock.now())
    if "enabled" in changes:
        sets["enabled"] = changes["enabled"]
        if changes["enabled"]:
            sets.update(disabled_reason=None, refusals=None)
    if "default" in changes:
        sets.update(default=changes["default"], gsi1sk=_sort_key(channel_id, changes["default"]))
    if given:
        kind, _, config = check(record["kind"], sets["name"], {**config_of(record), **given})
        plain, secret = split(kind, config)
        if secret:
            _put_secret(channel_id, secret)
        sets.update(config=plain, hints=hints(secret))
    return _write(record, sets)


def _write(record: dict, sets: dict) -> dict:
    """Set fields (None: remove) if the record is as read; the record as written."""
    removes = [field for field, value in sets.items() if value is None]
    sets = {field: value for field, value in sets.items() if value is not None}
    names = {f"#s{i}": field for i, field in enumerate(sets)}
    expression = "SET " + ", ".join([f"#s{i} = :s{i}" for i in range(len(sets))])
    expression += ", #rev = #rev + :one"
    if removes:
        names.update({f"#r{i}": field for i, field in enumerate(removes)})
        expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(removes)))
    written = aws.conditional(
        aws.table(_TABLE).update_item,
        Key=_key(record["id"]),
        UpdateExpression=expression,
        ConditionExpression="#rev = :rev",
        ExpressionAttributeNames={**names, "#rev": "rev"},
        ExpressionAttributeValues={
            **{f":s{i}": value for i, value in enumerate(sets.values())},
            ":one": Decimal(1),
            ":rev": record.get("rev", Decimal(0)),
        },
        ReturnValues="ALL_NEW",
    )
    if written is None:
        raise errors.Conflict("the channel changed meanwhile: try again")
    return written["Attributes"]


def count_refusal(record: dict, *, reset: bool = False) -> int:
    """One more permanent refusal in a row (or none after a success); the count."""
    if reset:
        expression, values = "REMOVE refusals", {}
    else:
        expression, values = "ADD refusals :one", {":one": Decimal(1)}
    written = aws.table(_TABLE).update_item(
        Key=_key(record["id"]),
        UpdateExpression=expression,
        ConditionExpression="attribute_exists(pk)",
        **({"ExpressionAttributeValues": values} if values else {}),
        ReturnValues="ALL_NEW",
    )
    return int(written["Attributes"].get("refusals", 0))


def disable(record: dict, reason: str) -> bool:
    """Disable the channel with its reason; True if this call did (not a racing one)."""
    done = aws.conditional(
        aws.table(_TABLE).update_item,
        Key=_key(record["id"]),
        UpdateExpression="SET enabled = :false, disabled_reason = :why, #rev = #rev + :one",
        ConditionExpression="attribute_exists(pk) AND enabled = :true",
        ExpressionAttributeNames={"#rev": "rev"},
        ExpressionAttributeValues={
            ":false": False,
            ":true": True,
            ":why": reason,
            ":one": Decimal(1),
        },
    )
    return done is not None


def delete(channel_id: str) -> bool:
    record = get(channel_id)
    if record is None:
        return False
    aws.table(_TABLE).delete_item(Key=_key(channel_id))
    if record.get("hints"):
        _delete_secret(channel_id)
    return True


def view(record: dict) -> dict:
    """What the API and CLI show: never a secret, only its hint."""
    return {
        "id": record["id"],
        "kind": record["kind"],
        "name": record["name"],
        "enabled": bool(record.get("enabled", True)),
        "default": bool(record.get("default", False)),
        "disabled_reason": record.get("disabled_reason"),
        **quiet.shown(record),
        "config": {**record.get("config", {}), **record.get("hints", {})},
        "secrets": sorted(record.get("hints", {})),
        "created_at": record.get("created_at"),
        "updated_at": record.get("updated_at"),
        **({"shown_once": record["shown_once"]} if record.get("shown_once") else {}),
    }


# ---- SSM --------------------------------------------------------------------------


def _put_secret(channel_id: str, secret: dict) -> None:
    aws.client("ssm").put_parameter(
        Name=_parameter(channel_id),
        Value=json.dumps(secret),
        Type="SecureString",
        Overwrite=True,
    )


def _get_secret(channel_id: str) -> dict:
    reply = aws.client("ssm").get_parameter(Name=_parameter(channel_id), WithDecryption=True)
    return json.loads(reply["Parameter"]["Value"])


def _delete_secret(channel_id: str) -> None:
    ssm = aws.client("ssm")
    try:
        ssm.delete_parameter(Name=_parameter(channel_id))
    except ssm.exceptions.ParameterNotFound:
        pass  # deleted already (a retried delete)
