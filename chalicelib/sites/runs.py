"""Run records: one per scheduled job on one site, with its counts and failures.

Layout in SITES_TABLE:
  pk=RUN#<id> sk=RUN         the run: site, job, period, started, finished,
                             listed, and one counter per outcome
  pk=RUN#<id> sk=ITEM#<key>  one item's outcome (a profile's status reply...)
  pk=RUN#<id> sk=FAIL#<key>  the failures, so a report reads them directly
Runs are listed newest first through gsi1 (gsi1pk=RUNS, gsi1sk=started#id).

An item's outcome is written once, in a transaction with the run's counters
(the ITEM put is conditional), so a redelivered message never counts twice.
A run ends when its outcomes reach `listed`: the handler whose write gets
there finishes it (a conditional update, so exactly one does) and reports.
"""

from chalicelib.core import aws, clock, events, idempotency, values
from chalicelib.core.observability import count, logger

_TABLE = "SITES_TABLE"
KEEP = 90 * 86400  # runs and their items expire after 90 days
OUTCOMES = ("triggered", "skipped", "failed", "duplicate")


def _key(run_id: str, sk: str = "RUN") -> dict:
    return {"pk": f"RUN#{run_id}", "sk": sk}


def create(run_id: str, *, site: str, job: str, period: str) -> bool:
    """Write a new run record; False when this run already exists."""
    started = clock.iso(clock.now())
    created = aws.conditional(
        aws.table(_TABLE).put_item,
        Item={
            **_key(run_id),
            "gsi1pk": "RUNS",
            "gsi1sk": f"{started}#{run_id}",
            "run_id": run_id,
            "site": site,
            "job": job,
            "period": period,
            "started": started,
            "state": "listing",
            "listed": 0,
            "done": 0,
            **{outcome: 0 for outcome in OUTCOMES},
            "expires_at": int(clock.epoch()) + KEEP,
        },
        ConditionExpression="attribute_not_exists(pk)",
    )
    return created is not None


def get(run_id: str) -> dict | None:
    return aws.table(_TABLE).get_item(Key=_key(run_id), ConsistentRead=True).get("Item")


def set_listed(run_id: str, listed: int) -> None:
    aws.table(_TABLE).update_item(
        Key=_key(run_id),
        UpdateExpression="SET listed = :n, #s = :running",
        ExpressionAttributeNames={"#s": "state"},
        ExpressionAttributeValues={":n": listed, ":running": "running"},
    )


def mark_enqueued(run_id: str) -> None:
    aws.table(_TABLE).update_item(
        Key=_key(run_id),
        UpdateExpression="SET enqueued = :t",
        ExpressionAttributeValues={":t": True},
    )


def record(run_id: str, item: str, outcome: str, *, status: int | None = None, **detail) -> bool:
    """Record one item's outcome and count it; False when it was already recorded."""

    entry = {"item": item, "outcome": outcome, "at": clock.iso(clock.now()), **detail}
    entry["expires_at"] = int(clock.epoch()) + KEEP
    if status is not None:
        entry["status"] = status
    table_name = aws.table(_TABLE).name
    writes = _outcome_writes(run_id, entry)
    for write in writes:
        write[next(iter(write))]["TableName"] = table_name
    # The resource's client takes plain Python values, as Table calls do.
    done = aws.conditional(
        aws.dynamodb().meta.client.transact_write_items,
        TransactItems=writes,
    )
    # Only the ITEM put has a condition: refused means "recorded already".
    return done is not None


