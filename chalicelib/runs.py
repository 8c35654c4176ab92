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

from decimal import Decimal

from chalicelib import aws, clock

_TABLE = "SITES_TABLE"
KEEP = 90 * 86400  # runs and their items expire after 90 days
OUTCOMES = ("triggered", "skipped", "failed", "duplicate")


def _key(run_id: str, sk: str = "RUN") -> dict:
    return {"pk": f"RUN#{run_id}", "sk": sk}


def create(run_id: str, *, site: str, job: str, period: str) -> bool:
    """Write a new run record; False when this run already exists."""
    from botocore.exceptions import ClientError

    started = clock.iso(clock.now())
    try:
        aws.table(_TABLE).put_item(
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
        return True
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise


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
    from botocore.exceptions import ClientError

    now = clock.iso(clock.now())
    expires = int(clock.epoch()) + KEEP
    entry = {"item": item, "outcome": outcome, "at": now, "expires_at": expires, **detail}
    names, adds = {"#o": outcome}, "done :one, #o :one"
    if status is not None:
        entry["status"] = status
        names["#st"] = f"status_{status}"
        adds += ", #st :one"
    writes = [
        {
            "Put": {
                "Item": {**_key(run_id, f"ITEM#{item}"), **entry},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        },
        {
            "Update": {
                "Key": _key(run_id),
                "UpdateExpression": f"ADD {adds}",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": {":one": 1},
            }
        },
    ]
    if outcome == "failed":
        writes.append({"Put": {"Item": {**_key(run_id, f"FAIL#{item}"), **entry}}})
    table_name = aws.table(_TABLE).name
    for write in writes:
        write[next(iter(write))]["TableName"] = table_name
    try:
        aws.client("dynamodb").transact_write_items(TransactItems=_low_level(writes))
        return True
    except ClientError as error:
        if error.response["Error"]["Code"] == "TransactionCanceledException":
            reasons = error.response.get("CancellationReasons", [])
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                return False
        raise


def _low_level(writes: list[dict]) -> list[dict]:
    from boto3.dynamodb.types import TypeSerializer

    serialize = TypeSerializer().serialize
    for write in writes:
        body = next(iter(write.values()))
        for field in ("Item", "Key", "ExpressionAttributeValues"):
            if field in body:
                body[field] = {k: serialize(v) for k, v in body[field].items()}
    return writes


def finish_if_done(run_id: str, *, error: str | None = None) -> dict | None:
    """Close the run once every listed item has an outcome (or listing failed).

    Returns the finished run to the one caller that closed it, else None.
    """
    from botocore.exceptions import ClientError

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
    try:
        new = aws.table(_TABLE).update_item(
            Key=_key(run_id),
            UpdateExpression=expression,
            ConditionExpression="attribute_not_exists(finished)",
            ExpressionAttributeNames={"#s": "state", **({"#e": "error"} if error else {})},
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
    except ClientError as failure:
        if failure.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return None
        raise
    return new["Attributes"]


def failures(run_id: str, limit: int = 100) -> list[dict]:
    from boto3.dynamodb.conditions import Key

    items = aws.table(_TABLE).query(
        KeyConditionExpression=Key("pk").eq(f"RUN#{run_id}") & Key("sk").begins_with("FAIL#"),
        Limit=limit,
    )["Items"]
    return [_plain({k: v for k, v in i.items() if k in ("item", "error", "at")}) for i in items]


def items(run_id: str, outcome: str | None = None, limit: int = 1000) -> list[dict]:
    from boto3.dynamodb.conditions import Attr, Key

    query = {
        "KeyConditionExpression": Key("pk").eq(f"RUN#{run_id}") & Key("sk").begins_with("ITEM#"),
    }
    if outcome:
        query["FilterExpression"] = Attr("outcome").eq(outcome)
    found, table = [], aws.table(_TABLE)
    while len(found) < limit:
        page = table.query(**query)
        found.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            break
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    hidden = {"pk", "sk", "expires_at"}
    return [_plain({k: v for k, v in i.items() if k not in hidden}) for i in found[:limit]]


def recent(limit: int = 50, *, site: str | None = None, job: str | None = None) -> list[dict]:
    from boto3.dynamodb.conditions import Attr, Key

    query = {
        "IndexName": "gsi1",
        "KeyConditionExpression": Key("gsi1pk").eq("RUNS"),
        "ScanIndexForward": False,
    }
    conditions = [Attr(name).eq(value) for name, value in (("site", site), ("job", job)) if value]
    if conditions:
        query["FilterExpression"] = (
            conditions[0] if len(conditions) == 1 else conditions[0] & conditions[1]
        )
    found, table = [], aws.table(_TABLE)
    while len(found) < limit:
        page = table.query(**query)
        found.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            break
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return [summary(run) for run in found[:limit]]


def summary(run: dict) -> dict:
    """The public view of a run record."""
    from chalicelib.groupserver import meaning

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


def _plain(item: dict) -> dict:
    return {k: int(v) if isinstance(v, Decimal) else v for k, v in item.items()}


# ---- HTTP API ----------------------------------------------------------------------


def api_list(query: dict | None) -> dict:
    """GET /runs?site=&job=&limit= : newest first."""
    from chalice import BadRequestError

    query = query or {}
    unknown = set(query) - {"site", "job", "limit"}
    if unknown:
        raise BadRequestError(f"unknown query parameters: {', '.join(sorted(unknown))}")
    raw = query.get("limit", "50")
    if not raw.isdigit() or not 1 <= int(raw) <= 200:
        raise BadRequestError("limit must be a whole number from 1 to 200")
    runs = recent(int(raw), site=query.get("site"), job=query.get("job"))
    return {"runs": runs}


def api_get(run_id: str, query: dict | None) -> dict:
    """GET /runs/{id}[?outcome=...] : the run, its failures, optionally its items."""
    from chalice import BadRequestError, NotFoundError

    query = query or {}
    unknown = set(query) - {"outcome"}
    if unknown:
        raise BadRequestError(f"unknown query parameters: {', '.join(sorted(unknown))}")
    outcome = query.get("outcome")
    if outcome is not None and outcome not in (*OUTCOMES, "all"):
        raise BadRequestError(f"outcome must be one of {', '.join((*OUTCOMES, 'all'))}")
    run = get(run_id) if len(run_id) <= 200 else None
    if run is None:
        raise NotFoundError(f"no run {run_id}")
    view = {**summary(run), "failures": failures(run_id)}
    if outcome:
        view["items"] = items(run_id, None if outcome == "all" else outcome)
    return view
