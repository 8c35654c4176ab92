"""Sample servers that `make run` starts beside Herald, on loopback.

Each module listed here has start(env) -> Companion | None: it starts its
server and may add environment variables (a site's URL, say) that Herald's
processes get. Feature work adds its module to COMPANIONS.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Companion:
    name: str
    url: str
    stop: Callable[[], None]
    env: dict[str, str] = field(default_factory=dict)
    # Run once Herald's resources exist (create records, configure sites).
    setup: Callable[[], None] | None = None


COMPANIONS: list[str] = [
    "herald.local.sample_site",  # a GroupServer site for the digest and profile-status jobs
    "herald.local.sample_feed",  # a change feed for subscriptions
    "herald.local.receiver",  # a web-hook receiver that verifies signatures
]
