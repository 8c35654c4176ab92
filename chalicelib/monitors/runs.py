"""Runs: a finishing ping paired with the start it ends (its duration).

Nothing heavy here: the ping path imports it.
"""

# Healthchecks' rule: a start and an end more than 72 h apart are no run.
PAIRING = 72 * 3600


def pair(table, monitor_id: str, kind: str, rid: str | None, stamp, old: dict):
    """The start a finishing ping ends (None: no start to pair with).

    Without a run id the monitor's last start; with one, that id's own start,
    kept as an item that expires when pairing would no longer be allowed, so
    overlapping runs of one job are measured apart.
    """
    if kind not in ("start", "success", "fail"):
        return None
    if rid is None:
        return old.get("last_start") if kind != "start" else None
    run_key = {"pk": f"RUN#{monitor_id}", "sk": rid}
    if kind == "start":
        expires = int(stamp) + int(PAIRING)
        table.put_item(Item={**run_key, "t": stamp, "expires_at": expires})
        return None
    reply = table.delete_item(Key=run_key, ReturnValues="ALL_OLD")
    return reply.get("Attributes", {}).get("t")
