"""Subscribers and subscriptions, stored in SUBSCRIPTIONS_TABLE.

Layout (one partition per subscriber and per subscription):
  SUBSCRIBER#<id> / SUBSCRIBER       the subscriber (gsi1: SUBSCRIBERS / id)
  SUBSCRIPTION#<id> / SUBSCRIPTION   its settings (gsi1: SUBSCRIPTIONS / subscriber#id)
  SUBSCRIPTION#<id> / RESOURCE#<name>  one item per (subscription, resource)
      pair: url, last_check_time, next_check_time, and due_pk/due_at so the
      sparse `due` index lists exactly the pairs to check. A `never` pair
      carries no due_at and is never seen by the checker; a leased pair's
      due_at is its lease expiry, so it reappears by itself if its worker dies.
      subscription_pairs builds these items and guards every write to them.
  SUBSCRIPTION#<id> / UNSUBSCRIBED#<address>  one per recipient who left by
      the signed link in a notification (optouts.py); a replaced
      subscription keeps them, a deleted one takes them along.
"""

import json
import uuid

from boto3.dynamodb.conditions import Key

from chalicelib.core import aws, clock
from chalicelib.core.errors import Conflict, Invalid, NotFound
from chalicelib.subscriptions import optouts, pairs, rules

TABLE = "SUBSCRIPTIONS_TABLE"
# Retries of a replacement that raced the cycle (each from a fresh read).
SAVE_ATTEMPTS = 5
PAGERS = ("pagerduty", "opsgenie")


def _table():
    return aws.table(TABLE)


# ---- subscribers ----------------------------------------------------------------


def _subscriber_key(subscriber_id: str) -> dict:
    return {"pk": f"SUBSCRIBER#{subscriber_id}", "sk": "SUBSCRIBER"}


def _subscriber_view(item: dict) -> dict:
    return {
        "id": item["id"],
        "name": item["name"],
        "contacts": [
            {"address": c["address"], "priority": int(c["priority"]), "method": c["method"]}
            for c in item.get("contacts", [])
        ],
        "members": list(item.get("members", [])),
        "created_at": item["created_at"],
    }


def save_subscriber(body, subscriber_id: str | None = None, *, create: bool = True) -> dict:
    clean = rules.subscriber(body, subscriber_id)
    clean["id"] = clean["id"] or uuid.uuid4().hex[:12]
    known = get_subscribers(clean["members"])
    for i, member in enumerate(clean["members"]):
        found = known.get(member)
        if found is None:
            raise Invalid.at(f"members[{i}]", f"no subscriber {member!r}")
        if found.get("members"):
            raise Invalid.at(f"members[{i}]", "a group cannot be a member of a group")
    existing = get_subscriber_item(clean["id"])
    if create and existing is not None:
        raise Conflict(f"subscriber {clean['id']!r} exists")
    if not create and existing is None:
        raise NotFound(f"no subscriber {clean['id']!r}")
    item = {
        **_subscriber_key(clean["id"]),
        "gsi1pk": "SUBSCRIBERS",
        "gsi1sk": clean["id"],
        **clean,
        "created_at": existing["created_at"] if existing else clock.iso(clock.now()),
    }
    _table().put_item(Item=item)
    return _subscriber_view(item)


def get_subscriber_item(subscriber_id: str) -> dict | None:
    if not isinstance(subscriber_id, str) or not rules.ID_PATTERN.match(subscriber_id):
        return None  # no such id can exist, and an oversized key would be a 500
    return _table().get_item(Key=_subscriber_key(subscriber_id)).get("Item")


def get_subscriber(subscriber_id: str) -> dict:
    item = get_subscriber_item(subscriber_id)
    if item is None:
        raise NotFound(f"no subscriber {subscriber_id!r}")
    return _subscriber_view(item)


def get_subscribers(ids: list[str]) -> dict[str, dict]:
    """Subscriber items by id (missing ones left out), 100 to a request."""
    items = aws.batch_get(_table(), [_subscriber_key(i) for i in ids])
    return {item["id"]: item for item in items}


