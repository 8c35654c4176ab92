"""Monitors are listed through directory entries that pings never touch
(directory.py): no ping writes gsi1, listing stays live, creates and deletes
are atomic with their entry, and old-shape monitors move on first listing."""

import contextlib
import json
from decimal import Decimal

import pytest

from tests.helpers import dynamodb_requests

SETTINGS = {"max_sleep": 300, "email_frequency": 3600, "device_email": "o@example.com"}


def _table():
    from chalicelib.core import aws
    from chalicelib.monitors import store

    return aws.table(store.TABLE)


def _stored(name: str, sk: str = "MON") -> dict | None:
    from chalicelib.monitors import store

    key = {"pk": f"MON#{store.id_for(name)}", "sk": sk}
    return _table().get_item(Key=key, ConsistentRead=True).get("Item")


def _in_gsi1() -> list[dict]:
    from boto3.dynamodb.conditions import Key

    from chalicelib.core import aws

    condition = Key("gsi1pk").eq("MONITORS")
    return aws.query_all(_table(), IndexName="gsi1", KeyConditionExpression=condition)


def _names() -> list[str]:
    from chalicelib.monitors import store

    return [item["name"] for item in store.list_all()]


def _old_shape(name: str, **fields) -> dict:
    """A monitor as deployments before the directory wrote it: in gsi1 itself."""
    from chalicelib.monitors import admin, rules

    settings = rules.validate(name, SETTINGS)
    item = {**admin._new_item(name, settings, None), "gsi1pk": "MONITORS", "gsi1sk": name}
    item.update(fields)
    _table().put_item(Item=item)
    return item


@contextlib.contextmanager
def _writes():
    """(operation, request) of every DynamoDB write made inside the block."""
    from chalicelib.core import aws

    seen, client = [], aws.dynamodb().meta.client

    def record(model, params, **kwargs):
        if model.name in ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"):
            seen.append((model.name, json.loads(params["body"])))

    client.meta.events.register("before-call.dynamodb", record)
    try:
        yield seen
    finally:
        client.meta.events.unregister("before-call.dynamodb", record)


def _keys(request: dict) -> list[tuple[str, str]]:
    """(operation, sk) of each monitor or entry a transaction writes."""
    found = []
    for write in request["TransactItems"]:
        [(operation, body)] = write.items()
        key = body.get("Key") or body.get("Item")
        found.append((operation, key["sk"]["S"]))
    return found


def _sk(request: dict) -> str:
    """The sort key a single write names."""
    return (request.get("Key") or request.get("Item"))["sk"]["S"]


# ---- pings ----------------------------------------------------------------------------


def test_a_ping_writes_no_gsi1_entry_of_its_monitor(make_monitor, ping):
    monitor = make_monitor("backup")
    entry = _stored("backup", "NAME")
    for suffix in ("", "start", "", "fail", ""):
        assert ping(monitor, suffix).status_code == 200
    item = _stored("backup")
    assert int(item["pings"]) == 5 and "gsi1pk" not in item and "gsi1sk" not in item
    assert _stored("backup", "NAME") == entry  # pings never touch it
    assert set(entry) == {"pk", "sk", "gsi1pk", "gsi1sk", "name"}
    assert [(i["sk"], i["name"]) for i in _in_gsi1()] == [("NAME", "backup")]


def test_listing_shows_every_monitor_live_after_pings(make_monitor, ping, clock):
    from chalicelib.core import clock as herald_clock
    from chalicelib.monitors import store

    monitors = [make_monitor(name) for name in ("zeta", "alpha", "mid")]
    for monitor in monitors[:2]:
        ping(monitor)
    clock.shift(5)
    ping(monitors[0])
    listed = store.list_all()
    assert [item["name"] for item in listed] == ["alpha", "mid", "zeta"]
    now = herald_clock.epoch()
    assert [store.status(item, now) for item in listed] == ["up", "new", "up"]
    assert [int(item["pings"]) for item in listed] == [1, 0, 2]
    assert listed[2]["last_ping"] == _stored("zeta")["last_ping"]


def test_a_listing_reads_its_monitors_a_hundred_at_a_time(aws):
    from chalicelib.monitors import admin, directory, rules

    settings = rules.validate("m", SETTINGS)
    with _table().batch_writer() as batch:
        for n in range(130):
            item = admin._new_item(f"m{n:03d}", settings, None)
            batch.put_item(Item=item)
            batch.put_item(Item=directory.entry(item))
    _names()  # warm the clients so the hook sees every request
    with dynamodb_requests() as calls:
        names = _names()
    assert names == [f"m{n:03d}" for n in range(130)]
    assert calls == ["Query", "BatchGetItem", "BatchGetItem"]


# ---- create and delete ----------------------------------------------------------------


def test_create_writes_the_monitor_and_its_entry_in_one_transaction(aws, make_monitor):
    with _writes() as writes:
        make_monitor("backup")
    transactions = [request for operation, request in writes if operation == "TransactWriteItems"]
    assert [_keys(request) for request in transactions] == [[("Put", "MON"), ("Put", "NAME")]]
    alone = [_sk(request) for operation, request in writes if operation != "TransactWriteItems"]
    assert "MON" not in alone and "NAME" not in alone  # the flip's and such only
    assert _names() == ["backup"]


def test_create_then_delete_leaves_no_directory_entry(make_monitor, ping):
    from chalicelib.monitors import admin

    ping(make_monitor("backup"))
    with _writes() as writes:
        assert admin.delete("backup") is True
    transactions = [request for operation, request in writes if operation == "TransactWriteItems"]
    assert [_keys(request) for request in transactions] == [[("Delete", "MON"), ("Delete", "NAME")]]
    assert _stored("backup") is None and _stored("backup", "NAME") is None
    assert _in_gsi1() == [] and _names() == []
    make_monitor("backup")  # created again: listed again, once
    assert _names() == ["backup"]


