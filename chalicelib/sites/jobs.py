"""Scheduled site jobs: list a site's work, fan it out on SQS, trigger each item.

start() runs on a schedule: for each site that enables the job it opens a
run, lists the items through the site's list web-hook, and puts one message
per item on the site-jobs queue (ten per SendMessageBatch). handle() is the
queue handler: it triggers one item through the site's send web-hook, at most
once per (site, group, day) or (site, profile, month), and records the
outcome in the run. A failed send is retried with backoff; on the queue's
last try it is counted as failed and the message goes to the dead-letter
queue. The handler whose outcome completes a run reports it.
"""

import json
import os
import time
from datetime import datetime, timedelta

from chalicelib.core import clock, idempotency, sqs
from chalicelib.core.observability import count, logger
from chalicelib.sites import config, runs, throttle
from chalicelib.sites import groupserver as gs

DIGEST, PROFILE = "digest", "profile-status"
MAX_ATTEMPTS = 5  # the site-jobs queue's maxReceiveCount (infra/resources.yaml)
BUDGET = 40  # seconds of a 60 s invocation a batch may spend waiting for throttle slots
NO_REPLY = "no reply (the site may have sent it)"
_TTL = {DIGEST: 3 * 86400, PROFILE: 62 * 86400}
LIST = "list"  # a message that lists a run again: its list step failed
LIST_WAIT = (60, 900)  # seconds: first wait, longest wait between tries of a list step
MAX_TEXT = 200  # run, site, period: longer is no message start() sent


# ---- the schedules -------------------------------------------------------------


def start(job: str, event: dict | None = None) -> dict:
    """Open a run per site that enables job; returns what each did."""
    when = _event_time(event or {})
    try:
        enabled = config.for_job(job)
    except config.ConfigError as error:
        # No site can be named, so no run record can hold this: the alarm on
        # SiteJobRunsFailed and the job.failed line are how an operator hears of it.
        count("SiteJobRunsFailed")
        logger.error("job.failed", extra={"job": job, "error": str(error)})
        return {"job": job, "runs": [], "error": str(error)}
    started, errors = [], []
    for site in enabled:
        try:
            started.append(_start_site(site, job, when))
        except Exception as error:  # noqa: BLE001 - the other sites still start
            logger.exception("site run not started", extra={"site": site.name, "job": job})
            errors.append(error)
    if errors:
        # Lambda retries the event: its runs are found again, and only the
        # ones not yet listed and fanned out are listed again.
        raise errors[0]
    return {"job": job, "runs": started}


def _event_time(event: dict) -> datetime:
    try:
        return datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%S%z")
    except (KeyError, TypeError, ValueError):
        return clock.now()


def period_of(job: str, when: datetime) -> str:
    return when.strftime("%Y-%m-%d" if job == DIGEST else "%Y-%m")


def _start_site(site: config.Site, job: str, when: datetime) -> dict:
    # One run per schedule firing: a redelivered event finds its run and only
    # completes an enqueue that was cut short (items are claimed, never re-sent).
    run_id = f"{job}-{site.name}-{when:%Y%m%dT%H%M%SZ}"
    period = period_of(job, when)
    if not runs.create(run_id, site=site.name, job=job, period=period):
        existing = runs.get(run_id) or {}
        if existing.get("enqueued") or existing.get("finished"):
            return {"run": run_id, "site": site.name, "state": "already started"}
    day_ends = when.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    listing = {"step": LIST, "run": run_id, "site": site.name, "job": job, "period": period,
               "until": int(day_ends.timestamp()), "tries": 0}  # fmt: skip
    return {"site": site.name, **_list(listing, site)}


def _list(listing: dict, site: config.Site) -> dict:
    """List the run's items and fan them out; what fails is tried again later today."""
    run_id, job = listing["run"], listing["job"]
    try:
        items = list_items(job, site)
        runs.set_listed(run_id, len(items))
        # Items a refused batch left out come with the next listing; the ones
        # queued already are claimed, so listed twice they are triggered once.
        enqueue(run_id, site.name, job, listing["period"], items)
    except (config.ConfigError, gs.SiteError, sqs.Refused) as error:
        if not (isinstance(error, sqs.Refused) or gs.may_pass(error)):
            # The site answered, and what it said will not change by asking again.
            runs.report(runs.finish_if_done(run_id, error=f"list failed: {error}"))
            return {"run": run_id, "error": str(error)}
        return _list_later(listing, error)
    runs.mark_enqueued(run_id)
    if not items:
        runs.report(runs.finish_if_done(run_id))
    return {"run": run_id, "listed": len(items)}


