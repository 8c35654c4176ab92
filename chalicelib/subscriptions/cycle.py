"""The subscription cycle: find due pairs, ask each resource once, notify.

check_cycle() (every 5 minutes) queries the sparse `due` index for the
(subscription, resource) pairs whose next check has come, never scanning
the rest. Each resource is asked once whether anything changed since the
oldest last check among its due pairs; if not, those pairs move to their
next check without a fetch. Otherwise each due pair is leased (a
conditional update that moves its due_at to the lease's end, so a crashed
worker's pair comes back by itself) and gets one job on the notify queue.

handle() runs the jobs. A job fetches the window [last_check_time, until),
where `until` is fixed on the pair before the first fetch and kept until
the window succeeds: a retry reads the same window and derives the same
mail ids, so the outbox sends each mail once. On success last_check_time
becomes `until` (what changed during the fetch falls in the next window);
on any failure only the lease is released and the next cycle retries.
"""

import json
import uuid

from chalicelib.core import aws, clock, sqs
from chalicelib.core.observability import count, logger
from chalicelib.subscriptions import feed, mail, pairs, store, telling

LEASE_SECONDS = 600


def due_pairs(now: int) -> list[dict]:
    from boto3.dynamodb.conditions import Key

    condition = Key("due_pk").eq(pairs.DUE) & Key("due_at").lte(now)
    return aws.query_all(_table(), IndexName="due", KeyConditionExpression=condition)


def check_cycle() -> dict:
    now = int(clock.epoch())
    due = due_pairs(now)
    by_url: dict[str, list[dict]] = {}
    for pair in due:
        by_url.setdefault(pair["url"], []).append(pair)
    summary = {"due": len(due), "unchanged": 0, "queued": 0, "feed_errors": 0, "busy": 0,
               "errors": 0}  # fmt: skip
    jobs = []
    for url, changed in _ask_each(by_url).items():
        waiting = by_url[url]
        if isinstance(changed, feed.FeedError):
            # The pairs stay due: the next cycle asks again.
            logger.warning("feed check failed", extra={"url": url, "error": str(changed)})
            count("SubscriptionFeedErrors")
            summary["feed_errors"] += len(waiting)
            for pair in waiting:
                _note_error(pair, str(changed))
            continue
        for pair in waiting:
            try:
                lease = _step(pair, changed, now, summary)
            except Exception:  # noqa: BLE001 - one pair's fault: it stays due, or its lease lapses
                logger.exception("pair not checked", extra={"pair": pair.get("sk")})
                summary["errors"] += 1
                continue
            if lease:
                jobs.append({"subscription": pair["subscription"], "resource": pair["resource"],
                             "lease": lease})  # fmt: skip
    summary["queued"] = _enqueue(jobs)
    logger.info("subscriptions checked", extra=summary)
    return summary


def _step(pair: dict, changed: bool, now: int, summary: dict) -> str | None:  # the lease id
    if not changed:
        summary["unchanged"] += _advance(pair, now)
        return None
    lease = _lease(pair, now)
    summary["busy"] += lease is None
    return lease


def _ask_each(by_url: dict[str, list[dict]]) -> dict:
    """Each URL asked once, side by side: one slow feed must not eat the cycle."""
    from concurrent.futures import ThreadPoolExecutor

    def ask(url: str):
        try:
            return feed.changed_since(url, min(p["last_check_time"] for p in by_url[url]))
        except feed.FeedError as error:
            return error

    with ThreadPoolExecutor(max_workers=min(8, len(by_url) or 1)) as pool:
        return dict(zip(by_url, pool.map(ask, by_url), strict=True))


def _table():
    return aws.table(store.TABLE)


def _key(pair: dict) -> dict:
    return {"pk": pair["pk"], "sk": pair["sk"]}


