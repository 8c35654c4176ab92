"""Maintenance windows per tag: every monitor with the tag is in maintenance
during them, as if the windows were its own (policy.py reads both).

A tag's windows are one item in the monitors table (pk TAGMAINT, sk the tag).
They are copied onto each monitor carrying the tag (`tag_maintenance`, the
windows of all its tags), so the ping path and the checker read nothing more:
when a tag's windows are set or removed, every monitor with that tag is
rewritten; when a monitor is written, its tags' windows are looked up (one
read). A copy is written as an edit is: on the monitor's revision, with a
look by the checker at once. A monitor written while its tag's windows
change may keep the old copy until either is written again: setting the
windows once more fixes it.
"""

from chalicelib.core import aws
from chalicelib.core.errors import Conflict, Invalid
from chalicelib.monitors import store

PK = "TAGMAINT"


def _key(tag: str) -> dict:
    return {"pk": PK, "sk": tag}


def all_tags() -> dict[str, list]:
    """{tag: windows} for every tag that has maintenance windows."""
    from boto3.dynamodb.conditions import Key

    found = aws.query_all(aws.table(store.TABLE), KeyConditionExpression=Key("pk").eq(PK))
    return {item["sk"]: item["windows"] for item in found}


def for_tags(tags) -> list | None:
    """The windows a monitor with `tags` inherits (None: none; no read without tags)."""
    if not tags:
        return None
    found = aws.batch_get(aws.table(store.TABLE), [_key(tag) for tag in sorted(set(tags))])
    return _joined({item["sk"]: item["windows"] for item in found}, tags)


def _joined(windows_by_tag: dict, tags) -> list | None:
    joined = [w for tag in sorted(set(tags or ())) for w in windows_by_tag.get(tag, ())]
    return joined or None


def put(tag, windows) -> list | None:
    """Set (None or []: remove) a tag's windows; rewrites its monitors' copies."""
    from chalicelib.core import windows as checking
    from chalicelib.monitors import rules

    if not isinstance(tag, str) or not rules.TAG.fullmatch(tag):
        raise Invalid("tag: must be 1-64 characters without spaces")
    checked = checking.check(windows, "windows")
    table = aws.table(store.TABLE)
    if checked:
        table.put_item(Item={**_key(tag), "windows": checked})
    else:
        table.delete_item(Key=_key(tag))
    by_tag = all_tags()
    for item in store.list_all():
        if tag in (item.get("tags") or ()):
            _copy(item, by_tag)
    return checked


def _copy(item: dict, by_tag: dict) -> None:
    """One monitor's copy, and a look by the checker now: a window removed or cut
    short may let it alert long before the old window's end (a month, say).

    Written on the monitor's revision, as an edit is (admin.placement), so a
    checker that read it before cannot write the next look the old windows gave.
    """
    from chalicelib.monitors import admin

    for _ in range(10):
        joined = _joined(by_tag, item.get("tags"))
        if item.get("tag_maintenance") == joined:
            return
        sets, removes = admin.placement({**item, "tag_maintenance": joined})
        if store.update_if_unchanged(item, {**sets, "tag_maintenance": joined}, removes):
            return
        item = store.get(item["name"])  # changed since it was listed: read it again
        if item is None:
            return
    raise Conflict(f"monitor {item['name']!r} kept changing; set the windows again")