def list_subscribers() -> list[dict]:
    return [_subscriber_view(i) for i in _query_gsi1("SUBSCRIBERS")]


def delete_subscriber(subscriber_id: str) -> None:
    get_subscriber(subscriber_id)
    if _query_gsi1("SUBSCRIPTIONS", f"{subscriber_id}#", limit=1):
        raise Conflict(f"subscriber {subscriber_id!r} has subscriptions: delete them first")
    _table().delete_item(Key=_subscriber_key(subscriber_id))


def _query_gsi1(partition: str, prefix: str = "", limit: int | None = None) -> list[dict]:
    condition = Key("gsi1pk").eq(partition)
    if prefix:
        condition &= Key("gsi1sk").begins_with(prefix)
    extra = {"Limit": limit} if limit else {}
    return aws.query_all(
        _table(), limit, IndexName="gsi1", KeyConditionExpression=condition, **extra
    )


# ---- subscriptions --------------------------------------------------------------


def _partition(subscription_id: str) -> str:
    return f"SUBSCRIPTION#{subscription_id}"


def save_subscription(body, subscription_id: str | None = None) -> dict:
    clean = rules.subscription(body)
    if get_subscriber_item(clean["subscriber"]) is None:
        raise Invalid.at("subscriber", f"no subscriber {clean['subscriber']!r}")
    _check_channels(clean["method"])
    subscription = {**clean, "id": subscription_id or uuid.uuid4().hex[:16]}
    for _attempt in range(SAVE_ATTEMPTS):
        existing = load(subscription_id) if subscription_id else None
        if subscription_id and existing is None:
            raise NotFound(f"no subscription {subscription_id!r}")
        if _write(subscription, existing) is not None:
            return get_subscription(subscription["id"])
    raise Conflict("the subscription is changing under a running check: try again")


def _check_channels(methods: list[str]) -> None:
    """Each channel named exists, and is not a pager: news opens no incident."""
    from chalicelib.core.channels import store as channels

    found = channels.get_many([m for m in methods if m != "email"])
    for i, method in enumerate(methods):
        record = found.get(method)
        if method != "email" and record is None:
            raise Invalid.at(f"method[{i}]", f"no channel with id {method!r}")
        if record is not None and record["kind"] in PAGERS:
            raise Invalid.at(
                f"method[{i}]",
                f"a {record['kind']} channel opens incidents; subscriptions go to e-mail, "
                "chat, ntfy, SNS or web-hook channels",
            )


def _write(subscription: dict, existing: dict | None) -> dict | None:
    """One transaction: the settings, and each pair only if the cycle has not
    touched it since it was read (else the caller reads again and redoes it)."""
    now, old_pairs = int(clock.epoch()), existing["pairs"] if existing else {}
    settings = {
        "pk": _partition(subscription["id"]),
        "sk": "SUBSCRIPTION",
        "gsi1pk": "SUBSCRIPTIONS",
        "gsi1sk": f"{subscription['subscriber']}#{subscription['id']}",
        **{k: v for k, v in subscription.items() if k != "filter"},
        "filter_json": json.dumps(subscription["filter"], sort_keys=True),
        "created_at": existing["subscription"]["created_at"]
        if existing
        else clock.iso(clock.now()),
    }
    exists = "attribute_exists(pk)" if existing else "attribute_not_exists(pk)"
    writes = [{"Put": {"Item": settings, "ConditionExpression": exists}}]
    for resource in subscription["resources"]:
        previous = old_pairs.get(resource["name"])
        pair = pairs.item(subscription, resource, previous, now)
        writes.append({"Put": {"Item": pair, **pairs.guard(previous)}})
    kept = {r["name"] for r in subscription["resources"]}
    for name, pair in old_pairs.items():
        if name not in kept:
            key = {"pk": pair["pk"], "sk": pair["sk"]}
            writes.append({"Delete": {"Key": key, **pairs.guard(pair)}})
    for write in writes:
        write[next(iter(write))]["TableName"] = _table().name
    # The resource's client takes plain Python values, as Table calls do.
    client = aws.dynamodb().meta.client
    return aws.conditional(client.transact_write_items, TransactItems=writes)


