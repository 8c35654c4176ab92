"""Healthchecks' check JSON in: the fields a client may send, checked, and as Herald settings.

check() validates a create or update body as Healthchecks' API v3 does (the
same field names, types and limits, unknown fields ignored, null refused)
and says what is wrong the way Healthchecks does: "json validation error:
timeout is too small". settings() turns a checked body into the partial
settings admin.upsert() takes, given the monitor it changes (None on a
create).

Herald cannot do everything Healthchecks can, and says so rather than store
a setting that would behave differently: there are no e-mail pings (so no
subject filters), no start keywords and no OnCalendar schedules.
Keywords in Healthchecks filter HTTP pings only when filter_http_body is
true; Herald's keyword lists always do, so keywords are taken only with that
filter on, and turning it off drops them.
"""

import re
import unicodedata

from chalicelib.core.errors import Invalid

SHORTEST, LONGEST = 60, 31_536_000  # Healthchecks' limits for timeout and grace
DEFAULT_TIMEOUT, DEFAULT_GRACE = 86_400, 3_600
UNIQUE = ("name", "slug", "tags", "timeout", "grace")
SLUG = re.compile(r"[a-z0-9_-]*")
MAX_NAME = 64  # Herald's (rules.NAME); Healthchecks' slugs may have 100
TEXT = {
    "name": 100,
    "slug": 100,
    "tags": None,
    "desc": None,
    "channels": None,
    "schedule": 100,
    "tz": None,
    "start_kw": 200,
    "success_kw": 200,
    "failure_kw": 200,
    "subject": 200,
    "subject_fail": 200,
}
FLAGS = (
    "manual_resume",
    "filter_subject",
    "filter_body",
    "filter_http_body",
    "filter_default_fail",
)
SECONDS = ("timeout", "grace")
NO_MAIL = "Herald receives no e-mail pings"


def refuse(message: str) -> Invalid:
    return Invalid(f"json validation error: {message}")


def check(body: dict) -> dict:
    """The fields of a create or update body that Healthchecks knows, checked."""
    spec = {}
    for field, limit in TEXT.items():
        if field in body:
            spec[field] = _text(field, body[field], limit)
    for field in FLAGS:
        if field in body:
            if not isinstance(body[field], bool):
                raise refuse(f"{field} is not a boolean")
            spec[field] = body[field]
    for field in SECONDS:
        if field in body:
            spec[field] = _seconds(field, body[field])
    if "methods" in body and body["methods"] not in ("", "POST"):
        raise refuse("methods has unexpected value")
    if "methods" in body:
        spec["methods"] = body["methods"]
    if "unique" in body:
        spec["unique"] = _unique(body["unique"])
    if not SLUG.fullmatch(spec.get("slug", "")):
        raise refuse("slug does not match pattern")
    if len(spec.get("slug", "")) > MAX_NAME:
        raise refuse(f"slug is too long (Herald's names have at most {MAX_NAME} characters)")
    if "schedule" in spec:
        spec["schedule"] = _schedule(spec["schedule"])
    if "tz" in spec:
        spec["tz"] = _zone(spec["tz"])
    return spec


def _text(field: str, value, limit: int | None) -> str:
    if not isinstance(value, str):
        raise refuse(f"{field} is not a string")
    if limit is not None and len(value) > limit:
        raise refuse(f"{field} is too long")
    return value


