"""Heartbeat monitors: their settings, identity and storage in MONITORS_TABLE.

A monitor is one item, pk = "MON#<id>". The id is a keyed hash of the
monitor's UUID, and the UUID is itself a keyed hash of the name, so every
ping form (/ping?username=, /ping/<uuid>, /ping/<key>/<name>) finds the item
with no lookup (a ping costs one write to the monitor and one to its log),
while a copy of the table reveals neither UUIDs nor ping keys.

The checker finds monitors through the sparse index "due" (due_pk, due_at):
due_pk is one of a few shard names for monitors that may alert, or "PARKED"
(paused or `monitor: false`), a partition the checker never reads.
"""

import base64
import hashlib
import hmac
import re
import uuid
import zlib
from decimal import Decimal

from chalicelib import auth, aws, clock
from chalicelib import secrets as config_secrets

TABLE = "MONITORS_TABLE"
SHARDS = 4
PARKED = "PARKED"
# "." and ".." are not names: clients drop such path segments from ping URLs.
NAME = re.compile(r"(?!\.+$)[A-Za-z0-9_.@-](?:[A-Za-z0-9_.@ -]{0,62}[A-Za-z0-9_.@-])?")
# An address as SES takes it: printable ASCII, at most 254 characters.
EMAIL = re.compile(r"(?=.{3,254}$)[!-~]+@[!-~]+", re.ASCII)
_NOT_IN_ADDRESS = set("@,<>")
MAX_RECIPIENTS = 50
SETTINGS = (
    "monitor",
    "max_sleep",
    "email_frequency",
    "recipients",
    "refresh_on_ping_restored",
    "require_key",
)
DEFAULTS = {"monitor": True, "refresh_on_ping_restored": True, "require_key": True}


class Invalid(ValueError):
    """A setting is wrong; the message names the field and the problem."""


# ---- identity -----------------------------------------------------------------


def _mac(purpose: str, value: str) -> bytes:
    key = config_secrets.get("secret-key").encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()


def uuid_for(name: str) -> str:
    return str(uuid.UUID(bytes=_mac("monitor-uuid", name)[:16], version=4))


def id_for_uuid(monitor_uuid: str) -> str:
    return _mac("monitor-id", monitor_uuid.lower()).hex()[:32]


def id_for(name: str) -> str:
    return id_for_uuid(uuid_for(name))


def key(monitor_id: str) -> dict:
    return {"pk": f"MON#{monitor_id}", "sk": "MON"}


def ping_key(name: str, version: int = 1) -> str:
    """The monitor's ping key: derived, so it can be shown again, never stored."""
    return base64.urlsafe_b64encode(_mac(f"ping-key-{version}", name)).decode()[:22]


def key_digest(value: str) -> str:
    return auth.digest(f"ping-key:{value}")


def shard(name: str) -> str:
    # Spreads the index's write load; the checker reads each shard once.
    return f"DUE#{zlib.crc32(name.encode()) % SHARDS}"


def ping_urls(name: str, base: str) -> dict:
    return {
        "uuid": f"{base}/ping/{uuid_for(name)}",
        "slug": f"{base}/ping/{ping_key(name)}/{name}",
        "original": f"{base}/ping?username={name}&key={ping_key(name)}",
    }


# ---- settings -----------------------------------------------------------------