def _list_later(listing: dict, error: Exception) -> dict:
    run_id, tries = listing["run"], listing["tries"] + 1
    wait = min(LIST_WAIT[1], LIST_WAIT[0] * 2 ** (tries - 1))
    logger.warning("site list failed", extra={"run": run_id, "try": tries, "error": str(error)})
    count("SiteListFailed")
    if clock.epoch() + wait > listing["until"]:
        # The day is over: this run is lost to it, and says so.
        runs.report(runs.finish_if_done(run_id, error=f"list failed: {error}"))
        return {"run": run_id, "error": str(error)}
    # Refused too: the trigger fails (Lambda retries the event, SQS the message).
    sqs.send("site-jobs", [{**listing, "tries": tries}], delay=wait)
    return {"run": run_id, "error": str(error), "retry_in": wait}


def list_items(job: str, site: config.Site) -> list:
    if job == DIGEST:
        return [list(pair) for pair in gs.get_digest_groups(site.url, site.token())]
    return gs.get_profile_ids(site.url, site.token())


def enqueue(run_id: str, site: str, job: str, period: str, items: list) -> int:
    """One message per item (core.sqs: ten to a request); returns the requests made."""
    messages = [
        {"run": run_id, "site": site, "job": job, "period": period, "item": item} for item in items
    ]
    return sqs.send("site-jobs", messages)


# ---- the queue handler -----------------------------------------------------------


def handle(event: dict, context=None, *, now=clock.epoch, sleep=time.sleep) -> dict:
    """SQS batch handler: trigger each item, report the ones to retry."""
    # A record starts only while a whole send web-hook call (gs.TIMEOUT) still
    # fits in the invocation, so Lambda's timeout never cuts a batch short.
    left = sqs.remaining(context)
    budget = BUDGET if left is None else min(BUDGET, left - gs.TIMEOUT - 5)
    deadline = now() + budget

    def one(record: dict) -> bool:
        if now() > deadline:
            # Hand the rest on as new messages (not failed tries, which would
            # move them towards the dead-letter queue).
            _defer(record, 0)
            return True
        return _process(record, now, sleep, deadline)

    return sqs.each_record(event, one, name="SiteJobs")


def item_key(job: str, item) -> str:
    return "/".join(item) if job == DIGEST else item


def _parse(record: dict) -> tuple[dict, config.Site]:
    """The message and its site; ValueError for anything start() would not have sent."""
    message = json.loads(record["body"])
    if not isinstance(message, dict):
        raise ValueError(f"not a job: {message!r}"[:500])
    if message.get("step") == LIST:
        return _parse_listing(message)
    job, item = message.get("job"), message.get("item")
    valid = (job == DIGEST and _texts(item, 2)) or (job == PROFILE and _texts([item], 1))
    fields = [message.get(name) for name in ("run", "site", "period")]
    site = config.named(fields[1]) if _texts(fields, 3) else None
    if not valid or site is None:
        raise ValueError(f"no such job, item or site in {message!r}"[:500])
    return message, site


def _parse_listing(message: dict) -> tuple[dict, config.Site]:
    fields = [message.get(name) for name in ("run", "site", "period")]
    numbers = [message.get(name) for name in ("until", "tries")]
    site = config.named(fields[1]) if _texts(fields, 3) else None
    if (
        site is None
        or message.get("job") not in (DIGEST, PROFILE)
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers)
    ):
        raise ValueError(f"not a list step: {message!r}"[:500])
    return message, site


def _texts(values, length: int) -> bool:
    # Bounded: a key part over DynamoDB's 2 KB would be refused on every try.
    return (
        isinstance(values, list)
        and len(values) == length
        and all(isinstance(value, str) and 0 < len(value) <= MAX_TEXT for value in values)
    )