def _seconds(field: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise refuse(f"{field} is not a number")
    if value != value or value in (float("inf"), float("-inf")) or value != int(value):
        raise refuse(f"{field} is not a whole number of seconds")
    if value < SHORTEST:
        raise refuse(f"{field} is too small")
    if value > LONGEST:
        raise refuse(f"{field} is too large")
    return int(value)


def _unique(value) -> list[str]:
    if not isinstance(value, list):
        raise refuse("unique is not an array")
    if any(item not in UNIQUE for item in value):
        raise refuse("an item in 'unique' has unexpected value")
    return list(dict.fromkeys(value))


def _schedule(expression: str) -> str:
    from chalicelib.monitors import schedule

    try:
        return schedule.check_cron(expression)
    except ValueError as error:
        # Healthchecks guesses OnCalendar for anything not of five fields.
        raise refuse(
            f"schedule is not a valid cron expression ({error}; Herald has no OnCalendar)"
        ) from None


def _zone(name: str) -> str:
    from chalicelib.monitors import schedule

    try:
        return schedule.check_tz(name)
    except ValueError:
        raise refuse("tz is not a valid timezone") from None


# ---- names ------------------------------------------------------------------------


def slugify(text: str) -> str:
    """Healthchecks-style slug: ASCII, lower case, each run of other characters one "-"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9_]+", "-", ascii_text.lower()).strip("-")
    return slug[:MAX_NAME].rstrip("-")


def tag_list(tags: str) -> list[str]:
    return list(dict.fromkeys(tag for tag in tags.split(" ") if tag))


def keyword_list(keywords: str) -> list[str]:
    """Comma-separated keywords as Healthchecks reads them: stripped, empty ones dropped."""
    return [word for word in (part.strip() for part in keywords.split(",")) if word]


# ---- Herald settings ----------------------------------------------------------------


def settings(spec: dict, item: dict | None) -> dict:
    """The settings admin.upsert() is to apply for spec, on item (None: a new monitor)."""
    result = {}
    if "name" in spec:
        result["title"] = spec["name"]
    for field in ("desc", "manual_resume", "methods"):
        if field in spec:
            result[field] = spec[field]
    if "tags" in spec:
        result["tags"] = tag_list(spec["tags"])
    result.update(_timing(spec, item))
    result.update(_keywords(spec, item))
    return result


def _timing(spec: dict, item: dict | None) -> dict:
    """The schedule: cron when a schedule is given (it wins over timeout, as in
    Healthchecks), simple when a timeout is, and Healthchecks' defaults for a
    new check given neither."""
    kind = (item or {}).get("schedule_kind") or "max_sleep"
    result = {}
    if "schedule" in spec:
        tz = spec.get("tz") or ((item or {}).get("tz") if kind == "cron" else None) or "UTC"
        result.update(schedule_kind="cron", schedule=spec["schedule"], tz=tz)
    elif "timeout" in spec or item is None:
        result.update(schedule_kind="simple", timeout=spec.get("timeout", DEFAULT_TIMEOUT))
    elif kind == "max_sleep" and "grace" in spec:
        # Herald's own kind has no grace: it becomes a simple check, same timeout.
        result.update(schedule_kind="simple", timeout=item["max_sleep"])
    elif "tz" in spec and kind == "cron":
        result["tz"] = spec["tz"]
    # tz without a schedule on a simple check does nothing in Healthchecks either.
    if "grace" in spec:
        result["grace"] = spec["grace"]
    elif item is None:
        result["grace"] = DEFAULT_GRACE
    elif result.get("schedule_kind", kind) != kind:
        # A new kind starts afresh (admin drops the old kind's fields): keep the grace.
        result["grace"] = item.get("grace", DEFAULT_GRACE)
    return result


def _keywords(spec: dict, item: dict | None) -> dict:
    """success/failure keywords, which Herald applies to every HTTP ping's body."""
    for field in ("filter_subject", "filter_body"):
        if spec.get(field):
            raise refuse(f"{field} cannot be true: {NO_MAIL}")
    for field in ("subject", "subject_fail", "start_kw"):
        if spec.get(field):
            why = NO_MAIL if field != "start_kw" else "Herald has no start keywords"
            raise refuse(f"{field} must be empty: {why}")
    if spec.get("filter_default_fail"):
        raise refuse(
            "filter_default_fail cannot be true: in Herald a ping that matches "
            "no keyword counts as it came"
        )
    touched = {"success_kw", "failure_kw", "subject", "subject_fail", "filter_http_body"}
    if not touched & set(spec):
        return {}
    current = item or {}
    lists = {
        "success_keywords": list(current.get("success_keywords") or []),
        "failure_keywords": list(current.get("failure_keywords") or []),
    }
    # The deprecated subject fields set the keywords too (to "" here: see above).
    for field, target in (
        ("subject", "success_keywords"),
        ("subject_fail", "failure_keywords"),
        ("success_kw", "success_keywords"),
        ("failure_kw", "failure_keywords"),
    ):
        if field in spec:
            lists[target] = keyword_list(spec[field])
    filtering = spec.get("filter_http_body", bool(item and any(_current_lists(item))))
    if not filtering:
        for field in ("success_kw", "failure_kw"):
            if keyword_list(spec.get(field, "")):
                raise refuse(
                    f"{field} needs filter_http_body: true (it filters HTTP ping "
                    f"bodies only; {NO_MAIL})"
                )
        lists = {target: [] for target in lists}
    return lists


def _current_lists(item: dict) -> tuple[list, list]:
    return item.get("success_keywords") or [], item.get("failure_keywords") or []
