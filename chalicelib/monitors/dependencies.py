"""Dependencies: a monitor may name another it `depends_on` (the router a
device reaches the internet through, the host a job runs on).

While the parent is down, a child whose own need would be an alert (down,
fail, run too long) is "blocked" instead: the state says so, its outage is
closed, nobody is told. The checker looks at a blocked child each run (one
read of its parent); once the parent is no longer down the child is given
its own grace from that moment (`unblocked_at`) before it alerts normally.

The parent keeps the names of its children (`dependents`, a string set),
so its alerts list them without a query. The set is written after the child,
not in one transaction: a crash between the two leaves a parent alert that
misses (or still names) that child; the blocking itself reads only the
child's own `depends_on`, so it is never wrong.
"""

from chalicelib.core import aws
from chalicelib.core.errors import Invalid
from chalicelib.monitors import store

DEPTH = 10  # a chain longer than this is refused (and is surely a mistake)


def check(name: str, parent: str | None, before: str | None = None) -> None:
    """A newly named parent exists and closes no cycle; raises Invalid. (One
    named before may have been deleted since: it then blocks nothing.)"""
    if parent == before:
        return
    seen = {name}
    current = parent
    for _ in range(DEPTH):
        if current is None:
            return
        if current in seen:
            raise Invalid(f"monitor.depends_on: {parent!r} depends on {name!r}: a cycle")
        item = store.get(current)
        if item is None:
            raise Invalid(f"monitor.depends_on: no monitor named {current!r}")
        seen.add(current)
        current = item.get("depends_on")
    raise Invalid(f"monitor.depends_on: a chain of more than {DEPTH} monitors")


def link(name: str, old: str | None, new: str | None) -> None:
    """Keep the parents' lists of children as the child's setting now says."""
    if old == new:
        return
    if old is not None:
        _change(old, "DELETE", name)
    if new is not None:
        _change(new, "ADD", name)


def _change(parent: str, action: str, child: str) -> None:
    key = store.key(store.id_for(parent))
    aws.conditional(
        aws.table(store.TABLE).update_item,
        Key=key,
        UpdateExpression=f"{action} dependents :child",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues={":child": {child}},
    )


def apply(item: dict, kind: str, now: float) -> str | None:
    """The need `kind` with the parent considered: itself, "blocked" (the
    parent is down), "unblock" (it no longer is), or None (still blocked)."""
    if not item.get("depends_on") or kind not in ("down", "fail", "long"):
        return kind
    parent = store.get(item["depends_on"])
    down = parent is not None and _down(parent, now)
    blocked = item.get("status") == "blocked"
    if down:
        return None if blocked and kind == "down" else "blocked"
    return "unblock" if blocked else kind


def _down(parent: dict, now: float) -> bool:
    """Down, or about to be told so: a parent and a child silent since the same
    ping are due in the same checker run, in either order."""
    from chalicelib.monitors import alert_rule

    if store.status(parent, now) == "down":
        return True
    need = alert_rule.need(parent, now)
    return need is not None and need.kind in ("down", "fail", "long", "hold")
