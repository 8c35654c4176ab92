"""Channel kinds: one module each, a registry by name.

A kind module has:
- CONFIG: {key: Field}, the keys its `config` takes (which are secret,
  which are required);
- check(config) -> dict: the config, checked (raises errors.Invalid naming
  "config.<key>"); secrets are checked here, stored elsewhere;
- render(notice, config) -> Request: the one request that tells the
  service about the notice, in the service's documented format.

Rendering is pure: no I/O, no clock. Sending (the one outgoing HTTP client,
retries, the delivery log) is the delivery handler's business, the same for
every kind. Kinds are imported only when used.
"""

import importlib
from dataclasses import dataclass, field

NAMES = (
    "slack",
    "teams",
    "discord",
    "telegram",
    "ntfy",
    "pagerduty",
    "opsgenie",
    "sns",
    "webhook",
)


@dataclass(frozen=True)
class Field:
    required: bool = True
    secret: bool = False  # never shown again after creation, never stored in a table


@dataclass(frozen=True)
class Request:
    """An HTTP request for outgoing.request(), or for "sns" an SNS Publish."""

    method: str
    url: str
    json: dict | list | None = None
    headers: dict = field(default_factory=dict)
    data: bytes | None = None  # a raw body (ntfy's message), when json is None
    publish: dict | None = None  # sns: {"TopicArn", "Subject", "Message", ...}


def kind(name: str):
    """The module of a channel kind (ValueError if there is none)."""
    if name not in NAMES:
        raise ValueError(f"unknown channel kind {name!r}")
    return importlib.import_module(f"chalicelib.core.channels.kinds.{name}")