def _process(record: dict, now, sleep, deadline: float) -> bool:
    try:
        message, site = _parse(record)
    except config.ConfigError as error:
        # SITES itself is broken (a bad deploy): keep the job for after the fix;
        # its last try leaves it in the dead-letter queue, from where it can be redriven.
        logger.error("site job waits for a valid SITES", extra={"error": str(error)})
        return False
    except (ValueError, KeyError, TypeError, RecursionError) as error:
        logger.error("site job dropped", extra={"error": str(error)[:500]})
        count("SiteJobDropped")
        return True
    if message.get("step") == LIST:
        _list(message, site)
        return True
    return _run_item(record, message, site, now, sleep, deadline)


def _run_item(record: dict, message: dict, site, now, sleep, deadline: float) -> bool:
    """Claim, trigger and record one item; False when SQS should deliver it again."""
    run_id, job, item = message["run"], message["job"], message["item"]
    key = item_key(job, item)
    claim = f"{job}:{site.name}:{key}:{message['period']}"
    if not idempotency.claim(claim, ttl=_TTL[job], lease=120, **sqs.claimant(record)):
        if idempotency.is_done(claim):
            runs.outcome(run_id, key, "duplicate")
            return True
        return False  # another handler holds it now: look again later
    try:
        outcome, status, reply = _trigger(site, job, item, now, sleep, deadline)
    except throttle.Busy as busy:
        idempotency.release(claim)
        _defer(record, busy.delay)
        return True
    except gs.NoReply as error:
        # Sent, reply lost: the site may have mailed it, so keep the claim (no second mail).
        idempotency.complete(claim)
        logger.warning(
            "site job got no reply", extra={"run": run_id, "item": key, "error": str(error)}
        )
        count("SiteJobErrors")
        runs.settle(run_id, key, "failed", error=NO_REPLY, site=site.name)
        return True
    except Exception as error:  # noqa: BLE001 - a failure is retried, then dead-lettered
        idempotency.release(claim)
        return _failed(record, run_id, site, key, error)
    # The site acted: "done" is retried (idempotency.complete), and from here
    # nothing may fail the record, or its redelivery would trigger it again.
    idempotency.complete(claim)
    detail = {"message": reply, "meaning": gs.meaning(status)} if status is not None else {}
    runs.settle(run_id, key, outcome, status=status, **detail)
    count("SiteJobTriggered" if outcome == "triggered" else "SiteJobSkipped")
    return True


def _trigger(site, job, item, now, sleep, deadline):
    """Call the send web-hook; (outcome, status, message)."""
    token = site.token()
    if job == DIGEST:
        gs.send_digest(site.url, item[0], item[1], token)
        return "triggered", None, None
    spacing = site.throttle
    if spacing <= 0:
        status, reply = gs.send_profile_status(site.url, item, token)
    else:
        start = throttle.reserve(site.name, spacing, now(), deadline)
        if start > now():
            sleep(start - now())
        try:
            status, reply = gs.send_profile_status(site.url, item, token)
        except gs.NoReply:
            raise  # the request went out: its slot was used
        except Exception:
            throttle.give_back(site.name, start, spacing, now())
            raise
        if status != 0:
            throttle.give_back(site.name, start, spacing, now())
    return ("triggered" if status == 0 else "skipped"), status, reply


def _failed(record: dict, run_id: str, site, key: str, error: Exception) -> bool:
    attempt = sqs.attempt(record)
    text = str(error) if isinstance(error, gs.SiteError) else f"{type(error).__name__}: {error}"
    logger.warning(
        "site job failed", extra={"run": run_id, "item": key, "attempt": attempt, "error": text}
    )
    count("SiteJobErrors")
    if attempt >= MAX_ATTEMPTS:  # the last try: count it; SQS moves it to the DLQ
        runs.outcome(run_id, key, "failed", error=text, site=site.name)
        return False
    # 30 s, 60 s, 120 s, 240 s; `make run` shortens the base so a local run ends soon.
    base = float(os.environ.get("SITE_JOBS_RETRY_SECONDS", "30"))
    sqs.retry_later("site-jobs", record, max(1, base * 2 ** (attempt - 1)))
    return False


def _defer(record: dict, delay: float) -> None:
    """Put the job back for later as a new message (the wait is not a failed try)."""
    sqs.send("site-jobs", [record["body"]], delay=max(1, delay))
