"""/runs: what the scheduled site jobs did (any API key)."""

import re

from chalice import Blueprint

from chalicelib.core import errors, http

blueprint = Blueprint(__name__)
_RUN_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*-[0-9]{8}T[0-9]{6}Z")


@http.route(blueprint, "/runs", methods=["GET"])
def runs_list():
    """GET /runs?site=&job=&limit= : newest first."""
    from chalicelib.sites import config, runs

    request = blueprint.current_request
    http.caller(request)
    query = http.query(request, {"site", "job", "limit"})
    # ASCII digits only, and short: str.isdigit() takes "²", int() refuses 5,000 digits.
    raw = query.get("limit", "50")
    if not re.fullmatch(r"[0-9]{1,3}", raw) or not 1 <= int(raw) <= 200:
        raise errors.Invalid.at("limit", "must be a whole number from 1 to 200")
    site, job = query.get("site"), query.get("job")
    if site is not None and not (len(site) <= 100 and config.NAME.fullmatch(site)):
        raise errors.Invalid.at("site", "must be a site name (lower-case words joined by dashes)")
    if job is not None and job not in config.JOBS:
        raise errors.Invalid.at("job", f"must be one of {', '.join(config.JOBS)}")
    return {"runs": runs.recent(int(raw), site=site, job=job)}


@http.route(blueprint, "/runs/{run_id}", methods=["GET"])
def runs_get(run_id):
    """GET /runs/{id}[?outcome=...] : the run, its failures, optionally its items."""
    from chalicelib.sites import runs

    request = blueprint.current_request
    http.caller(request)
    outcome = http.query(request, {"outcome"}).get("outcome")
    if outcome is not None and outcome not in (*runs.OUTCOMES, "all"):
        raise errors.Invalid.at("outcome", f"must be one of {', '.join((*runs.OUTCOMES, 'all'))}")
    # An id that cannot be a run's is not looked up (nor echoed: it may be huge).
    valid = len(run_id) <= 200 and _RUN_ID.fullmatch(run_id)
    shown = runs.view(run_id, outcome) if valid else None
    if shown is None:
        raise errors.NotFound(f"no run {run_id}" if valid else "no such run")
    return shown
