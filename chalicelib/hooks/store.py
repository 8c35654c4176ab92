"""Hooks: what runs when one of Herald's events arrives.

A hook = node (an event type such as `monitor.down`, or a pattern such as
`monitor.*`), service (optional: only events from that source), type
(webhook, python, python_file), argument, and persistent or temporary. A
temporary hook expires by itself (24 h unless told otherwise); DynamoDB's TTL
removes it, and reads ignore it from its expiry on, since TTL runs late.

Layout in HOOKS_TABLE: a hook is pk=HOOK#<id>, sk=HOOK, and every hook is
also in one gsi1 partition (gsi1pk=HOOKS), so matching an event and listing
are one Query, never a Scan (hooks are few: tens, not millions). Delivery
records live beside their hook (see hook_delivery.py).
"""

import hashlib
import json
import re
import secrets as random
from fnmatch import fnmatchcase

from chalicelib.core import aws, clock, ssrf, values
from chalicelib.core.errors import Conflict, Invalid
from chalicelib.hooks import python_hooks, webhooks

TABLE = "HOOKS_TABLE"
TYPES = ("webhook", "python", "python_file")
DEFAULT_TTL = 24 * 3600
MAX_TTL = 366 * 24 * 3600
ROTATION_WINDOW = 24 * 3600
_NODE = re.compile(r"^[A-Za-z0-9_.:*?-]{1,200}$")
_PUBLIC = (
    "id",
    "node",
    "service",
    "type",
    "arg",
    "persistent",
    "expires",
    "enabled",
    "disabled_reason",
    "created_at",
    "secret_version",
    "rotation_until",
    "dead_deliveries",
)
PYTHON_CODE_REFUSED = (
    "python_code hooks are refused: code sent over the network would run inside Herald "
    "with its AWS permissions. Deploy the code with Herald in chalicelib/hooks/bundled/ "
    "and create a python or python_file hook that names it."
)


def _key(hook_id: str) -> dict:
    return {"pk": f"HOOK#{hook_id}", "sk": "HOOK"}


def live(item: dict | None, now: float | None = None) -> bool:
    if not item:
        return False
    expires = item.get("expires_at")
    return expires is None or float(expires) > (clock.epoch() if now is None else now)


def create(
    node: str,
    type_: str,
    arg: str,
    *,
    service: str | None = None,
    persistent: bool = False,
    ttl: int | None = None,
) -> tuple[dict, str | None]:
    """Store a new hook; returns (hook, webhook secret or None). Raises Invalid."""
    node, service, type_, arg = _validate(node, service, type_, arg)
    lifetime = _lifetime(persistent, ttl)
    now = int(clock.epoch())
    item = {**_new_item(node, service, type_, arg), "persistent": lifetime is None}
    if lifetime:
        item["expires_at"] = now + lifetime
    secret = None
    if type_ == "webhook":
        # Not secret by itself: the signing secret also needs the deployment's key.
        item["salt"] = random.token_hex(16)
        item["secret_version"] = 1
        secret = webhooks.secret_text(item["id"], item["salt"], 1)
    stored = aws.conditional(
        aws.table(TABLE).put_item,
        Item=item,
        # An expired hook TTL has not removed yet may be replaced.
        ConditionExpression="attribute_not_exists(pk) OR expires_at <= :now",
        ExpressionAttributeValues={":now": now},
    )
    if stored is None:
        raise Conflict(f"hook {item['id']} already does this")
    return item, secret


def _lifetime(persistent: bool, ttl) -> int | None:
    """Seconds a temporary hook lives; None for a persistent one."""
    if persistent:
        if ttl is not None:
            raise Invalid.at("ttl", "applies only to temporary hooks (leave out persistent)")
        return None
    ttl = DEFAULT_TTL if ttl is None else ttl
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not 60 <= ttl <= MAX_TTL:
        raise Invalid.at("ttl", f"must be a whole number of seconds from 60 to {MAX_TTL}")
    return ttl


def _new_item(node: str, service: str | None, type_: str, arg: str) -> dict:
    # The id is the hook's identity, so the conditional put in create refuses
    # an identical live hook atomically, even when two creates race.
    hook_id = hashlib.sha256(json.dumps([node, service, type_, arg]).encode()).hexdigest()[:16]
    created = clock.iso(clock.now())
    item = {
        **_key(hook_id),
        "gsi1pk": "HOOKS",
        "gsi1sk": f"{created}#{hook_id}",
        "id": hook_id,
        "node": node,
        "type": type_,
        "arg": arg,
        "enabled": True,
        "created_at": created,
    }
    if service:
        item["service"] = service
    return item


