"""Moving from a Healthchecks instance: its checks become Herald monitors.

Reading. One GET of <site>/api/v3/checks/ with the project's API key, through
the one outgoing client (its SSRF guard decides where we may connect). The
Management API returns a project's checks in one reply (it documents no
paging), so there is one request, bounded in time and size. Only a read-write
key's listing carries each check's UUID and ping URL; a read-only key's has a
`unique_key` instead, and an import without UUIDs could not keep the jobs'
ping URLs working, so that listing is refused rather than half-imported.

Mapping (to_plan) is pure and needs no AWS: a check is either a Planned
monitor (name, settings for admin.upsert, paused, notes about what does not
carry over) or a Skip with the reason. The name is the check's slug (a check
without one gets its name slugified, as Healthchecks itself did before v3);
the check's name becomes the monitor's title.
Healthchecks reports no schedule kind: like its own API, a schedule that is
one line of five fields is cron and anything else OnCalendar, which Herald
cannot express. Keywords count only where Healthchecks applies them to HTTP
pings (filter_http_body): Herald takes no e-mail pings, and a keyword that was
never in effect must not start deciding pings after the move.

Applying the plans (admin.upsert, the foreign UUID, pausing, the shared ping
key) is the command's: herald/cli/healthchecks.py.
"""

import json
import uuid as uuids
from dataclasses import dataclass, field

from chalicelib.core import outgoing
from chalicelib.monitors import hc_spec

TIMEOUT = 60.0
MAX_BYTES = 20 * 1024 * 1024


class Unreadable(Exception):
    """No checks could be read; the message says why and what to do."""


class Skip(Exception):
    """This check cannot become a monitor; the message says why."""


@dataclass
class Planned:
    label: str  # how the report names the check: its Healthchecks name
    name: str
    uuid: str
    settings: dict
    paused: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass
class Skipped:
    label: str
    reason: str


# ---- reading ------------------------------------------------------------------


def checks_url(site: str) -> str:
    """The listing's URL from the instance's address (with or without /api/v3/)."""
    base = (site or "").strip().rstrip("/")
    for tail in ("/api/v3/checks", "/api/v3"):
        if base.endswith(tail):
            base = base[: -len(tail)]
    return f"{base}/api/v3/checks/"


def read(site: str, api_key: str) -> list:
    """Every check of the key's project, as the API lists them; raises Unreadable."""
    url = checks_url(site)
    headers = {"X-Api-Key": api_key, "Accept": "application/json"}
    try:
        # private: the operator names their own instance, often on their network.
        reply = outgoing.request(
            "GET",
            url,
            headers=headers,
            timeout=TIMEOUT,
            max_bytes=MAX_BYTES,
            retries=2,
            private=True,
        )
    except outgoing.Failure as failure:
        raise Unreadable(f"cannot read {url}: {failure}") from None
    return decode(reply.status, reply.body, url)


def decode(status: int, body: bytes, url: str) -> list:
    """The checks of one reply, or Unreadable saying what was wrong with it."""
    said = _error_text(body)
    if status in (401, 403):
        raise Unreadable(
            f"{url} refused the API key (HTTP {status}{said}): give the project's "
            "read-write API key (Healthchecks: Settings, API Access)"
        )
    if status != 200:
        raise Unreadable(f"{url} answered HTTP {status}{said}, not the list of checks")
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Unreadable(f"{url} did not answer JSON: is it a Healthchecks instance?") from None
    checks = document.get("checks") if isinstance(document, dict) else None
    if not isinstance(checks, list):
        raise Unreadable(f"{url} answered JSON without a list of checks: is it Healthchecks?")
    if any(isinstance(c, dict) and "unique_key" in c and "uuid" not in c for c in checks):
        raise Unreadable(
            "that is a read-only API key: its listing has no check UUIDs, so the jobs' "
            "ping URLs could not keep working; give the project's read-write key"
        )
    return checks


def _error_text(body: bytes) -> str:
    try:
        said = json.loads(body).get("error")
    except (ValueError, UnicodeDecodeError, AttributeError):
        return ""
    return f": {said[:200]}" if isinstance(said, str) and said else ""


# ---- mapping ------------------------------------------------------------------


