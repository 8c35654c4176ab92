"""Public status pages: one monitor, or every monitor with a tag, read-only, no
sign-in, at an unguessable URL; with badges in SVG, JSON and Shields.io's format.

A page is one item in the core table: pk "STATUSPAGE#<token>", sk "STATUSPAGE"
(gsi1 "STATUSPAGES" lists them), with kind ("monitor" or "tag"), target, title
and created_at. The token (secrets.token_urlsafe(18): 144 random bits) is the
only credential, and a public one: it is stored as is and shown again.
Deleting the item ends the page and its badges at once (reads are consistent).

What anyone with the URL sees: each monitor's name and title, status, last
ping time and 90-day bars, nothing else (no ping URLs, addresses, channels or
settings). A monitor page whose monitor is deleted answers 404, as an unknown
token does.

Overall state. A monitor page's is the monitor's own status word (up, late,
failing, down, new, paused, blocked, maintenance). A tag page's is the worst
of its monitors', down > failing > late > up; a monitor that is new, paused,
blocked (its parent is down) or in maintenance counts as up, since nobody is
told about it either, so a tag whose monitors are all paused is "up". A tag
that no monitor carries is "none" (badges say "no monitors").

One page per (kind, target): creating it again returns the existing page,
its title unchanged. Two creations at the same instant may both make one;
both then work and either can be deleted.
"""

import re
import secrets

from chalicelib.core import aws, clock, errors, settings, values
from chalicelib.dashboard import badges, guard, render
from chalicelib.monitors import rules, store

TABLE = "CORE_TABLE"
KINDS = ("monitor", "tag")
TOKEN = re.compile(r"[A-Za-z0-9_-]{24}")
MAX_TITLE = 100
SNAPSHOT = 60  # seconds a worked-out page is shown again; the page refreshes every 60
MAX_SNAPSHOTS = 200
_SNAPSHOTS: dict[str, tuple[float, dict]] = {}
SEVERITY = {"late": 1, "failing": 2, "down": 3}
SHOWN = ("name", "title", "status", "last_ping", "runs", "uptime")
_GONE = "no such status page"


def _key(token: str) -> dict:
    return {"pk": f"STATUSPAGE#{token}", "sk": "STATUSPAGE"}


def token_of(item: dict) -> str:
    return item["pk"].removeprefix("STATUSPAGE#")


# ---- storage -----------------------------------------------------------------------


def create(kind: str, target, title=None) -> tuple[dict, bool]:
    """(the page, True) once made; (the existing page, False) if there is one."""
    target, title = _target(kind, target), _title(title)
    for item in list_all():
        if item["kind"] == kind and item["target"] == target:
            return item, False
    token = secrets.token_urlsafe(18)
    item = {
        **_key(token),
        "gsi1pk": "STATUSPAGES",
        "gsi1sk": token,
        "kind": kind,
        "target": target,
        "title": title,
        "created_at": clock.iso(clock.now()),
    }
    aws.table(TABLE).put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
    return item, True


def create_from(body: dict) -> tuple[dict, bool]:
    """create() from an API body: {"monitor": NAME} or {"tag": TAG}, and "title"."""
    unknown = sorted(set(body) - {*KINDS, "title"})
    if unknown:
        raise errors.Invalid.at(unknown[0][:80], "unknown field")
    given = [kind for kind in KINDS if kind in body]
    if len(given) != 1:
        raise errors.Invalid.at("monitor", "give either monitor (a name) or tag")
    return create(given[0], body[given[0]], body.get("title"))


def _target(kind: str, target) -> str:
    if kind == "monitor":
        if not isinstance(target, str) or not target:
            raise errors.Invalid.at("monitor", "must be a monitor's name")
        if not rules.NAME.fullmatch(target) or store.get(target) is None:
            raise errors.NotFound(f"no monitor named {target[:80]!r}", field="monitor")
        return target
    if kind == "tag":
        # The pattern monitors' tags are checked against (rules.words).
        if not isinstance(target, str) or not rules.TAG.fullmatch(target):
            raise errors.Invalid.at("tag", "must be a tag: 1-64 characters, no spaces")
        return target
    raise errors.Invalid.at("kind", "must be monitor or tag")


def _title(title) -> str:
    if title is None or title == "":
        return ""
    if not isinstance(title, str) or len(title) > MAX_TITLE or not values.printable(title):
        raise errors.Invalid.at("title", f"must be one line of at most {MAX_TITLE} characters")
    return title


def list_all() -> list[dict]:
    from boto3.dynamodb.conditions import Key

    condition = Key("gsi1pk").eq("STATUSPAGES")
    found = aws.query_all(aws.table(TABLE), IndexName="gsi1", KeyConditionExpression=condition)
    return sorted(found, key=lambda item: (item["created_at"], token_of(item)))


def lookup(token: str) -> dict | None:
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        return None  # names no page (and would make a key DynamoDB refuses)
    return aws.table(TABLE).get_item(Key=_key(token), ConsistentRead=True).get("Item")


