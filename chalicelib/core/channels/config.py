"""A channel's config: checked per kind, and split into what a table may keep
and what only SSM may (chalicelib/core/channels/store.py)."""

from chalicelib.core import errors, settings

NAME_LIMIT = 100
KINDS = ("email", "slack", "teams", "discord", "telegram", "ntfy")
KINDS += ("pagerduty", "opsgenie", "sns", "webhook")


def fields(kind: str) -> dict:
    """{config key: Field} of a kind."""
    from chalicelib.core.channels import kinds

    if kind == "email":
        return {"recipients": kinds.Field()}
    return kinds.kind(kind).CONFIG


def check(kind, name, config) -> tuple[str, str, dict]:
    """(kind, name, config) checked; raises Invalid naming the field."""
    if kind not in KINDS:
        raise errors.Invalid.at("kind", f"must be one of {', '.join(KINDS)}, got {kind!r:.40}")
    name = check_name(name)
    if not isinstance(config, dict):
        raise errors.Invalid.at("config", "must be an object")
    unknown = sorted(set(config) - set(fields(kind)))
    if unknown:
        raise errors.Invalid.at(f"config.{unknown[0]}", f"not a setting of a {kind} channel")
    if config.get("api_url") and not other_endpoints_allowed():
        raise errors.Invalid.at(
            "config.api_url",
            "honoured only in local mode or where the operator sets CHANNELS_ALLOW_API_URL=1 "
            f"(else a {kind} key could be sent to any host)",
        )
    if kind == "email":
        from chalicelib.core import values

        if config.get("recipients") is None:
            raise errors.Invalid.at("config.recipients", "missing")
        recipients = values.email_addresses(config["recipients"], "config.recipients", limit=50)
        return kind, name, {"recipients": recipients}
    from chalicelib.core.channels import kinds

    return kind, name, kinds.kind(kind).check(config)


def other_endpoints_allowed() -> bool:
    """Whether a fixed vendor endpoint (Telegram, PagerDuty, Opsgenie) may be replaced."""
    import os

    return settings.local_mode() or os.environ.get("CHANNELS_ALLOW_API_URL") == "1"


def check_name(name) -> str:
    from chalicelib.core import values

    if not isinstance(name, str) or not name.strip() or len(name) > NAME_LIMIT:
        raise errors.Invalid.at("name", f"must be 1-{NAME_LIMIT} characters of text")
    if not values.printable(name):
        raise errors.Invalid.at("name", "must be one line of printable text")
    return name.strip()


def split(kind: str, config: dict) -> tuple[dict, dict]:
    """(plain, secret) parts of a checked config."""
    secret_keys = {key for key, spec in fields(kind).items() if spec.secret}
    plain = {k: v for k, v in config.items() if k not in secret_keys}
    return plain, {k: v for k, v in config.items() if k in secret_keys}


def hints(secret: dict) -> dict:
    return {key: "..." + str(value)[-4:] for key, value in secret.items() if value}