def load(subscription_id: str) -> dict | None:
    """The subscription item and its pairs by resource name: one Query."""
    if not isinstance(subscription_id, str) or not rules.ID_PATTERN.match(subscription_id):
        return None  # no such id can exist, and an oversized key would be a 500
    condition = Key("pk").eq(_partition(subscription_id))
    items = aws.query_all(_table(), KeyConditionExpression=condition, ConsistentRead=True)
    subscription = next((i for i in items if i["sk"] == "SUBSCRIPTION"), None)
    if subscription is None:
        return None
    found = {i["resource"]: i for i in items if i["sk"].startswith("RESOURCE#")}
    # Read with the rest (the same Query): who left by an unsubscribe link (optouts.py).
    subscription["unsubscribed"] = sorted(i["address"] for i in items if optouts.is_one(i))
    return {"subscription": subscription, "pairs": found}


def view(subscription: dict, pairs_by_name: dict) -> dict:
    def resource(r: dict) -> dict:
        pair = pairs_by_name.get(r["name"], {})
        following = int(pair.get("next_check_time", 0))
        return {
            "name": r["name"],
            "url": r["url"],
            "last_check_time": pair.get("last_check_time"),
            "next_check_time": clock.iso(clock.from_epoch(following)) if following else None,
            "last_error": pair.get("last_error"),
        }

    return {
        "id": subscription["id"],
        "subscriber": subscription["subscriber"],
        "resources": [resource(r) for r in subscription["resources"]],
        "filter": json.loads(subscription["filter_json"]),
        "notify_on": list(subscription["notify_on"]),
        "frequency": subscription["frequency"],
        "method": list(subscription["method"]),
        "email_format": subscription["email_format"],
        "created_at": subscription["created_at"],
    }


def get_subscription(subscription_id: str) -> dict:
    loaded = load(subscription_id)
    if loaded is None:
        raise NotFound(f"no subscription {subscription_id!r}")
    unsubscribed = loaded["subscription"]["unsubscribed"]
    return {**view(loaded["subscription"], loaded["pairs"]), "unsubscribed": unsubscribed}


def list_subscriptions(subscriber: str | None = None) -> list[dict]:
    """Subscriptions (settings only: one Query, no per-pair reads)."""
    if subscriber and not rules.ID_PATTERN.match(subscriber):
        return []  # no such subscriber can exist
    items = _query_gsi1("SUBSCRIPTIONS", f"{subscriber}#" if subscriber else "")
    return [view(i, {}) for i in items]


def delete_subscription(subscription_id: str) -> None:
    """Delete it; a job running on a pair then finds the pair gone and stops."""
    loaded = load(subscription_id)
    if loaded is None:
        raise NotFound(f"no subscription {subscription_id!r}")
    left = [optouts.key(subscription_id, a) for a in loaded["subscription"]["unsubscribed"]]
    with _table().batch_writer() as batch:
        for item in [loaded["subscription"], *loaded["pairs"].values(), *left]:
            batch.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})


def due_now(subscription_id: str) -> int:
    """Make the subscription's pairs due at once (unleased, not `never`)."""
    loaded = load(subscription_id)
    if loaded is None:
        raise NotFound(f"no subscription {subscription_id!r}")
    now, moved = int(clock.epoch()), 0
    for pair in loaded["pairs"].values():
        # Conditional: a pair deleted or leased meanwhile is left alone.
        moved += (
            aws.conditional(
                _table().update_item,
                Key={"pk": pair["pk"], "sk": pair["sk"]},
                UpdateExpression="SET next_check_time = :now, due_at = :now",
                ConditionExpression="attribute_exists(due_pk) AND "
                "(attribute_not_exists(lease_until) OR lease_until <= :now)",
                ExpressionAttributeValues={":now": now},
            )
            is not None
        )
    return moved