def _number(field: str, value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise Invalid(f"{field}: must be a number of seconds, got {value!r}")
    if value < 0 or value != value or value > 10 * 365 * 86400:
        raise Invalid(f"{field}: must be between 0 and ten years, got {value!r}")
    # Milliseconds are plenty, and DynamoDB refuses numbers like 1e-300.
    return Decimal(str(value)).quantize(Decimal("0.001"))


def _recipients(field: str, value) -> list[str]:
    addresses = [value] if isinstance(value, str) else value
    if not isinstance(addresses, list) or not addresses:
        raise Invalid(f"{field}: must be an e-mail address or a non-empty list of them")
    for address in addresses:
        if (
            not isinstance(address, str)
            or not EMAIL.fullmatch(address)
            or address.count("@") != 1
            or _NOT_IN_ADDRESS & set(address.replace("@", "", 1))
        ):
            raise Invalid(f"{field}: {str(address)[:80]!r} is not an e-mail address")
    addresses = list(dict.fromkeys(addresses))
    if len(addresses) > MAX_RECIPIENTS:
        raise Invalid(f"{field}: at most {MAX_RECIPIENTS} recipients, got {len(addresses)}")
    return addresses


def _flag(field: str, value) -> bool:
    # The original accepted "bool-like" values for refresh_on_ping_restored.
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0"):
        return value.lower() in ("true", "yes", "1")
    raise Invalid(f"{field}: must be true or false, got {value!r}")


def validate(name, settings: dict, *, where: str = "") -> dict:
    """Checked settings of monitor `name`; raises Invalid naming the field."""
    at = where or (f"users.{name}" if isinstance(name, str) else "name")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise Invalid(
            f"{at}: the name must be 1-64 letters, digits, spaces or . _ @ - "
            f"(not only dots), got {str(name)[:80]!r}"
        )
    if not isinstance(settings, dict):
        raise Invalid(f"{at}: must be an object")
    unknown = set(settings) - set(SETTINGS) - {"device_email", "recipient", "name"}
    if unknown:
        raise Invalid(f"{at}.{sorted(unknown)[0]}: unknown setting")
    result = {}
    for field in ("max_sleep", "email_frequency"):
        if field not in settings:
            raise Invalid(f"{at}.{field}: missing")
        result[field] = _number(f"{at}.{field}", settings[field])
    for field in ("monitor", "refresh_on_ping_restored", "require_key"):
        result[field] = _flag(f"{at}.{field}", settings.get(field, DEFAULTS[field]))
    for field in ("recipients", "device_email", "recipient"):
        if settings.get(field) is not None:
            result["recipients"] = _recipients(f"{at}.{field}", settings[field])
            break
    else:
        raise Invalid(f"{at}.device_email: missing (and no global recipient)")
    return result


# ---- storage ------------------------------------------------------------------


def get(name: str, *, consistent: bool = True) -> dict | None:
    item = aws.table(TABLE).get_item(Key=key(id_for(name)), ConsistentRead=consistent)
    return item.get("Item")


def list_all() -> list[dict]:
    from boto3.dynamodb.conditions import Key

    condition = Key("gsi1pk").eq("MONITORS")
    return aws.query_all(aws.table(TABLE), IndexName="gsi1", KeyConditionExpression=condition)


def update_if_unchanged(
    item: dict, sets: dict, removes=(), condition: str = "", values: dict | None = None
) -> bool:
    """SET sets (None: REMOVE), REMOVE removes and bump `rev`, only if `rev` is as read.

    False when something (a ping, a checker, an edit) changed the monitor since.
    """
    removes = [*removes, *(field for field, value in sets.items() if value is None)]
    sets = {field: value for field, value in sets.items() if value is not None}
    names = {f"#s{i}": field for i, field in enumerate(sets)}
    names.update({f"#r{i}": field for i, field in enumerate(removes)})
    expression = "SET " + ", ".join(
        [*(f"#s{i} = :s{i}" for i in range(len(sets))), "#rev = #rev + :one"]
    )
    if removes:
        expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(removes)))
    try:
        aws.table(TABLE).update_item(
            Key={"pk": item["pk"], "sk": item["sk"]},
            UpdateExpression=expression,
            ConditionExpression="#rev = :rev" + condition,
            ExpressionAttributeNames={**names, "#rev": "rev"},
            ExpressionAttributeValues={
                **{f":s{i}": value for i, value in enumerate(sets.values())},
                ":one": Decimal(1),
                ":rev": item.get("rev", Decimal(0)),
                **(values or {}),
            },
        )
    except Exception as error:
        if aws.rejected(error):
            return False
        raise
    return True


def parked(item: dict) -> str | None:
    if item.get("paused"):
        return "PAUSED"
    if not item.get("monitor", True):
        return "OFF"
    return None


def place(item: dict, due_at) -> dict:
    """Index attributes for an item that should next be looked at at due_at."""
    if parked(item):
        return {"parked": PARKED, "due_pk": PARKED, "due_at": Decimal(0)}
    if due_at is None:
        return {}
    return {"due_pk": shard(item["name"]), "due_at": Decimal(str(due_at))}


def view(item: dict, base: str = "") -> dict:
    """What the API and CLI show of a monitor (no secrets besides its URLs)."""
    now = clock.epoch()
    last_ping = item.get("last_ping")
    late = last_ping is not None and now - float(last_ping) > float(item["max_sleep"])
    status = "paused" if item.get("paused") else item.get("status", "new")
    if status == "up" and late:
        status = "late"
    result = {
        "name": item["name"],
        "status": status,
        **{field: _plain(item.get(field)) for field in SETTINGS},
        "last_ping": _when(last_ping),
        "last_alert": _when(item.get("last_alert")),
        "next_deadline": _when(float(last_ping) + float(item["max_sleep"]))
        if last_ping is not None
        else None,
        "pings": int(item.get("pings", 0)),
    }
    if base is not None:
        result["ping_urls"] = ping_urls(item["name"], base)
    return result


def _when(value):
    return None if value is None else clock.iso(clock.from_epoch(float(value)))


def _plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == int(value) else float(value)
    return value
