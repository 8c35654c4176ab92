"""A monitor's settings: what may be stored, checked before anything is written.

Every refusal names the field (`users.NAME.max_sleep`, `monitor.schedule`),
so the API, the CLI and a config import can say exactly what is wrong.

Three kinds of schedule (chalicelib/monitors/schedule.py says when each
expects a ping): the seed's `max_sleep`, Healthchecks' `simple` (timeout and
grace) and `cron` (expression, time zone and grace). The kind is named by
`schedule_kind` or inferred from the fields given (`schedule` means cron,
`timeout` or `grace` simple, else max_sleep), and fields of another kind are refused.

For the simple and cron kinds the item also stores `max_sleep`: not a
setting there, but the shortest silence after a ping before the checker
must look (the ping's UpdateItem computes the due time from it without
reading the monitor). For simple it is the timeout (when it can turn late);
for cron the grace, as the next cron match may come at any moment after a
ping, but never sooner than that.
"""

import re
from decimal import Decimal

from chalicelib.core import values
from chalicelib.core.errors import Invalid
from chalicelib.monitors import flapping, policy_settings

# "." and ".." are not names: clients drop such path segments from ping URLs.
NAME = re.compile(r"(?!\.+$)[A-Za-z0-9_.@-](?:[A-Za-z0-9_.@ -]{0,62}[A-Za-z0-9_.@-])?")
TAG = re.compile(r"[^\s\x00-\x1f\x7f]{1,64}")
MAX_RECIPIENTS = 50
KINDS = {"max_sleep": ("max_sleep",), "simple": ("timeout", "grace"), "cron": ("schedule", "tz")}
KIND_FIELDS = {"max_sleep", "timeout", "grace", "schedule", "tz"}
DESCRIPTIVE = ("title", "desc", "tags", "manual_resume", "methods")
RUNS = ("max_runtime", "success_keywords", "failure_keywords")
# The alert policy (docs/monitors.md, "Alert policy"): chalicelib/core/windows.py's windows.
POLICY = policy_settings.FIELDS
SETTINGS = (
    "schedule_kind",
    "max_sleep",
    "timeout",
    "grace",
    "schedule",
    "tz",
    "monitor",
    "email_frequency",
    "recipients",
    "refresh_on_ping_restored",
    "require_key",
    *DESCRIPTIVE,
    *RUNS,
    "group_key",
    "channels",
    *POLICY,
)
DEFAULTS = {"monitor": True, "refresh_on_ping_restored": True, "require_key": True}
# Healthchecks' defaults, so a check created without them behaves as there.
DEFAULT_TIMEOUT = 86400
DEFAULT_GRACE = 3600
TEN_YEARS = 10 * 365 * 86400


def number(field: str, value, *, least: float = 0) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise Invalid.at(field, f"must be a number of seconds, got {value!r}")
    if value != value or value < least or value > TEN_YEARS:
        raise Invalid.at(field, f"must be between {least:g} s and ten years, got {value!r}")
    # Milliseconds are plenty, and DynamoDB refuses numbers like 1e-300.
    return Decimal(str(value)).quantize(Decimal("0.001"))


def recipients(field: str, value) -> list[str]:
    return values.email_addresses(value, field, limit=MAX_RECIPIENTS)


def flag(field: str, value) -> bool:
    # The original accepted "bool-like" values for refresh_on_ping_restored.
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0"):
        return value.lower() in ("true", "yes", "1")
    raise Invalid.at(field, f"must be true or false, got {value!r}")


