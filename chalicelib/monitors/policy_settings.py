"""The alert policy's settings (policy.py applies them), checked like the
rest of a monitor's (rules.py); every refusal names the field."""

from chalicelib.core.errors import Invalid

FIELDS = ("maintenance", "quiet_hours", "quiet_summary", "realert_limit")
FIELDS += ("failure_threshold", "recovery_threshold", "depends_on", "flapping")
MAX_THRESHOLD = 100


def realert_every(settings: dict, at: str) -> dict:
    """realert_every is email_frequency under the name every channel can use."""
    if settings.get("realert_every") is None:
        return {k: v for k, v in settings.items() if k != "realert_every"}
    given = {k: v for k, v in settings.items() if k != "realert_every"}
    if given.get("email_frequency") not in (None, settings["realert_every"]):
        raise Invalid.at(
            f"{at}.realert_every", "differs from email_frequency (it is its other name)"
        )
    return {**given, "email_frequency": settings["realert_every"]}


def check(settings: dict, at: str) -> dict:
    """The policy's fields checked; defaults as None (stored as no attribute)."""
    from chalicelib.core import windows
    from chalicelib.monitors import flapping, rules  # rules imports this module

    limit = settings.get("realert_limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise Invalid.at(f"{at}.realert_limit", "must be a whole number of reminders (0 or more)")
    thresholds = {}
    for field in ("failure_threshold", "recovery_threshold"):
        value = settings.get(field, 1)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_THRESHOLD:
            raise Invalid.at(f"{at}.{field}", f"must be a whole number from 1 to {MAX_THRESHOLD}")
        thresholds[field] = value if value > 1 else None  # 1, the default: stored as absent
    parent = settings.get("depends_on")
    if parent is not None and not (isinstance(parent, str) and rules.NAME.fullmatch(parent)):
        raise Invalid.at(f"{at}.depends_on", "must be the name of another monitor")
    return {
        **thresholds,
        "depends_on": parent,
        "maintenance": windows.check(settings.get("maintenance"), f"{at}.maintenance"),
        "quiet_hours": windows.check(settings.get("quiet_hours"), f"{at}.quiet_hours"),
        "quiet_summary": rules.flag(f"{at}.quiet_summary", settings.get("quiet_summary", True)),
        "realert_limit": limit,
        "flapping": flapping.check(settings.get("flapping"), f"{at}.flapping"),
    }
