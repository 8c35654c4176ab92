"""Where Herald runs, read in one place.

Local mode (`make run`, and tests that ask for it) is HERALD_LOCAL=1 and
nothing else: "0", "yes" or an empty value are not local mode. A function
running in Lambda is never in local mode, whatever its environment says,
so a stray variable cannot loosen the SSRF guard or let plain secrets in.
"""

import os


def in_lambda() -> bool:
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


def local_mode() -> bool:
    return os.environ.get("HERALD_LOCAL") == "1" and not in_lambda()


def stage() -> str:
    return os.environ.get("HERALD_STAGE", "dev")


def number(name: str, default: float) -> float:
    """A numeric setting from the environment (the stage's config.json)."""
    return float(os.environ.get(name) or default)


def public_url() -> str:
    """The API's public base URL, for links in mail and the dashboard."""
    return os.environ.get("HERALD_PUBLIC_URL", "").rstrip("/")


def ping_url() -> str:
    """The base of the ping URLs Herald shows: the ping door's (HERALD_PING_URL,
    which the stack sets unless ShownPingUrls=api), else the API's."""
    return os.environ.get("HERALD_PING_URL", "").rstrip("/") or public_url()