def _conditional(pair: dict, **update) -> dict | None:
    """The update's reply, or None when its condition did not hold (someone
    else leased, finished, replaced or deleted the pair first)."""
    return aws.conditional(_table().update_item, Key=_key(pair), **update)


CLEARED = ["lease_id", "lease_until", "window_until", "last_error"]


def _advance(pair: dict, now: int) -> int:
    """Nothing changed: the pair moves on to its next check, unfetched."""
    expression, values = pairs.schedule(pair, now, [], CLEARED)
    moved = _conditional(
        pair,
        UpdateExpression=expression,
        ConditionExpression="due_at <= :now AND last_check_time = :last",
        ExpressionAttributeValues={**values, ":now": now, ":last": pair["last_check_time"]},
    )
    return int(moved is not None)


def _lease(pair: dict, now: int) -> str | None:
    lease = uuid.uuid4().hex
    taken = _conditional(
        pair,
        UpdateExpression="SET lease_id = :lease, lease_until = :until, due_at = :until",
        ConditionExpression="due_at <= :now",
        ExpressionAttributeValues={":lease": lease, ":until": now + LEASE_SECONDS, ":now": now},
    )
    return lease if taken else None


def _job_pair(job: dict) -> dict:
    return {"pk": f"SUBSCRIPTION#{job['subscription']}", "sk": f"RESOURCE#{job['resource']}"}


def _release(pair: dict, lease: str, error: str) -> None:
    """Give the pair back as it was: due again at its unchanged next check."""
    _conditional(
        pair,
        UpdateExpression="SET due_at = next_check_time, last_error = :error "
        "REMOVE lease_id, lease_until",
        ConditionExpression="lease_id = :lease",
        ExpressionAttributeValues={":lease": lease, ":error": error[:500]},
    )


def _note_error(pair: dict, error: str) -> None:
    """Shown on the pair (`last_error`) until a check succeeds; the pair stays
    due as it was. A leased pair is left to its worker's own outcome."""
    try:
        _conditional(
            pair,
            UpdateExpression="SET last_error = :error",
            ConditionExpression="attribute_exists(pk) AND attribute_not_exists(lease_id)",
            ExpressionAttributeValues={":error": f"feed check: {error}"[:500]},
        )
    except Exception:  # noqa: BLE001 - a note lost is no work lost: the pair stays due
        logger.warning("feed error not noted on its pair", extra={"pair": pair.get("sk")})


def _enqueue(jobs: list[dict]) -> int:
    """Queue the jobs; a job the queue refuses gives its lease back at once,
    so the next cycle takes the pair again (nothing is lost; a release that
    fails leaves the lease, which lapses by itself)."""
    try:
        sqs.send("notify", jobs)
        return len(jobs)
    except sqs.Refused as refused:
        logger.warning("notify queue refused jobs", extra={"error": str(refused)})
        for job in refused.unsent:
            try:
                _release(_job_pair(job), job["lease"], "could not queue the notify job")
            except Exception:  # noqa: BLE001 - the lease lapses by itself
                logger.warning("lease not released; it lapses by itself")
        return len(jobs) - len(refused.unsent)


# ---- the notify queue -------------------------------------------------------------


def handle(event: dict, context=None) -> dict:
    """SQS batch handler. Failures release the lease; the cycle retries them."""
    # A job may page through its feed for a while; one not started is redelivered.
    return sqs.each_record(event, _handle_record, name="Notify", context=context, reserve=30)


def _handle_record(record: dict) -> bool:
    try:
        outcome = run(json.loads(record["body"]))
    except Exception as error:  # noqa: BLE001 - the cycle retries it: never redelivered
        logger.exception("notify job failed", extra={"body": str(record.get("body"))[:500]})
        outcome = "failed"
        _release_after_crash(record.get("body"), error)
    count(f"SubscriptionJob{outcome.capitalize()}")
    return True


