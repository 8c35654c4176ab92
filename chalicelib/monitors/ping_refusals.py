"""A ping whose conditional write was refused: why, and what to do about it.

Most refusals are answers: a wrong key (403), no such monitor (404), too
many pings for one monitor (429, ping_rate.py). Some
are the write's own guards asking for the monitor's settings, which the
refusal returns (ReturnValuesOnConditionCheckFailure) so that no ping reads
the monitor first:
- a UUID that is not Herald's may be an imported check's: its alias names
  the monitor (one read, only for such UUIDs);
- a ping with a body on a monitor with keywords is classified by them, a GET
  or HEAD on a POST-only monitor is logged as ignored, and written again;
- a failure landing on an outage whose recovery is not told yet settles that
  recovery first, as the checker would (its claim ends the old outage), then
  opens an outage of its own. If the recovery cannot be settled now (DynamoDB
  or SQS failing), the failure is not recorded: 503 and Retry-After, so the
  client pings again and neither notice is lost.
"""

from chalicelib.core import aws, errors
from chalicelib.core.observability import count
from chalicelib.monitors import alert_rule, ping_rate, pings, store

ATTEMPTS = 3


def settle(error, monitor_id: str, ping: dict, stamp, who: dict, body: bytes):
    """(the monitor as it was, its id) once the ping is written; else raises."""
    told_recovery = False
    for _ in range(ATTEMPTS):
        item = aws.refused_item(error)
        found = _foreign(who) if item is None else None
        if found is not None:
            monitor_id, who["gen"] = found
        elif item is None or not pings.holds(item, who):
            raise _refusal(item, who)
        elif (wait := ping_rate.retry_after(item, float(stamp))) is not None:
            ping_rate.remember(monitor_id, who, float(stamp) + wait)
            count("MonitorPingsLimited")
            raise ping_rate.refusal(wait)
        elif _reclassified(item, ping, body):
            pass
        elif ping["kind"] == "fail" and alert_rule.recovery_untold(item):
            if alert_rule.recovery_held(item, float(stamp)):
                ping["held_at"] = item["held_at"]
            elif told_recovery:
                count("MonitorPingDeferred")
                raise errors.Unavailable(
                    "this monitor's last recovery is still being told: ping again", retry_after=5
                )
            else:
                pings._tell_news(monitor_id, float(stamp), item, fresh=item)
                told_recovery = True
        else:
            raise _refusal(item, who)
        try:
            return pings.write(monitor_id, ping, stamp, who), monitor_id
        except Exception as again:
            if not aws.rejected(again):
                raise
            error = again
    raise errors.Unavailable("this monitor kept changing: ping again", retry_after=5)


def _foreign(who: dict) -> tuple[str, int] | None:
    """Where an imported check's UUID leads (asked once per ping)."""
    if who["monitor_uuid"] is None or who.get("foreign_tried"):
        return None
    who["foreign_tried"] = True
    return store.resolve_foreign(who["monitor_uuid"])


def _reclassified(item: dict, ping: dict, body: bytes) -> bool:
    """Apply the monitor's method and keyword rules the guards stood for."""
    guards = ping["guards"]
    if guards.get("method") and item.get("methods") == "POST":
        # Healthchecks' "POST only": a GET or HEAD (a link preview, a crawler)
        # is logged but is not a sign of life.
        ping.update(kind="ignored", exit_status=None, guards={})
        return True
    if guards.get("kw") and item.get("kw"):
        kind = classify(item, ping["kind"], body)
        # A keyword that overrules the URL overrules its exit status too.
        status = ping["exit_status"] if kind == ping["kind"] else None
        ping.update(kind=kind, exit_status=status, guards={**guards, "kw": False})
        return True
    return False


def classify(item: dict, kind: str, body: bytes) -> str:
    """fail if the body holds a failure keyword, else success if it holds a
    success keyword, else as the URL said (case-insensitive, first 10,000 bytes)."""
    text = body[: pings.BODY_LIMIT].decode("utf-8", errors="replace").lower()
    if any(word.lower() in text for word in item.get("failure_keywords") or []):
        return "fail"
    if any(word.lower() in text for word in item.get("success_keywords") or []):
        return "success"
    return kind


def _refusal(item: dict | None, who: dict) -> errors.HeraldError:
    """Why the condition failed. On the name forms the key comes first: only
    whoever holds a name's key learns whether that name has a monitor (else
    403 would tell names apart from 404s). A rotated-away UUID names none."""
    name, given = who["name"], who["given_key"]
    if name is None:
        return errors.NotFound("no such monitor")
    if not given:
        return errors.Forbidden("missing ping key: pass key=KEY or the X-Ping-Key header")
    if item:
        return errors.Forbidden("wrong ping key for this monitor")
    if store.is_ping_key(name, given) or _shared(given):
        return errors.NotFound("no such monitor")
    return errors.Forbidden("wrong ping key for this monitor")


def _shared(given: str) -> bool:
    from chalicelib.monitors import ping_keys

    return ping_keys.find(given) is not None


def create_for(name: str, given: str) -> None:
    """`/ping/<shared key>/<name>?create=1` on a missing monitor: make it.

    Healthchecks' auto-provisioning. The key's count of monitors it made is
    raised atomically under its cap first, so racing pings cannot pass it.
    """
    from chalicelib.monitors import admin, ping_keys, rules

    record = ping_keys.find(given)
    if record is None:
        raise errors.NotFound("no such monitor")
    rules.validate(name, {"schedule_kind": "simple"}, where="name")  # a bad name costs no count
    if not ping_keys.claim_creation(record):
        raise errors.Forbidden(
            f"this ping key may create at most {int(record.get('cap', 0))} monitors, "
            "and has: create more with the API or raise its cap"
        )
    try:
        admin.create_in_group(name, record)
    except errors.Conflict:
        ping_keys.release_creation(record)  # a racing ping created it: ours lands on it
    except Exception:
        ping_keys.release_creation(record)
        raise
