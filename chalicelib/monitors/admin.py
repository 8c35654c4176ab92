"""Creating, changing, pausing and deleting monitors (the original's config: seed_config).

Every change is a conditional write on the monitor's revision (`rev`, bumped
by every change and every success or fail ping), so a change never undoes a
ping or an alert that landed between our read and our write: we read again
and retry.
"""

from decimal import Decimal

from chalicelib.core import aws, clock
from chalicelib.core.errors import Conflict, Invalid
from chalicelib.monitors import channels, dependencies, due_index, rules, store, tag_windows


def _new_item(name: str, settings: dict, past: dict | None) -> dict:
    """A monitor's first item; after a delete, its URLs and log are new ones."""
    now = clock.now()
    gen = store.generation(past) + 1 if past else 1
    item = {
        **store.key(store.id_for(name)),
        "name": name,
        "shard_pk": due_index.shard(name),
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
    item = {field: value for field, value in item.items() if value is not None}
    if store.parked(item):
        item.update(parked=store.PARKED, due_pk=store.PARKED, due_at=Decimal(0))
    return item


def _write(item: dict, changes: dict, removes: list[str]) -> dict:
    """SET changes, REMOVE removes, bump rev; only if nobody changed the item since
    (and, if it joins a shared key's group, only if that key still exists).

    Returns the item as written: read back afterwards, it may be gone already.
    """
    joining = changes.get("group_digest")
    also = _key_check(changes) if joining and joining != item.get("group_digest") else None
    written = store.update_if_unchanged(
        item, {**changes, "updated_at": clock.iso(clock.now())}, removes, also=also
    )
    if written is None:
        raise Conflict
    return written


def placement(item: dict) -> tuple[dict, list[str]]:
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


def upsert(name: str, settings: dict, *, merge: bool = False) -> tuple[str, dict]:
    """Create or update; returns ("created"|"updated"|"unchanged", item).

    merge: settings not given keep their stored values (Healthchecks' update);
    otherwise the settings replace the monitor's (the original's config).
    """
    if not merge:
        settings = rules.validate(name, settings, where="monitor")
    return _retrying(lambda: _upsert_once(name, settings, merge))


def _upsert_once(name: str, given: dict, merge: bool = False) -> tuple[str, dict]:
    item = store.get(name)
    settings = given
    if merge:
        base = rules.settings_of(item) if item else {}
        settings = rules.validate(name, _merged(base, given), where="monitor")
    # Read on every attempt: a key revoked meanwhile is refused, not retried.
    settings = _with_group(settings)
    channels.check(settings)
    settings = {**settings, "tag_maintenance": tag_windows.for_tags(settings.get("tags"))}
    dependencies.check(name, settings.get("depends_on"), item and item.get("depends_on"))
    if item is None:
        outcome, written = "created", _create(name, settings)
    elif all(item.get(field) == value for field, value in settings.items()):
        return "unchanged", item
    else:
        sets, removes = placement({**item, **settings})
        outcome, written = "updated", _write(item, {**settings, **sets}, removes)
    dependencies.link(name, item and item.get("depends_on"), settings.get("depends_on"))
    return outcome, written


def apply(name: str, checked: dict) -> tuple[str, dict]:
    """upsert for settings rules.validate has checked already (a config import)."""
    return _retrying(lambda: _upsert_once(name, checked))


def _merged(base: dict, given: dict) -> dict:
    """given over base; a change of schedule kind drops the old kind's fields."""
    given_now = {field for field, value in given.items() if value is not None}
    naming = {"schedule_kind", "schedule", "timeout", "max_sleep"} & given_now
    if naming and base and rules.kind_of(given, "") != rules.kind_of(base, ""):
        base = {k: v for k, v in base.items() if k not in rules.KIND_FIELDS | {"schedule_kind"}}
    return {**base, **given}


def _with_group(settings: dict) -> dict:
    """A monitor in a shared key's group carries the key's digest, so a ping
    checks it in its one conditional write."""
    group = settings.get("group_key")
    if group is None:
        return {**settings, "group_digest": None}
    from chalicelib.monitors import ping_keys

    record = ping_keys.get(group)
    if record is None:
        raise Invalid(f"monitor.group_key: no shared ping key with id {group!r}")
    return {**settings, "group_digest": record["digest"]}


def _key_check(settings: dict) -> dict:
    from chalicelib.monitors import ping_keys

    return ping_keys.still_there(settings["group_key"])


def create_in_group(name: str, record: dict) -> dict:
    """A monitor a shared key made on `?create=1`: Healthchecks' defaults."""
    settings = {"schedule_kind": "simple", "group_key": record["key_id"]}
    settings = {**rules.validate(name, settings, where="name"), "group_digest": record["digest"]}
    return _create(name, settings)


def add_foreign_uuid(name: str, monitor_uuid: str) -> None:
    """Let another system's UUID for the monitor (an imported Healthchecks
    check's) ping and find it. Stored as a keyed hash, like Herald's own."""
    import uuid

    parsed = str(uuid.UUID(monitor_uuid))
    item = store.get(name)
    if item is None:
        raise Conflict(f"no monitor named {name!r}")
    alias = store.alias_key(parsed)
    monitor_id = item["pk"].removeprefix("MON#")
    aws.table(store.TABLE).put_item(
        Item={**alias, "monitor_id": monitor_id, "key_gen": Decimal(store.generation(item))}
    )
    if item.get("foreign_alias") != alias["pk"]:
        _retrying(lambda: _write(store.get(name), {"foreign_alias": alias["pk"]}, []))


def _create(name: str, settings: dict) -> dict:
    table = aws.table(store.TABLE)
    monitor_id = store.id_for(name)
    past = table.get_item(Key=store.past_key(monitor_id), ConsistentRead=True).get("Item")
    item = _new_item(name, settings, past)
    from chalicelib.monitors import directory

    check = [_key_check(item)] if item.get("group_digest") else []
    if not directory.create(item, check):  # with its entry, atomically
        if check:
            _with_group(item)  # the key was revoked: refused; else someone created it
        raise Conflict
    _set_alias(item)
    _flip(item, "paused" if item.get("paused") else "new", "created")
    return item


def _flip(item: dict, status: str, reason: str) -> None:
    from chalicelib.monitors import flips

    flips.record(item, status, clock.epoch(), reason)


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
    if item.get("foreign_alias"):
        # An imported UUID goes with the URLs it came with: rotated or deleted.
        aws.table(store.TABLE).delete_item(Key={"pk": item["foreign_alias"], "sk": "UUID"})


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
            item,
            {"key_gen": rotated["key_gen"], "key_digest": store.key_digest(key)},
            ["foreign_alias"],
        )
        _drop_alias(item)
        return written

    return _retrying(change)