def _text(check: dict, name: str) -> str:
    value = check.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Skip(f"{name}: expected text, got {value!r:.40}")
    return value


def _seconds(check: dict, name: str) -> int:
    value = check.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise Skip(f"{name}: expected a number of seconds, got {value!r:.40}")
    return value


def label_of(check) -> str:
    if isinstance(check, dict):
        for name in ("name", "slug", "uuid"):
            if isinstance(check.get(name), str) and check[name].strip():
                return check[name].strip()[:80]
    return "(a check without a name)"


def herald_name(check: dict) -> str:
    from chalicelib.monitors import rules

    slug = _text(check, "slug")
    name = slug or hc_spec.slugify(_text(check, "name"))
    if not rules.NAME.fullmatch(name):
        shown = f"slug {slug!r}" if slug else f"name slugified to {name!r}"
        raise Skip(f"its {shown:.100} is not a Herald name (1-64 letters, digits, - _ .)")
    return name


def schedule_settings(check: dict) -> dict:
    """The schedule part of the settings: simple (timeout) or cron."""
    grace = _seconds(check, "grace") if check.get("grace") is not None else 3600
    schedule = _text(check, "schedule").strip()
    if schedule:
        # Healthchecks' own rule for telling the two kinds apart.
        if "\n" in schedule or len(schedule.split()) != 5:
            raise Skip(f"its OnCalendar schedule {schedule!r:.80} has no Herald equivalent")
        tz = _text(check, "tz").strip() or "UTC"
        return {
            "schedule_kind": "cron",
            "schedule": " ".join(schedule.split()),
            "tz": tz,
            "grace": grace,
        }
    if check.get("timeout") is None:
        raise Skip("it has neither a timeout nor a schedule")
    return {"schedule_kind": "simple", "timeout": _seconds(check, "timeout"), "grace": grace}


def _filters(check: dict, notes: list[str]) -> dict:
    email = check.get("filter_subject") is True or check.get("filter_body") is True
    http = check.get("filter_http_body") is True
    if email:
        notes.append("keyword filtering of e-mail pings is not carried over (no e-mail pings)")
    if not http:
        return {"success_keywords": [], "failure_keywords": []}
    if hc_spec.keyword_list(_text(check, "start_kw")):
        notes.append("start keywords are not carried over")
    if check.get("filter_default_fail") is True:
        notes.append("'no keyword matched means failure' is not carried over")
    return {
        "success_keywords": hc_spec.keyword_list(_text(check, "success_kw")),
        "failure_keywords": hc_spec.keyword_list(_text(check, "failure_kw")),
    }


def _uuid(check: dict) -> str:
    text = _text(check, "uuid")
    try:
        return str(uuids.UUID(text))
    except ValueError:
        raise Skip(f"its uuid {text!r:.60} is not a UUID") from None


def to_plan(check) -> Planned:
    """One check as a monitor to upsert; raises Skip with the reason."""
    if not isinstance(check, dict):
        raise Skip("not a check object")
    notes: list[str] = []
    settings = {
        **schedule_settings(check),
        "title": _text(check, "name").strip(),
        "desc": _text(check, "desc"),
        "tags": list(dict.fromkeys(_text(check, "tags").split())),
        "manual_resume": check.get("manual_resume") is True,
        "methods": _text(check, "methods"),
        **_filters(check, notes),
    }
    if _text(check, "channels"):
        notes.append("its integrations are not carried over: add recipients in Herald")
    paused = check.get("status") == "paused"
    return Planned(label_of(check), herald_name(check), _uuid(check), settings, paused, notes)


def plan(checks: list) -> list[Planned | Skipped]:
    """Every check, in the listing's order; a second check of a name or UUID is skipped."""
    result: list[Planned | Skipped] = []
    names: dict[str, str] = {}
    seen_uuids: set[str] = set()
    for check in checks:
        try:
            planned = to_plan(check)
            if planned.name in names:
                raise Skip(f"the check {names[planned.name]!r} already maps to {planned.name!r}")
            if planned.uuid in seen_uuids:
                raise Skip(f"its UUID {planned.uuid} is listed twice")
        except Skip as skip:
            result.append(Skipped(label_of(check), str(skip)))
            continue
        names[planned.name] = planned.label
        seen_uuids.add(planned.uuid)
        result.append(planned)
    return result
