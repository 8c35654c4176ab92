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


def _new_item(name: str, settings: dict) -> dict:
    now = clock.now()
    item = {
        **store.key(store.id_for(name)),
        "gsi1pk": "MONITORS",
        "gsi1sk": name,
        "name": name,
        "shard_pk": store.shard(name),
        **settings,
        "paused": False,
        "key_digest": store.key_digest(store.ping_key(name)),
        "status": "new",
        "rev": Decimal(0),
        "pings": Decimal(0),
        "created_at": clock.iso(now),
        "updated_at": clock.iso(now),
    }
    if store.parked(item):
        item.update(parked=store.PARKED, due_pk=store.PARKED, due_at=Decimal(0))
    return item


def _write(item: dict, changes: dict, removes: list[str]) -> None:
    """SET changes, REMOVE removes, bump rev; only if nobody changed the item since."""
    if not store.update_if_unchanged(
        item, {**changes, "updated_at": clock.iso(clock.now())}, removes
    ):
        raise Conflict


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
        item = _new_item(name, settings)
        created = aws.conditional(
            aws.table(store.TABLE).put_item,
            Item=item,
            ConditionExpression="attribute_not_exists(pk)",
        )
        if created is None:
            raise Conflict
        return "created", item
    if all(item.get(field) == value for field, value in settings.items()):
        return "unchanged", item
    changed = {**item, **settings}
    sets, removes = _placement(changed)
    _write(item, {**settings, **sets}, removes)
    return "updated", store.get(name)


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
        _write(item, {"paused": paused, **extra, **sets}, removes)
        return store.get(name)

    return _retrying(change)


def delete(name: str) -> bool:
    monitor_id = store.id_for(name)
    table = aws.table(store.TABLE)
    reply = table.delete_item(Key=store.key(monitor_id), ReturnValues="ALL_OLD")
    if "Attributes" not in reply:
        return False
    _delete_log(table, monitor_id)
    return True


def _delete_log(table, monitor_id: str) -> None:
    from boto3.dynamodb.conditions import Key

    condition = Key("pk").eq(f"LOG#{monitor_id}")
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
