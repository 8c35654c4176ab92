"""Shared builders for the paging kinds' tests: configs, notices, hostile names."""

import base64

from chalicelib.core.channels.kinds import kind
from chalicelib.core.channels.notice import Notice

INCARNATION = "0123456789abcdef0123456789abcdef.20261101000000"
IDS = {
    "down": f"mon-{INCARNATION}-3",
    "long": f"mon-{INCARNATION}-4",
    "fail": f"mon-{INCARNATION}-fail-1793610000000000",
    "up": f"mon-{INCARNATION}-up-1793606400000000",
    "test": "test-5f1c",
}
HOSTILE = ["<script>alert(1)</script>", "*bold* _it_", "@channel", "<!here> & co", "n" * 5000]
FAILURE = (("Exit status", "3"), ("Body", "Traceback (most recent call last):\n  boom <b>"))
ROUTING_KEY = "e93facc04764012d7bfb002500d5d1a6"
SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()
CONFIGS = {
    "pagerduty": {"routing_key": ROUTING_KEY},
    "opsgenie": {"api_key": "eb243592-faa2-4ba2-a551-1afdf565c889", "region": "us"},
    "sns": {"topic_arn": "arn:aws:sns:us-east-1:123456789012:herald-alerts"},
    "webhook": {"url": "https://hooks.example.com/herald?token=abc", "secret": SECRET},
}


def make(kind_="down", monitor="backup", details=(), **changes) -> Notice:
    fields = {
        "id": IDS[kind_],
        "kind": kind_,
        "monitor": monitor,
        "subject": f"{monitor} disconnection detected",
        "paragraphs": (f"No ping from {monitor} since 2026-11-02 08:00:00 UTC.", "Grace passed."),
        "link": "https://herald.test/logs?username=backup&sig=abc",
        "link_label": "Pings on 2026-11-02",
        "at": "2026-11-02T09:00:00.000000Z",
        "details": details,
    }
    return Notice(**{**fields, **changes})


def render(name: str, notice: Notice, **config):
    return kind(name).render(notice, {**CONFIGS[name], **config})