def _validate(node, service, type_, arg) -> tuple[str, str | None, str, str]:
    if type_ == "python_code":
        raise Invalid(PYTHON_CODE_REFUSED)
    if type_ not in TYPES:
        raise Invalid.at("type", f"must be one of {', '.join(TYPES)}; got {type_!r}")
    if not isinstance(node, str) or not _NODE.fullmatch(node):  # "$" allows a final "\n"
        raise Invalid.at(
            "node", "must be an event type or a pattern such as monitor.* (1-200 chars)"
        )
    if service is not None and (not isinstance(service, str) or len(service) > 500):
        raise Invalid.at("service", "must be a string of at most 500 characters")
    if not isinstance(arg, str) or not arg.strip():
        raise Invalid.at("arg", "is required: a URL, a module or a file name, depending on type")
    arg = arg.strip()
    try:
        if type_ == "webhook":
            ssrf.check_at_creation(arg)
        else:
            arg = python_hooks.normalize(type_, arg)
    except ValueError as error:
        raise Invalid(str(error)) from None
    return node, service or None, type_, arg


def get(hook_id: str) -> dict | None:
    if not isinstance(hook_id, str) or not re.fullmatch(r"[0-9a-f]{1,32}", hook_id):
        return None
    item = aws.table(TABLE).get_item(Key=_key(hook_id), ConsistentRead=True).get("Item")
    return item if live(item) else None


def all_hooks() -> list[dict]:
    """Every live hook, oldest first (one gsi1 partition; expired ones left out)."""
    from boto3.dynamodb.conditions import Key

    now = clock.epoch()
    items = aws.query_all(
        aws.table(TABLE), IndexName="gsi1", KeyConditionExpression=Key("gsi1pk").eq("HOOKS")
    )
    return [item for item in items if live(item, now)]


def matches(hook: dict, event: dict) -> bool:
    if not fnmatchcase(event.get("type", ""), hook["node"]):
        return False
    service = hook.get("service")
    return not service or fnmatchcase(str(event.get("source", "")), service)


def matching(event: dict) -> list[dict]:
    """The enabled, live hooks the event concerns."""
    return [h for h in all_hooks() if h.get("enabled", True) and matches(h, event)]


def delete(hook_id: str) -> bool:
    if get(hook_id) is None:
        return False
    result = aws.table(TABLE).delete_item(Key=_key(hook_id), ReturnValues="ALL_OLD")
    return "Attributes" in result


def delete_matching(node: str | None = None, type_: str | None = None, arg: str | None = None):
    """Delete the hooks whose node, type and arg equal the given ones (empty = any)."""
    removed = 0
    for hook in all_hooks():
        if node and hook["node"] != node:
            continue
        if type_ and hook["type"] != type_:
            continue
        if arg and hook["arg"] != arg.strip():
            continue
        result = aws.table(TABLE).delete_item(Key=_key(hook["id"]), ReturnValues="ALL_OLD")
        removed += "Attributes" in result
    return removed


def set_enabled(hook_id: str, enabled: bool, reason: str = "") -> dict | None:
    """Enable or disable a hook (with the reason shown in list); None when it is gone."""
    values = {":e": enabled, ":r": reason if not enabled else None, ":now": clock.iso(clock.now())}
    result = aws.conditional(
        aws.table(TABLE).update_item,
        Key=_key(hook_id),
        UpdateExpression="SET enabled = :e, disabled_reason = :r, changed_at = :now",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
    )
    return result and result["Attributes"]


def rotate_secret(hook_id: str) -> tuple[dict, str] | None:
    """A new secret; the previous one still signs for ROTATION_WINDOW seconds."""
    hook = get(hook_id)
    if hook is None:
        return None
    if hook["type"] != "webhook":
        raise Invalid("only webhook hooks have a secret")
    version = int(hook["secret_version"]) + 1
    result = aws.conditional(
        aws.table(TABLE).update_item,
        Key=_key(hook_id),
        UpdateExpression="SET secret_version = :v, rotation_until = :until",
        ConditionExpression="secret_version = :old",
        ExpressionAttributeValues={
            ":v": version,
            ":old": version - 1,
            ":until": int(clock.epoch()) + ROTATION_WINDOW,
        },
        ReturnValues="ALL_NEW",
    )
    if result is None:
        raise Conflict("the secret was rotated at the same moment: try again")
    return result["Attributes"], webhooks.secret_text(hook_id, hook["salt"], version)


def count_dead(hook_id: str) -> None:
    """Count a dead delivery on the hook (nothing when it was deleted meanwhile)."""
    aws.conditional(
        aws.table(TABLE).update_item,
        Key=_key(hook_id),
        UpdateExpression="ADD dead_deliveries :one",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues={":one": 1},
    )


def public(hook: dict) -> dict:
    """A hook as the API and the CLI show it (no salt, plain numbers)."""
    shown = {name: values.plain(hook.get(name)) for name in _PUBLIC if name != "expires"}
    shown["service"] = hook.get("service") or ""
    shown["enabled"] = bool(hook.get("enabled", True))
    shown["dead_deliveries"] = int(hook.get("dead_deliveries", 0))
    expires = hook.get("expires_at")
    shown["expires"] = clock.iso(clock.from_epoch(float(expires))) if expires else None
    if shown.get("rotation_until"):
        shown["rotation_until"] = clock.iso(clock.from_epoch(float(shown["rotation_until"])))
    return shown