def text(field: str, value, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise Invalid.at(field, f"must be text of at most {limit} characters")
    if "\x00" in value:
        raise Invalid.at(field, "must not contain NUL characters")
    return value


def words(field: str, value, *, limit: int = 50, pattern=TAG) -> list[str]:
    """A list of short strings (tags, keywords); duplicates dropped, order kept."""
    if not isinstance(value, list) or len(value) > limit:
        raise Invalid.at(field, f"must be a list of at most {limit} strings")
    for entry in value:
        if not isinstance(entry, str) or not pattern.fullmatch(entry):
            raise Invalid.at(field, f"{str(entry)[:80]!r} is not allowed ({_shape(pattern)})")
    return list(dict.fromkeys(value))


def _shape(pattern) -> str:
    if pattern is TAG:
        return "1-64 characters, no spaces"
    return "a channel's id" if pattern is CHANNEL_ID else "1-200 characters, one line"


KEYWORD = re.compile(r"[^\x00-\x1f\x7f]{1,200}")
CHANNEL_ID = re.compile(r"[0-9a-f]{16}")


def kind_of(settings: dict, at: str) -> str:
    """The schedule kind the settings ask for: named, or inferred from the fields."""
    named = settings.get("schedule_kind")
    if named is not None:
        if not isinstance(named, str) or named not in KINDS:
            raise Invalid.at(f"{at}.schedule_kind", "must be one of max_sleep, simple, cron")
        return named
    if "schedule" in settings:
        return "cron"
    if "max_sleep" in settings:
        return "max_sleep"
    return "simple" if "timeout" in settings or "grace" in settings else "max_sleep"


def _schedule(settings: dict, at: str) -> dict:
    """The schedule fields of one kind, checked, plus the stored floor (max_sleep)."""
    from chalicelib.monitors import schedule

    kind = kind_of(settings, at)
    allowed = set(KINDS[kind]) | ({"grace"} if kind != "max_sleep" else set())
    for field in sorted(KIND_FIELDS - allowed):
        if settings.get(field) is not None:
            raise Invalid.at(f"{at}.{field}", f"not a setting of a {kind} schedule")
    if kind == "max_sleep":
        if "max_sleep" not in settings:
            raise Invalid.at(f"{at}.max_sleep", "missing")
        return {
            "schedule_kind": kind,
            "max_sleep": number(f"{at}.max_sleep", settings["max_sleep"]),
        }
    grace = number(f"{at}.grace", settings.get("grace", DEFAULT_GRACE))
    if kind == "simple":
        timeout = number(f"{at}.timeout", settings.get("timeout", DEFAULT_TIMEOUT), least=1)
        return {"schedule_kind": kind, "timeout": timeout, "grace": grace, "max_sleep": timeout}
    checked = {}
    for field, check in (("schedule", schedule.check_cron), ("tz", schedule.check_tz)):
        value = settings.get(field, "UTC" if field == "tz" else None)
        if not isinstance(value, str):
            raise Invalid(
                f"{at}.{field}: missing" if value is None else f"{at}.{field}: must be text"
            )
        try:
            checked[field] = check(value)
        except ValueError as error:
            raise Invalid.at(f"{at}.{field}", f"{error}") from None
    return {"schedule_kind": kind, **checked, "grace": grace, "max_sleep": grace}


def _describing(settings: dict, at: str) -> dict:
    result = {
        "title": text(f"{at}.title", settings.get("title", ""), 200),
        "desc": text(f"{at}.desc", settings.get("desc", ""), 2000),
        "tags": words(f"{at}.tags", settings.get("tags", [])),
        "manual_resume": flag(f"{at}.manual_resume", settings.get("manual_resume", False)),
    }
    methods = settings.get("methods", "")
    if methods not in ("", "POST"):
        raise Invalid(f'{at}.methods: must be "" (any method) or "POST", got {methods!r}')
    result["methods"] = methods
    for field in ("success_keywords", "failure_keywords"):
        result[field] = words(f"{at}.{field}", settings.get(field, []), limit=20, pattern=KEYWORD)
    runtime = settings.get("max_runtime")
    result["max_runtime"] = (
        None if runtime is None else number(f"{at}.max_runtime", runtime, least=1)
    )
    group = settings.get("group_key")
    if group is not None and not (isinstance(group, str) and re.fullmatch(r"[0-9a-f]{12}", group)):
        raise Invalid.at(f"{at}.group_key", "must be a shared ping key's id (12 hex digits)")
    result["group_key"] = group
    # The alert channels it tells besides its recipients (admin checks they
    # exist). Not set: the deployment's default channels; [] is "none".
    channels = settings.get("channels")
    if channels is not None:
        channels = words(f"{at}.channels", channels, limit=20, pattern=CHANNEL_ID)
    result["channels"] = channels
    return result


def validate(name, settings: dict, *, where: str = "") -> dict:
    """Checked settings of monitor `name`; raises Invalid naming the field.

    None values mean "not set" (the writer removes those attributes)."""
    at = where or (f"users.{name}" if isinstance(name, str) else "name")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise Invalid(
            f"{at}: the name must be 1-64 letters, digits, spaces or . _ @ - "
            f"(not only dots; no space first or last), got {str(name)[:80]!r}"
        )
    if not isinstance(settings, dict):
        raise Invalid.at(at, "must be an object")
    unknown = set(settings) - set(SETTINGS) - {"device_email", "recipient", "name", "realert_every"}
    if unknown:
        raise Invalid.at(f"{at}.{sorted(unknown)[0]}", "unknown setting")
    # Another kind's fields are removed when the kind changes.
    result = {**dict.fromkeys(KIND_FIELDS), **_schedule(settings, at)}
    seed = result["schedule_kind"] == "max_sleep"
    settings = policy_settings.realert_every(settings, at)
    if seed or settings.get("email_frequency") is not None:
        if "email_frequency" not in settings:
            raise Invalid.at(f"{at}.email_frequency", "missing")
        result["email_frequency"] = number(f"{at}.email_frequency", settings["email_frequency"])
    else:
        result["email_frequency"] = None
    for field in ("monitor", "refresh_on_ping_restored", "require_key"):
        result[field] = flag(f"{at}.{field}", settings.get(field, DEFAULTS[field]))
    for field in ("recipients", "device_email", "recipient"):
        if settings.get(field) == [] and not seed:
            continue  # no one to mail yet (channels and hooks may still tell)
        if settings.get(field) is not None:
            result["recipients"] = recipients(f"{at}.{field}", settings[field])
            break
    else:
        if seed:
            raise Invalid.at(f"{at}.device_email", "missing (and no global recipient)")
        result["recipients"] = []
    described = {**_describing(settings, at), **policy_settings.check(settings, at)}
    # A default is stored as no attribute, so monitors made before a setting
    # existed read as having its default (and a re-import stays "unchanged").
    stored = {**result, **{k: (v or None) for k, v in described.items()}}
    stored["channels"] = described["channels"]  # [] differs from not set
    stored["realert_limit"] = described["realert_limit"]  # 0 differs from not set
    stored["quiet_summary"] = None if described["quiet_summary"] else False
    stored["flapping"] = described["flapping"]  # False (off) differs from not set
    if seed:
        stored["schedule_kind"] = None
    stored["kw"] = True if described["success_keywords"] or described["failure_keywords"] else None
    return stored


def shown(item: dict) -> dict:
    """Every setting of a stored monitor as the API shows it, defaults filled in."""
    kind = item.get("schedule_kind") or "max_sleep"
    result = {field: values.plain(item.get(field)) for field in SETTINGS}
    result["schedule_kind"] = kind
    if kind != "max_sleep":
        result["max_sleep"] = None
    for field, default in (("title", ""), ("desc", ""), ("methods", ""), ("manual_resume", False)):
        result[field] = result[field] or default
    result["quiet_summary"] = item.get("quiet_summary") is not False
    for field in ("failure_threshold", "recovery_threshold"):
        result[field] = result[field] or 1
    result["realert_every"] = result["email_frequency"]
    result["flapping"] = flapping.shown(item)
    for field in ("maintenance", "quiet_hours"):
        result[field] = result[field] or []
    for field in ("tags", "success_keywords", "failure_keywords"):
        result[field] = result[field] or []
    return result


def settings_of(item: dict) -> dict:
    """The settings a stored monitor was given (to change some and check again)."""
    kind = item.get("schedule_kind") or "max_sleep"
    kept = {field for field in SETTINGS if item.get(field) is not None}
    if kind != "max_sleep":
        kept.discard("max_sleep")  # the floor, not a setting (see above)
    return {field: values.plain(item[field]) for field in kept}