def set_paused(name: str, paused: bool) -> dict | None:
    def change():
        item = store.get(name)
        if item is None or bool(item.get("paused")) == paused:
            return item, False
        changed = {**item, "paused": paused}
        if not paused:
            # Like a new monitor: no alert until it pings again.
            changed["status"] = "new"
        sets, removes = placement(changed)
        extra = {} if paused else {"status": "new"}
        if not paused:
            from chalicelib.monitors import resuming  # the checker's names, for resumes only

            removes += resuming.FORGOTTEN
        return _write(item, {"paused": paused, **extra, **sets}, removes), True

    item, changed = _retrying(change)
    if changed:
        _flip(item, "paused" if paused else "new", "paused" if paused else "resumed")
    return item


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
        from chalicelib.monitors import directory

        if not directory.remove(item):  # with its entry, atomically
            raise Conflict
        return item

    item = _retrying(change)
    if item is None:
        return False
    _drop_alias(item)
    dependencies.link(name, item.get("depends_on"), None)
    _delete_log(table, store.log_pk(monitor_id, item))
    return True


def _delete_log(table, log_pk: str) -> None:
    from boto3.dynamodb.conditions import Key

    condition = Key("pk").eq(log_pk)
    entries = aws.query_all(table, KeyConditionExpression=condition, ProjectionExpression="pk, sk")
    with table.batch_writer() as batch:
        for entry in entries:
            batch.delete_item(Key={"pk": entry["pk"], "sk": entry["sk"]})
