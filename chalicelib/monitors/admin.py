"""Creating, changing, pausing and deleting monitors; importing the original's config.

Every change is a conditional write on the monitor's revision (`rev`, bumped
by every change and every success or fail ping), so a change never undoes a
ping or an alert that landed between our read and our write: we read again
and retry.
"""

from decimal import Decimal

from chalicelib.core import aws, clock
from chalicelib.core.errors import Conflict, Invalid
from chalicelib.monitors import rules, store

IGNORED = {
    "server_root": "the logs link uses HERALD_PUBLIC_URL",
    "base_frequency": "the checker runs every minute",
    "email_processing_frequency": "mail goes through the outbox queue at once",
}


def _new_item(name: str, settings: dict, past: dict | None) -> dict:
    """A monitor's first item; after a delete, its URLs and log are new ones."""
    now = clock.now()
    gen = store.generation(past) + 1 if past else 1
    item = {
        **store.key(store.id_for(name)),
        "gsi1pk": "MONITORS",
        "gsi1sk": name,
        "name": name,
        "shard_pk": store.shard(name),
        **settings,
        "paused": False,
        "key_digest": store.key_digest(store.ping_key(name, gen)),
        "key_gen": Decimal(gen),
        "life": Decimal(int(past.get("life", 1)) + 1 if past else 1),
        "status": "new",
        "rev": Decimal(0),
        "pings": Decimal(0),
        "created_at": clock.iso(now),
        "updated_at": clock.iso(now),
    }
    if store.parked(item):
        item.update(parked=store.PARKED, due_pk=store.PARKED, due_at=Decimal(0))
    return item


def _write(item: dict, changes: dict, removes: list[str]) -> dict:
    """SET changes, REMOVE removes, bump rev; only if nobody changed the item since.

    Returns the item as written: read back afterwards, it may be gone already.
    """
    written = store.update_if_unchanged(
        item, {**changes, "updated_at": clock.iso(clock.now())}, removes
    )
    if written is None:
        raise Conflict
    return written


def _placement(item: dict) -> tuple[dict, list[str]]:
    """Index attributes after a change of settings or pause state."""
    if store.parked(item):
        return {"parked": store.PARKED, "due_pk": store.PARKED, "due_at": Decimal(0)}, []
    if item.get("status", "new") == "new" or item.get("last_ping") is None:
        return {}, ["parked", "due_pk", "due_at"]
    # Let the checker look at it at once and work out the new time itself.
    now = Decimal(f"{clock.epoch():.6f}")
    return {"due_pk": item["shard_pk"], "due_at": now}, ["parked"]


def _retrying(change):
    for _ in range(10):
        try:
            return change()
        except Conflict:
            continue
    raise Conflict("the monitor kept changing; try again")


def upsert(name: str, settings: dict) -> tuple[str, dict]:
    """Create or update; returns ("created"|"updated"|"unchanged", item)."""
    settings = rules.validate(name, settings, where="monitor")
    return _retrying(lambda: _upsert_once(name, settings))


def _upsert_once(name: str, settings: dict) -> tuple[str, dict]:
    item = store.get(name)
    if item is None:
        return "created", _create(name, settings)
    if all(item.get(field) == value for field, value in settings.items()):
        return "unchanged", item
    changed = {**item, **settings}
    sets, removes = _placement(changed)
    return "updated", _write(item, {**settings, **sets}, removes)


def _create(name: str, settings: dict) -> dict:
    table = aws.table(store.TABLE)
    monitor_id = store.id_for(name)
    past = table.get_item(Key=store.past_key(monitor_id), ConsistentRead=True).get("Item")
    item = _new_item(name, settings, past)
    created = aws.conditional(
        table.put_item, Item=item, ConditionExpression="attribute_not_exists(pk)"
    )
    if created is None:
        raise Conflict
    _set_alias(item)
    return item


def _set_alias(item: dict) -> None:
    """A rotated UUID's way to its monitor (the first UUID needs none)."""
    gen = store.generation(item)
    if gen > 1:
        alias = store.alias_key(store.uuid_for(item["name"], gen))
        monitor_id = item["pk"].removeprefix("MON#")
        aws.table(store.TABLE).put_item(
            Item={**alias, "monitor_id": monitor_id, "key_gen": Decimal(gen)}
        )