def _release_after_crash(body: str, error: Exception) -> None:
    try:
        job = json.loads(body)
        _release(_job_pair(job), job["lease"], f"{type(error).__name__}: {error}")
    except Exception:  # noqa: BLE001 - the lease then lapses by itself
        logger.warning("lease not released; it lapses by itself")


def run(job: dict) -> str:
    """One (subscription, resource) job: 'sent', 'quiet', 'failed' or 'stale'."""
    loaded = store.load(job["subscription"])
    pair = loaded and loaded["pairs"].get(job["resource"])
    if not pair or pair.get("lease_id") != job["lease"]:
        return "stale"  # done already, deleted, or leased again by a newer job
    pair = _open_window(pair, job["lease"])
    if pair is None:
        return "stale"
    subscription = loaded["subscription"]
    try:
        changes = feed.fetch(
            pair["url"],
            since=pair["last_check_time"],
            until=pair["window_until"],
            kinds=list(subscription["notify_on"]),
            filter=json.loads(subscription["filter_json"]),
            subscriber=subscription["subscriber"],
        )
    except feed.FeedError as error:
        logger.warning("feed fetch failed", extra={"url": pair["url"], "error": str(error)})
        _release(pair, job["lease"], str(error))
        return "failed"
    items = mail.label(
        changes.records, pair["last_check_time"], subscription["notify_on"],
        pair.get("boundary_ids", []),
    )  # fmt: skip
    told = telling.tell(subscription, pair, items, changes.truncated) if items else 0
    if told:
        telling.announce(subscription, pair, items, told)
    _finish(pair, job["lease"], _checked_up_to(pair, changes))
    return "sent" if told else "quiet"


def _open_window(pair: dict, lease: str) -> dict | None:
    """Fix the window's end before the first fetch; a retry keeps it."""
    reply = _conditional(
        pair,
        UpdateExpression="SET window_until = if_not_exists(window_until, :now)",
        ConditionExpression="lease_id = :lease",
        ExpressionAttributeValues={":now": clock.iso(clock.now()), ":lease": lease},
        ReturnValues="ALL_NEW",
    )
    return reply and reply["Attributes"]


def _checked_up_to(pair: dict, changes) -> tuple[str, list[str] | None]:
    """The new last check: the window's end; or, when the page limit cut the
    fetch short, the newest record read (the feed sends oldest first) with
    the ids shown at that instant, so the next window neither repeats nor
    skips a record."""
    if not changes.truncated or not changes.records:
        return pair["window_until"], None
    newest = max(r.modified_on for r in changes.records)
    return clock.iso(newest), [r.id for r in changes.records if r.modified_on == newest]


def _finish(pair: dict, lease: str, checked: tuple[str, list[str] | None]) -> None:
    """Move the pair past the window and give the lease back. The next check
    is computed from the pair as stored: if the subscription was replaced
    meanwhile (another frequency), the update is refused and redone from a
    fresh read, so a switch to `never` is never undone by a running job."""
    until, boundary = checked
    sets, values = ["last_check_time = :until"], {":until": until, ":lease": lease}
    if boundary:
        sets.append("boundary_ids = :shown")
        values[":shown"] = boundary
    removes = CLEARED if boundary else [*CLEARED, "boundary_ids"]
    for _attempt in range(3):
        expression, schedule = pairs.schedule(pair, int(clock.epoch()), sets, removes)
        done = _conditional(
            pair,
            UpdateExpression=expression,
            ConditionExpression="lease_id = :lease AND frequency = :frequency "
            "AND next_check_time = :scheduled",
            ExpressionAttributeValues={
                **values, **schedule,
                ":frequency": pair["frequency"], ":scheduled": pair["next_check_time"],
            },
        )  # fmt: skip
        if done:
            return
        pair = _table().get_item(Key=_key(pair), ConsistentRead=True).get("Item") or {}
        if pair.get("lease_id") != lease:
            break
    logger.warning("lease lost before the pair was updated", extra={"pair": pair.get("sk")})
