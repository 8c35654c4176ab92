"""The original's configuration file (seed 004's config.json): read and applied.

The whole file is checked before anything is written, so a bad file changes
nothing; applying it twice changes nothing either.
"""

from chalicelib.core.errors import Invalid
from chalicelib.monitors import admin, channels, rules

IGNORED = {
    "server_root": "the logs link uses HERALD_PUBLIC_URL",
    "base_frequency": "the checker runs every minute",
    "email_processing_frequency": "mail goes through the outbox queue at once",
}


def parse_config(document) -> tuple[dict[str, dict], list[str]]:
    """{name: settings} from the original's config, and notes; raises Invalid."""
    if not isinstance(document, dict):
        raise Invalid("(top level): must be a JSON object with a `users` map")
    notes = [
        f"{field}: accepted and ignored ({why})"
        for field, why in IGNORED.items()
        if field in document
    ]
    unknown = set(document) - set(IGNORED) - {"recipient", "users"}
    if unknown:
        raise Invalid.at(sorted(unknown)[0], "unknown field")
    users = document.get("users")
    if not isinstance(users, dict) or not users:
        raise Invalid("users: must be a non-empty object of name: settings")
    default = document.get("recipient")
    if default is not None:
        rules.recipients("recipient", default)
    result = {}
    for name, settings in users.items():
        if isinstance(settings, dict) and settings.get("device_email") is None:
            settings = {**settings, "recipient": default}
        result[name] = rules.validate(name, settings)
    return result, notes


def import_config(document) -> tuple[list[tuple[str, str]], list[str]]:
    """Apply the whole file, or nothing when any part of it is wrong."""
    wanted, notes = parse_config(document)
    for settings in wanted.values():
        channels.check(settings)  # before any write: a bad id changes nothing
    return [(name, admin.apply(name, settings)[0]) for name, settings in wanted.items()], notes
