"""The monitors page, its 15-second status feed, and one monitor's page.

The monitors page costs two paged Queries and a BatchGetItem per 100
monitors: the monitors (their directory, gsi1 "MONITORS", then the items)
and every flip of the last 90 days (gsi1 "FLIPS"); bench/dashboard_pages.py
counts them for 100 and 1,000 monitors.
"""

from chalicelib.core import clock, errors, settings
from chalicelib.dashboard import bars, guard, render
from chalicelib.monitors import flips, ping_bodies, store

RANK = {"down": 0, "failing": 1, "blocked": 2, "late": 3, "up": 4, "new": 5}
RANK |= {"maintenance": 6, "paused": 7, "off": 8}
FEW = 5  # up to this many monitors, a Query each is cheaper than all flips
# A day's log can hold thousands of pings with 10 KB bodies each: the page
# shows the newest rows, bodies cut, and stays far below Lambda's 6 MB reply.
LOG_ROWS, BODY_SHOWN = 100, 1000


def _row(item: dict, entries: list[dict], now: float) -> dict:
    view = store.view(item)
    cells = bars.cells(item, entries, now)
    return {
        **view,
        "rank": RANK.get(view["status"], 9),
        "runs": bars.runs(cells),
        "uptime": bars.uptime(cells),
    }


def rows(now: float, keep=None) -> list[dict]:
    """Every monitor's row (or those keep(item) accepts), most urgent first."""
    items = [item for item in store.list_all() if keep is None or keep(item)]
    # The whole list reads every flip at once, so its cost never grows with the monitors.
    few = keep is not None and len(items) <= FEW
    result = [_row(item, history, now) for item, history in _histories(items, now, few)]
    return sorted(result, key=lambda row: (row["rank"], row["name"].lower()))


def _histories(items: list[dict], now: float, few: bool):
    """Each item with its flips of the window: one Query per monitor for a few,
    else one paged Query of every monitor's flips."""
    start = bars.window_start(now)
    if few:
        return [(item, flips.entries(item, start=start)) for item in items]
    by_partition = flips.every_monitor_since(start)
    return [(item, by_partition.get(flips.flip_pk(_id(item), item), [])) for item in items]


def _id(item: dict) -> str:
    return item["pk"].removeprefix("MON#")


def listing(request, account):
    now = clock.epoch()
    found = rows(now)
    counts: dict[str, int] = {}
    for row in found:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    tags = sorted({tag for row in found for tag in row["tags"]})
    context = guard.context(
        account, "", rows=found, counts=counts, tags=tags, now=now, statuses=list(RANK)
    )
    return render.html("monitors.html", **context)


def status():
    """What the page refreshes every 15 s: one Query, a few fields a monitor."""
    from chalicelib.core import http

    monitors = []
    for item in store.list_all():
        view = store.view(item)
        monitors.append(
            {
                "name": view["name"],
                "status": view["status"],
                "rank": f"{RANK.get(view['status'], 9)}{view['name']}",
                "last_ping": view["last_ping"],
                "last_ping_ago": render.ago(view["last_ping"]),
                "next_deadline_in": render.ago(view["next_deadline"])
                if view["next_deadline"]
                else "",
            }
        )
    body = {"time": render.when(clock.epoch()), "monitors": monitors}
    return http.reply(200, body, {"Cache-Control": "no-store"})


# ---- one monitor ---------------------------------------------------------------------


def one(request, account, name: str):
    from chalicelib.monitors import logs, mail_warnings, rules

    item = store.get(name)
    if item is None:
        raise errors.NotFound(f"no monitor named {name!r}")
    now = clock.epoch()
    day = _day(request)
    base = None if account["read_only"] else settings.ping_url()
    view = store.view(item, base)
    history = flips.entries(item, start=bars.window_start(now))
    cells = bars.cells(item, history, now)
    entries = [logs.public(entry) for entry in logs.entries(item, day)]
    context = guard.context(
        account,
        "",
        monitor=view,
        settings_json=_json(rules.settings_of(item)),
        runs=bars.runs(cells),
        uptime=bars.uptime(cells),
        outages=_outages(history, now),
        downtime={
            p: flips.summary(item, now, p, n) for p, n in (("day", 7), ("week", 4), ("month", 3))
        },
        log=[_short(entry) for entry in reversed(entries[-LOG_ROWS:])],
        log_total=len(entries),
        chart=_chart(entries),
        day=day.isoformat(),
        snippets=_snippets(view),
        told=_told(item),
        mail=mail_warnings.shown(item),  # the API's mail_warnings and deliverable
    )
    return render.html("monitor.html", **context)


def _told(item: dict) -> dict:
    """Who the monitor's notices reach: its recipients, its channels by name
    (or the deployment's default channels when it names none)."""
    from chalicelib.core.channels import store as channels

    named = item.get("channels")
    found = channels.defaults() if named is None else channels.get_many(list(named)).values()
    return {
        "recipients": list(item.get("recipients") or []),
        "defaults": named is None,
        "channels": [{"id": c["id"], "name": c["name"], "kind": c["kind"]} for c in found],
    }


def _short(entry: dict) -> dict:
    """A log row as the page shows it: its body cut to BODY_SHOWN characters."""
    body = ping_bodies.text(entry)
    return {**entry, "body": body[:BODY_SHOWN], "body_cut": len(body) > BODY_SHOWN}


def _day(request):
    from chalicelib.monitors import logs

    return logs.parse_iso_day((request.query_params or {}).get("day") or None)


def _json(value) -> str:
    import json

    from chalicelib.core import values

    return json.dumps(json.loads(values.dumps(value)), indent=2, sort_keys=True)


def _outages(history: list[dict], now: float) -> list[dict]:
    found = flips.outages(history, now)
    return sorted(found, key=lambda outage: -outage["start"])[:20]


def _chart(entries: list[dict]) -> dict:
    """Run durations of the day as SVG bars: one per run with a duration."""
    timed = [e for e in entries if e.get("duration") is not None][-60:]
    longest = max([e["duration"] for e in timed], default=0.0) or 1.0
    width = max(len(timed), 1)
    bars_ = [
        {
            "x": index * 100.0 / width,
            "w": 100.0 / width * 0.8,
            "h": 90.0 * e["duration"] / longest,
            "failed": e["kind"] == "fail",
            "label": f"{e['time']}: {render.duration(e['duration'])}",
        }
        for index, e in enumerate(timed)
    ]
    return {"bars": bars_, "longest": longest}


def _snippets(view: dict) -> dict:
    """Ready-to-paste ways to ping: after a job, in a unit, from Windows and Python."""
    urls = view.get("ping_urls") or {}
    url = urls.get("uuid", "")
    if not url:
        return {}
    curl = f"curl -fsS -m 10 --retry 5 -o /dev/null {url}"
    return {
        "crontab": f"0 2 * * * /usr/local/bin/backup.sh && {curl}",
        "systemd": f"[Service]\nExecStart=/usr/local/bin/backup.sh\nExecStartPost=/usr/bin/{curl}",
        "PowerShell": f"Invoke-RestMethod -Uri '{url}' -TimeoutSec 10",
        "Python": f"import urllib.request\n\nurllib.request.urlopen('{url}', timeout=10)",
    }
