"""The operations pages: alert channels, site runs, subscriptions, hooks (mail in mail_pages).

Each page reads through the capability's own functions, the ones its JSON
routes call, and shows what those routes show (store.view, store.public):
never a secret, only its hint. Per-item reads are bounded: the first
DETAILED rows get their latest deliveries (or failures) inline, any other
row links to ?show=ID, which details that one item. So a page costs one or
two list Queries plus at most DETAILED + 1 small ones, whatever the count.
"""

import re

from chalicelib.core import errors
from chalicelib.dashboard import guard, render
from chalicelib.dashboard.mail_pages import mail, mail_message  # noqa: F401 - sections.py names them here

DETAILED = 20
RECENT = 5  # deliveries (failures) shown inline per item
ONE = 50  # ... and for the one item ?show=ID asks for
# A status word and the colour it is shown in (dashboard.css's .status classes).
TONES = {
    "sent": "up", "queued": "new", "failed": "down", "refused": "down",  # channel attempts
    "success": "up", "retrying": "late", "dead": "down", "disabled": "paused",  # hook attempts
    "finished": "up", "listing": "new", "running": "new",  # site runs ("failed" above)
    "enabled": "up",  # channels and hooks ("disabled" above)
}  # fmt: skip
# What GET /runs/{id} accepts (chalicelib/sites/routes.py), so a hostile id is never read.
RUN_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*-[0-9]{8}T[0-9]{6}Z")


def _shown(request) -> str:
    """The ?show=ID the page was asked to detail ("" for none)."""
    return ((request.query_params or {}).get("show") or "")[:200]


def _page(template: str, account: dict, section: str, **context):
    context = guard.context(account, section, tones=TONES, **context)
    return render.html(template, **context)


# ---- channels ----------------------------------------------------------------------


def channels(request, account):
    from chalicelib.core.channels import config, sending, store

    shown = _shown(request)
    rows = []
    for index, record in enumerate(store.list_all()):
        view = store.view(record)
        wanted = index < DETAILED or view["id"] == shown
        limit = ONE if view["id"] == shown else RECENT
        view["deliveries"] = sending.deliveries(view["id"], limit) if wanted else None
        rows.append(view)
    kinds = [(kind, config.fields(kind)) for kind in config.KINDS]
    return _page("channels.html", account, "/channels", channels=rows, kinds=kinds)


# ---- site runs ---------------------------------------------------------------------


def runs(request, account):
    from chalicelib.sites import runs as store

    shown = _shown(request)
    one = store.view(shown) if RUN_ID.fullmatch(shown) else None
    if shown and one is None:
        raise errors.NotFound("no such run")
    found = store.recent(50)
    detailed = 0
    for run in found:
        # Only failed runs are read again, and only the newest DETAILED of them.
        run["failures"] = None
        if run["counts"]["failed"] and detailed < DETAILED:
            run["failures"] = store.failures(run["id"], RECENT)
            detailed += 1
    return _page("runs.html", account, "/runs", runs=found, one=one)


# ---- subscriptions -------------------------------------------------------------------


def subscriptions(request, account):
    from chalicelib.subscriptions import store

    context = {
        "subscribers": store.list_subscribers(),
        "subscriptions": store.list_subscriptions(),
    }
    return _page("subscriptions.html", account, "/subscriptions", **context)


# ---- hooks ---------------------------------------------------------------------------


def hooks(request, account):
    from chalicelib.hooks import delivery, store

    shown = _shown(request)
    rows = []
    # Newest first: the hooks made last are the ones being tried out.
    found = sorted(store.all_hooks(), key=lambda hook: hook.get("created_at", ""), reverse=True)
    for index, hook in enumerate(found):
        view = store.public(hook)
        wanted = index < DETAILED or view["id"] == shown
        limit = ONE if view["id"] == shown else RECENT
        since = hook["created_at"]
        view["deliveries"] = delivery.deliveries(view["id"], None, limit, since) if wanted else None
        rows.append(view)
    return _page("hooks.html", account, "/hooks", hooks=rows)