def _outcome_writes(run_id: str, entry: dict) -> list[dict]:
    """The item's outcome (once only) and the run's counters, for one transaction."""
    names, adds = {"#o": entry["outcome"]}, "done :one, #o :one"
    if "status" in entry:
        names["#st"] = f"status_{entry['status']}"
        adds += ", #st :one"
    item = {**_key(run_id, f"ITEM#{entry['item']}"), **entry}
    counters = {
        "Key": _key(run_id),
        "UpdateExpression": f"ADD {adds}",
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": {":one": 1},
    }
    writes = [
        {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": counters},
    ]
    if entry["outcome"] == "failed":  # also under FAIL#, so a report reads failures alone
        writes.append({"Put": {"Item": {**item, "sk": f"FAIL#{entry['item']}"}}})
    return writes


def finish_if_done(run_id: str, *, error: str | None = None) -> dict | None:
    """Close the run once every listed item has an outcome (or listing failed).

    Returns the finished run to the one caller that closed it, else None.
    """

    run = get(run_id)
    if run is None or run.get("finished"):
        return None
    if error is None and (run["state"] != "running" or run["done"] < run["listed"]):
        return None
    state = "failed" if error or run["failed"] else "finished"
    values = {":f": clock.iso(clock.now()), ":s": state}
    expression = "SET finished = :f, #s = :s"
    if error:
        expression += ", #e = :e"
        values[":e"] = error
    new = aws.conditional(
        aws.table(_TABLE).update_item,
        Key=_key(run_id),
        UpdateExpression=expression,
        ConditionExpression="attribute_not_exists(finished)",
        ExpressionAttributeNames={"#s": "state", **({"#e": "error"} if error else {})},
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
    )
    # None: another handler closed it first.
    return new and new["Attributes"]


def _in_run(run_id: str, prefix: str):
    from boto3.dynamodb.conditions import Key

    return Key("pk").eq(f"RUN#{run_id}") & Key("sk").begins_with(prefix)


def failures(run_id: str, limit: int = 100) -> list[dict]:
    condition = _in_run(run_id, "FAIL#")
    found = aws.query_all(aws.table(_TABLE), limit, KeyConditionExpression=condition, Limit=limit)
    return [
        values.plain({k: v for k, v in i.items() if k in ("item", "error", "at")}) for i in found
    ]


def items(run_id: str, outcome: str | None = None, limit: int = 1000) -> list[dict]:
    from boto3.dynamodb.conditions import Attr

    query = {"KeyConditionExpression": _in_run(run_id, "ITEM#")}
    if outcome:
        query["FilterExpression"] = Attr("outcome").eq(outcome)
    found = aws.query_all(aws.table(_TABLE), limit, **query)
    hidden = {"pk", "sk", "expires_at"}
    return [values.plain({k: v for k, v in i.items() if k not in hidden}) for i in found]


def recent(limit: int = 50, *, site: str | None = None, job: str | None = None) -> list[dict]:
    """Run summaries, newest first (gsi1), optionally of one site and/or job."""
    from boto3.dynamodb.conditions import Attr, Key

    query = {
        "IndexName": "gsi1",
        "KeyConditionExpression": Key("gsi1pk").eq("RUNS"),
        "ScanIndexForward": False,
    }
    wanted = [Attr(name).eq(value) for name, value in (("site", site), ("job", job)) if value]
    if wanted:
        query["FilterExpression"] = wanted[0] if len(wanted) == 1 else wanted[0] & wanted[1]
    return [summary(run) for run in aws.query_all(aws.table(_TABLE), limit, **query)]


def summary(run: dict) -> dict:
    """The public view of a run record."""
    from chalicelib.sites.groupserver import meaning

    codes = sorted(
        (int(name[len("status_") :]) for name in run if name.startswith("status_")), reverse=True
    )
    skipped = {str(code): int(run[f"status_{code}"]) for code in codes if code != 0}
    view = {
        "id": run["run_id"],
        "site": run["site"],
        "job": run["job"],
        "period": run["period"],
        "state": run["state"],
        "started": run["started"],
        "finished": run.get("finished"),
        "counts": {
            "listed": int(run["listed"]),
            "triggered": int(run["triggered"]),
            "skipped": int(run["skipped"]),
            "skipped_by_status": {
                code: {"count": n, "meaning": meaning(int(code))} for code, n in skipped.items()
            },
            "failed": int(run["failed"]),
            "duplicate": int(run["duplicate"]),
        },
    }
    if run.get("error"):
        view["error"] = run["error"]
    return view


def view(run_id: str, outcome: str | None = None) -> dict | None:
    """The run, its failures and (outcome given, "all" for every one) its items."""
    run = get(run_id)
    if run is None:
        return None
    shown = {**summary(run), "failures": failures(run_id)}
    if outcome:
        shown["items"] = items(run_id, None if outcome == "all" else outcome)
    return shown


# ---- outcomes and reports ---------------------------------------------------------


def settle(run_id: str, key: str, result: str, **detail) -> None:
    """Record the outcome of an item the site acted on; never raises (the
    caller must not fail the message, or its redelivery would act again)."""
    for _ in range(idempotency.WRITE_TRIES):
        try:
            return outcome(run_id, key, result, **detail)
        except Exception as error:  # noqa: BLE001 - tried again, then logged
            last = error
    logger.error("site job outcome not recorded", extra={"run": run_id, "item": key,
                                                          "error": str(last)})  # fmt: skip
    count("SiteJobOutcomeLost")


def outcome(run_id: str, key: str, result: str, **detail) -> None:
    """Record one item's outcome; the write that completes the run reports it."""
    if record(run_id, key, result, **detail):
        report(finish_if_done(run_id))


def report(run: dict | None) -> None:
    """Tell the world a run ended: an event, and an alarmable metric on failure."""
    if run is None:
        return
    shown = summary(run)
    source = f"{shown['site']}/{shown['job']}"
    if shown["state"] == "failed":
        count("SiteJobRunsFailed")
        logger.error("job.failed", extra={"run": shown})
        events.emit("job.failed", source, shown)
    else:
        count("SiteJobRunsFinished")
        logger.info("job.finished", extra={"run": shown})
        events.emit("job.finished", source, shown)
