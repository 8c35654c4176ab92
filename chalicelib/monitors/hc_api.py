"""Healthchecks' Management API v3 on Herald's monitors: the handlers.

A Healthchecks client pointed at Herald's URL (SITE_ROOT) with a Herald API
key manages Herald's monitors as checks. The key comes as the X-Api-Key
header or, on a POST, as `api_key` in the JSON body; a read-only key may
list and read checks, their flips and the badges, and sees no UUIDs or URLs
(a `unique_key` instead), as in Healthchecks. Errors are Healthchecks'
{"error": "..."} (hc_routes renders every HeraldError so), with its status
codes: 401 for a missing, wrong or (on a change) read-only key.

Beside this module: hc_history (pings, flips, channels, badges), hc_spec
(requests in) and hc_views (replies out). docs/healthchecks.md lists where
Herald differs from Healthchecks.
"""

import re
import secrets
import uuid

from chalicelib.core import auth, clock, errors, http, settings
from chalicelib.monitors import admin, hc_spec, hc_views, store

UNIQUE_KEY = re.compile(r"[0-9a-f]{40}")
# Herald's settings as Healthchecks calls them, for errors that rules.validate() words.
HC_FIELDS = {"title": "name", "success_keywords": "success_kw", "failure_keywords": "failure_kw"}


# ---- the caller ---------------------------------------------------------------------


def body_of(request) -> dict:
    """A POST's JSON object (read before the key: the key may be in it)."""
    if request.method != "POST":
        return {}
    try:
        body = http.json_body(request, default={})
    except errors.Invalid as error:
        # Healthchecks' words, and why when it is more than "not JSON".
        why = "" if error.message == "must be JSON" else f" (it {error.message})"
        raise errors.Invalid(f"could not parse request body{why}") from None
    if not isinstance(body, dict):
        raise errors.Invalid("json validation error: value is not an object")
    return body


def caller(request, body: dict, *, write: bool) -> dict:
    """The API key's record; 401 (Healthchecks' status) when it may not do this."""
    key = request.headers.get("x-api-key") or (body.get("api_key") if write else None)
    if not key:
        raise errors.Unauthorized("missing api key")
    record = auth.lookup(str(key))
    if record is None:
        raise errors.Unauthorized("wrong api key")
    if write and record.get("read_only"):
        raise errors.Unauthorized("wrong api key (this API key is read-only)")
    return record


def _show(item: dict, record: dict | None = None) -> dict:
    read_only = bool(record and record.get("read_only"))
    return hc_views.check(
        item,
        read_only=read_only,
        base=settings.public_url(),
        ping_base=settings.ping_url(),
        now=clock.epoch(),
    )


def find(code: str, *, by_unique_key: bool = False) -> dict:
    """The check a UUID (Herald's or an imported one) or a unique_key names; else 404."""
    item = None
    if _is_uuid(code):
        item = store.find_by_uuid(code.lower())
    elif by_unique_key and UNIQUE_KEY.fullmatch(code):
        item = next((i for i in store.list_all() if hc_views.unique_key(i) == code), None)
    if item is None:
        raise errors.NotFound("check not found")
    return item


def _is_uuid(value: str) -> bool:
    try:
        return len(value) == 36 and bool(uuid.UUID(value))
    except ValueError:
        return False


# ---- checks ---------------------------------------------------------------------------


def list_checks(request) -> dict:
    record = caller(request, {}, write=False)
    params = request.query_params or {}
    wanted = set(params.getlist("tag")) if "tag" in params else set()
    slug = params.get("slug")
    shown = []
    for item in sorted(store.list_all(), key=lambda i: i["name"]):
        if wanted and not wanted <= set(item.get("tags") or []):
            continue
        if slug and hc_views.slug(item) != slug:
            continue
        shown.append(_show(item, record))
    return {"checks": shown}


def create(request):
    """201 with a new check, or 200 with the one `unique` matched (updated)."""
    body = body_of(request)
    caller(request, body, write=True)
    spec = hc_spec.check(body)
    found = _match(spec)
    if found is not None:
        return http.reply(200, _show(_apply(found, spec)))
    _, item = _upsert(_new_name(spec), hc_spec.settings(spec, None))
    return http.reply(201, _show(item))


def _match(spec: dict) -> dict | None:
    """The first check whose fields named in `unique` equal the request's;
    None when `unique` is empty or names a field the request lacks."""
    unique = spec.get("unique") or []
    if not unique or any(field not in spec for field in unique):
        return None
    shown = {
        "name": hc_views.name,
        "slug": hc_views.slug,
        "tags": lambda item: list(item.get("tags") or []),
        "timeout": lambda item: hc_views.timing(item).get("timeout"),
        "grace": hc_views.grace,
    }
    wanted = {**spec, "tags": hc_spec.tag_list(spec.get("tags", ""))}
    for item in sorted(store.list_all(), key=lambda i: i["name"]):
        if all(shown[field](item) == wanted[field] for field in unique):
            return item
    return None


def _new_name(spec: dict) -> str:
    """The new monitor's name: its slug; else its name slugified (with -2, -3...
    if taken, as Healthchecks allows two checks of one name); else made up."""
    given = spec.get("slug")
    if given:
        if store.get(given) is not None:
            raise errors.Conflict(
                f"slug {given!r} is taken (in Herald a slug names one check): "
                'to update that check send "unique": ["slug"]'
            )
        return given
    base = hc_spec.slugify(spec.get("name", ""))
    if base:
        for n in range(1, 100):
            suffix = "" if n == 1 else f"-{n}"
            candidate = base[: hc_spec.MAX_NAME - len(suffix)].rstrip("-") + suffix
            if store.get(candidate) is None:
                return candidate
    return f"{(base or 'check')[:50]}-{secrets.token_hex(4)}"


def _apply(item: dict, spec: dict) -> dict:
    if spec.get("slug") and spec["slug"] != hc_views.slug(item):
        raise errors.Invalid(
            "json validation error: slug cannot change: in Herald it is the check's name "
            "and its ping URLs' (create a new check instead)"
        )
    changes = hc_spec.settings(spec, item)
    return _upsert(item["name"], changes)[1] if changes else item


def _upsert(name: str, changes: dict) -> tuple[str, dict]:
    try:
        return admin.upsert(name, changes, merge=True)
    except errors.Invalid as error:
        words = re.sub(
            r"\bmonitor\.(\w+)", lambda m: HC_FIELDS.get(m.group(1), m.group(1)), str(error)
        )
        raise errors.Invalid(f"json validation error: {words}") from None


def get(request, code: str) -> dict:
    record = caller(request, {}, write=False)
    return _show(find(code, by_unique_key=True), record)


def update(request, code: str) -> dict:
    body = body_of(request)
    caller(request, body, write=True)
    item = find(code)
    return _show(_apply(item, hc_spec.check(body)))


def delete(request, code: str) -> dict:
    """The check as it was, as Healthchecks answers."""
    caller(request, {}, write=True)
    item = find(code)
    shown = _show(item)
    if not admin.delete(item["name"]):
        raise errors.NotFound("check not found")
    return shown


def pause(request, code: str) -> dict:
    caller(request, body_of(request), write=True)
    item = admin.set_paused(find(code)["name"], True)
    if item is None:
        raise errors.NotFound("check not found")
    return _show(item)


def resume(request, code: str) -> dict:
    caller(request, body_of(request), write=True)
    item = find(code)
    if not item.get("paused"):
        raise errors.Conflict("check is not paused")
    item = admin.set_paused(item["name"], False)
    if item is None:
        raise errors.NotFound("check not found")
    return _show(item)
