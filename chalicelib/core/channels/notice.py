"""A notice: what one channel-neutral message says, and its stable id.

Monitors build them (chalicelib/monitors/notices.py), and subscriptions
(chalicelib/subscriptions/telling.py, a "news" notice); channels render them
(chalicelib/core/channels/kinds/ and email.py). The id is fixed by what
happened, never by who noticed, so each channel delivers a notice once.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    id: str
    # down, fail, long, up; news (a subscription's); test (a channel's test),
    # test-over (its end, for a kind that opened an incident for it)
    kind: str
    monitor: str  # what it is about: a monitor's name, or a subscription's resource
    subject: str
    paragraphs: tuple[str, ...]
    link: str
    link_label: str
    # When it happened (ISO, UTC), and facts a channel may show as fields:
    # (label, value) pairs such as ("Exit status", "3"), ("Body", "...").
    at: str = ""
    details: tuple[tuple[str, str], ...] = ()