def test_a_failed_create_transaction_leaves_neither_monitor_nor_entry(aws, monkeypatch):
    from botocore.exceptions import ClientError

    from chalicelib.monitors import admin, store

    def crash(writes):
        raise ClientError({"Error": {"Code": "InternalServerError"}}, "TransactWriteItems")

    monkeypatch.setattr(store, "transact", crash)
    with pytest.raises(ClientError):
        admin.upsert("backup", SETTINGS)
    assert _stored("backup") is None and _stored("backup", "NAME") is None


def test_a_delete_that_lost_a_race_keeps_both_and_retries(make_monitor, ping, monkeypatch):
    from chalicelib.monitors import admin, directory

    monitor = make_monitor("backup")
    real, calls = directory.remove, []

    def raced(item):
        calls.append(item["name"])
        if len(calls) == 1:
            ping(monitor)  # lands between the delete's read and its write
        return real(item)

    monkeypatch.setattr(directory, "remove", raced)
    assert admin.delete("backup") is True
    assert len(calls) == 2
    assert _stored("backup") is None and _stored("backup", "NAME") is None


@pytest.mark.parametrize("code", ["TransactionConflict", "ConditionalCheckFailed"])
def test_a_cancelled_transaction_is_a_retry_not_a_fault(aws, monkeypatch, code):
    from botocore.exceptions import ClientError

    from chalicelib.core import aws as clients
    from chalicelib.monitors import directory

    def cancelled(**request):
        reasons = [{"Code": "None"}, {"Code": code}]
        error = {"Error": {"Code": "TransactionCanceledException"}, "CancellationReasons": reasons}
        raise ClientError(error, "TransactWriteItems")

    monkeypatch.setattr(clients.dynamodb().meta.client, "transact_write_items", cancelled)
    assert directory.transact([{"Put": {"Item": {"pk": "x", "sk": "NAME"}}}]) is False


# ---- listing what the index shows -----------------------------------------------------


def test_an_entry_whose_monitor_is_gone_is_not_listed(make_monitor):
    from chalicelib.monitors import directory

    make_monitor("kept")
    _table().put_item(Item=directory.entry({"pk": "MON#" + "0" * 32, "name": "gone"}))
    assert _names() == ["kept"]


def test_keys_a_throttled_batch_left_unread_are_read_one_by_one(make_monitor, monkeypatch):
    from chalicelib.monitors import due_index

    for name in ("a", "b", "c"):
        make_monitor(name)
    monkeypatch.setattr(due_index, "items", lambda keys, **options: [])  # all left unprocessed
    assert _names() == ["a", "b", "c"]


# ---- upgrading: old-shape monitors ----------------------------------------------------


def test_an_old_shape_monitor_is_listed_and_moved_out_of_gsi1(aws, ping):
    from chalicelib.monitors import store

    old = _old_shape("legacy", status="up", last_ping=Decimal(1), pings=Decimal(7))
    assert ping({"uuid": store.uuid_for("legacy")}).status_code == 200
    [listed] = store.list_all()
    assert listed["name"] == "legacy" and int(listed["pings"]) == 8
    item = _stored("legacy")
    assert "gsi1pk" not in item and "gsi1sk" not in item
    assert item["rev"] == _stored("legacy")["rev"] == old["rev"] + 1  # the ping's; no bump
    assert [(i["sk"], i["name"]) for i in _in_gsi1()] == [("NAME", "legacy")]
    with _writes() as writes:
        assert _names() == ["legacy"]
    assert writes == []  # moved once: later listings write nothing


def test_moving_an_old_shape_monitor_is_idempotent(aws):
    from chalicelib.monitors import directory

    old = _old_shape("legacy")
    assert directory._move(old) is True
    assert directory._move(old) is True
    assert _stored("legacy", "NAME") == directory.entry(old)
    assert [i["sk"] for i in _in_gsi1()] == ["NAME"]


def test_an_old_shape_monitor_deleted_before_its_move_gets_no_entry(aws):
    from chalicelib.monitors import directory

    old = _old_shape("legacy")
    _table().delete_item(Key={"pk": old["pk"], "sk": "MON"})
    assert directory._move(old) is False
    assert _stored("legacy") is None and _stored("legacy", "NAME") is None


def test_an_old_shape_monitor_deletes_cleanly(aws):
    from chalicelib.monitors import admin

    _old_shape("legacy")
    assert admin.delete("legacy") is True
    assert _in_gsi1() == [] and _names() == []


def test_old_shape_monitors_move_a_few_per_listing_and_are_all_listed(aws, monkeypatch):
    from chalicelib.monitors import directory

    monkeypatch.setattr(directory, "MOVES", 2)
    for name in ("a", "b", "c", "d", "e"):
        _old_shape(name)
    assert _names() == ["a", "b", "c", "d", "e"]
    assert sorted(i["name"] for i in _in_gsi1() if i["sk"] == "MON") == ["c", "d", "e"]
    assert _names() == ["a", "b", "c", "d", "e"]
    assert _names() == ["a", "b", "c", "d", "e"]
    assert [i["sk"] for i in _in_gsi1()] == ["NAME"] * 5


def test_an_admin_save_of_an_old_shape_monitor_keeps_it_listed(aws):
    from chalicelib.monitors import admin

    _old_shape("legacy")
    outcome, _ = admin.upsert("legacy", {**SETTINGS, "max_sleep": 600})
    assert outcome == "updated" and _names() == ["legacy"]
    assert int(_stored("legacy")["max_sleep"]) == 600