def _drop_alias(item: dict) -> None:
    gen = store.generation(item)
    if gen > 1:
        aws.table(store.TABLE).delete_item(Key=store.alias_key(store.uuid_for(item["name"], gen)))


def rotate_key(name: str) -> dict | None:
    """New ping URLs for name (all three forms); the old ones stop working at once."""

    def change():
        item = store.get(name)
        if item is None:
            return None
        rotated = {**item, "key_gen": Decimal(store.generation(item) + 1)}
        _set_alias(rotated)  # first, so the new UUID works as soon as it is shown
        key = store.ping_key(name, store.generation(rotated))
        written = _write(
            item, {"key_gen": rotated["key_gen"], "key_digest": store.key_digest(key)}, []
        )
        _drop_alias(item)
        return written

    return _retrying(change)


def set_paused(name: str, paused: bool) -> dict | None:
    def change():
        item = store.get(name)
        if item is None or bool(item.get("paused")) == paused:
            return item
        changed = {**item, "paused": paused}
        if not paused:
            # Like a new monitor: no alert until it pings again.
            changed["status"] = "new"
        sets, removes = _placement(changed)
        extra = {} if paused else {"status": "new"}
        if not paused:
            # Whatever happened while paused is not news any more.
            removes += ["outage_start", "recover_base", "fail_news_at", "outgoing"]
        return _write(item, {"paused": paused, **extra, **sets}, removes)

    return _retrying(change)


def delete(name: str) -> bool:
    """Delete the monitor and its log; its URLs never work again, even for a
    monitor created later under the same name."""
    table = aws.table(store.TABLE)
    monitor_id = store.id_for(name)

    def change():
        item = store.get(name)
        if item is None:
            return None
        # The past first: a create that follows the delete must find it.
        past = {"key_gen": Decimal(store.generation(item)), "life": item.get("life", 1)}
        table.put_item(Item={**store.past_key(monitor_id), **past})
        gone = aws.conditional(
            table.delete_item,
            Key=store.key(monitor_id),
            ConditionExpression="#rev = :rev",
            ExpressionAttributeNames={"#rev": "rev"},
            ExpressionAttributeValues={":rev": item.get("rev", Decimal(0))},
        )
        if gone is None:
            raise Conflict
        return item

    item = _retrying(change)
    if item is None:
        return False
    _drop_alias(item)
    _delete_log(table, store.log_pk(monitor_id, item))
    return True


def _delete_log(table, log_pk: str) -> None:
    from boto3.dynamodb.conditions import Key

    condition = Key("pk").eq(log_pk)
    entries = aws.query_all(table, KeyConditionExpression=condition, ProjectionExpression="pk, sk")
    with table.batch_writer() as batch:
        for entry in entries:
            batch.delete_item(Key={"pk": entry["pk"], "sk": entry["sk"]})


# ---- the original's configuration file ------------------------------------------------


def parse_config(document) -> tuple[dict[str, dict], list[str]]:
    """{name: settings} from the original's config, and notes; raises Invalid."""
    if not isinstance(document, dict):
        raise Invalid("(top level): must be a JSON object with a `users` map")
    notes = [
        f"{field}: accepted and ignored ({why})"
        for field, why in IGNORED.items()
        if field in document
    ]
    unknown = set(document) - set(IGNORED) - {"recipient", "users"}
    if unknown:
        raise Invalid(f"{sorted(unknown)[0]}: unknown field")
    users = document.get("users")
    if not isinstance(users, dict) or not users:
        raise Invalid("users: must be a non-empty object of name: settings")
    default = document.get("recipient")
    if default is not None:
        rules.recipients("recipient", default)
    result = {}
    for name, settings in users.items():
        if isinstance(settings, dict) and settings.get("device_email") is None:
            settings = {**settings, "recipient": default}
        result[name] = rules.validate(name, settings)
    return result, notes


def import_config(document) -> tuple[list[tuple[str, str]], list[str]]:
    """Apply the whole file, or nothing when any part of it is wrong."""
    wanted, notes = parse_config(document)
    return [
        (name, _retrying(lambda n=name: _upsert_once(n, wanted[n]))[0]) for name in wanted
    ], notes