def delete(token: str) -> bool:
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        return False
    reply = aws.table(TABLE).delete_item(Key=_key(token), ReturnValues="ALL_OLD")
    return "Attributes" in reply


def described(item: dict) -> dict:
    """A page as the API, the CLI and the dashboard show it: with its URLs."""
    from urllib.parse import quote

    url = f"{settings.public_url()}/status/{token_of(item)}"
    endpoint = f"{url}/shields.json"
    return {
        "token": token_of(item),
        "kind": item["kind"],
        "target": item["target"],
        "title": item.get("title") or "",
        "created_at": item["created_at"],
        "url": url,
        "badges": {
            "svg": f"{url}/badge.svg",
            "json": f"{url}/badge.json",
            "shields": endpoint,
            "shields_io": f"https://img.shields.io/endpoint?url={quote(endpoint, safe='')}",
        },
    }


# ---- what a page shows ---------------------------------------------------------------


def overall(kind: str, statuses: list[str]) -> str:
    if kind == "monitor":
        return statuses[0]
    if not statuses:
        return "none"
    worst = max(statuses, key=lambda status: SEVERITY.get(status, 0))
    return worst if worst in SEVERITY else "up"


def state(item: dict, now: float) -> dict:
    """The page's heading (its title, else the monitor's title or name, or the
    tag), its monitors (name, title, status, last ping, bars), its overall status.

    Anyone may ask, as often as they like: what was worked out is kept for
    SNAPSHOT seconds in this process (a warm Lambda), so a page asked for a
    thousand times a minute costs the reads of one.
    """
    token = token_of(item)
    kept = _SNAPSHOTS.get(token)
    if kept is not None and now - kept[0] < SNAPSHOT:
        return kept[1]
    shown = _worked_out(item, now)
    if len(_SNAPSHOTS) >= MAX_SNAPSHOTS:
        _SNAPSHOTS.clear()
    _SNAPSHOTS[token] = (now, shown)
    return shown


def _worked_out(item: dict, now: float) -> dict:
    from chalicelib.dashboard import monitor_pages

    if item["kind"] == "monitor":
        if store.get(item["target"], consistent=False) is None:
            raise errors.NotFound(_GONE)
        rows = monitor_pages.rows(now, keep=lambda m: m["name"] == item["target"])
    else:
        rows = monitor_pages.rows(now, keep=lambda m: item["target"] in (m.get("tags") or ()))
    monitors = [{field: row[field] for field in SHOWN} for row in rows]
    status = overall(item["kind"], [row["status"] for row in monitors])
    named = monitors[0]["title"] if item["kind"] == "monitor" and monitors else ""
    heading = item.get("title") or named or item["target"]
    return {"heading": heading, "kind": item["kind"], "status": status, "monitors": monitors}


def _label(item: dict) -> str:
    """A badge's left side: the page's title, else the monitor's name or the tag."""
    return item.get("title") or item["target"]


def _statuses(item: dict, now: float) -> list[str]:
    """Only the statuses (for badges): the monitors, no flips."""
    if item["kind"] == "monitor":
        found = store.get(item["target"], consistent=False)
        if found is None:
            raise errors.NotFound(_GONE)
        return [store.status(found, now)]
    tag = item["target"]
    return [store.status(m, now) for m in store.list_all() if tag in (m.get("tags") or ())]


def _found(token: str) -> dict:
    item = lookup(token)
    if item is None:
        raise errors.NotFound(_GONE)
    return item


# ---- replies -------------------------------------------------------------------------


def page(request, account, token: str):
    """GET /status/{token}: the public page (refreshed by the browser every minute)."""
    now = clock.epoch()
    shown = state(_found(token), now)
    headers = {"X-Robots-Tag": "noindex", "Refresh": "60", "Cache-Control": "public, max-age=60"}
    context = guard.context(None, "", page=shown, now=now)
    return render.html("status.html", 200, headers, **context)


def badge(token: str, form: str):
    """One of the page's badges: form is "svg", "json" or "shields"."""
    from chalicelib.core import http

    item = _found(token)
    statuses = _statuses(item, clock.epoch())
    status, label = overall(item["kind"], statuses), _label(item)
    if form == "svg":
        return badges.svg_reply(badges.svg(label, status))
    body = badges.json_badge(status, statuses) if form == "json" else badges.shields(label, status)
    return http.reply(200, body, badges.HEADERS)


def section(request, account):
    """The dashboard's Status pages: each page's URLs and badge, create and delete."""
    monitors = store.list_all()
    context = guard.context(
        account,
        "/status-pages",
        pages=[described(item) for item in list_all()],
        names=sorted((m["name"] for m in monitors), key=str.lower),
        tags=sorted({tag for m in monitors for tag in m.get("tags") or ()}),
    )
    return render.html("status_pages.html", **context)
