"""ntfy: a notification published to a topic, on ntfy.sh or one's own server.

The JSON form of publishing (docs.ntfy.sh/publish, "Publish as JSON"): POST
to the server's root URL {"topic", "message", "title", "tags", "priority",
"click"}, with "Authorization: Bearer <token>" when the topic is protected
("Access tokens"). JSON rather than the Title/Tags headers because headers
carry non-ASCII text badly (a monitor's name may be any script), and JSON
needs no escaping: ntfy shows the message as plain text (markdown is off).

Priority: 4 (high) for a disconnection, a failure or a run too long, or the
channel's `priority` (1-5) instead; a recovery or a test gets the default,
3, or the channel's priority if that is lower, so a quiet channel stays
quiet. Tags: an emoji short code ntfy shows before the title, and the
notice's kind. A message over 4,096 bytes would become an attachment, so
it is cut to fit, before the body's end rather than the paragraphs.

The topic is secret: on a public server whoever knows it may read it (ntfy
calls it "essentially a password"). Topic names are [-_A-Za-z0-9]{1,64}.
"""

import re

from chalicelib.core.channels.kinds import Field, Request, checks
from chalicelib.core.errors import Invalid

CONFIG = {
    "server": Field(required=False),
    "topic": Field(secret=True),
    "token": Field(required=False, secret=True),
    "priority": Field(required=False),
}

SERVER = "https://ntfy.sh"
MESSAGE, TITLE, ALERT, QUIET = 4096, 250, 4, 3
TAGS = {"down": "rotating_light", "fail": "x", "long": "hourglass_flowing_sand"}
TAGS |= {"up": "white_check_mark", "test": "test_tube", "news": "newspaper"}
TAGS["flapping"] = "twisted_rightwards_arrows"
_TOPIC = re.compile(r"[-_A-Za-z0-9]{1,64}")
_TOKEN = re.compile(r"[!-~]{1,200}")  # printable ASCII: nothing that could split a header


def check(config) -> dict:
    _known(config)
    topic = config["topic"]
    # A topic of digits comes from the command line as a number.
    topic = str(topic) if isinstance(topic, int) and not isinstance(topic, bool) else topic
    if not isinstance(topic, str) or not _TOPIC.fullmatch(topic):
        raise Invalid.at("config.topic", "must be 1-64 letters, digits, - or _")
    checked = {"topic": topic}
    if config.get("server") is not None:
        checked["server"] = checks.base_url(config["server"], "server")
    token = config.get("token")
    if token is not None:
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            raise Invalid.at("config.token", "must be an access token (tk_...), no spaces")
        checked["token"] = token
    priority = config.get("priority")
    if priority is not None:
        if not isinstance(priority, int) or isinstance(priority, bool) or not 1 <= priority <= 5:
            raise Invalid.at("config.priority", "must be a whole number from 1 (min) to 5 (max)")
        checked["priority"] = priority
    return checked


def render(notice, config) -> Request:
    alert = notice.kind in ("down", "fail", "long", "flapping")
    chosen = config.get("priority")
    priority = (chosen or ALERT) if alert else min(QUIET, chosen or QUIET)
    lines = ["\n\n".join(notice.paragraphs)] if notice.paragraphs else []
    for label, value in notice.details:
        lines.append(f"{label}:\n{value}" if "\n" in value else f"{label}: {value}")
    message = {
        "topic": config["topic"],
        "title": _clip(notice.subject, TITLE),
        "message": _clip("\n\n".join(lines) or notice.subject, MESSAGE),
        "priority": priority,
        "tags": [TAGS.get(notice.kind, "bell"), notice.kind],
    }
    if notice.link:
        message["click"] = notice.link
    headers = {"Authorization": f"Bearer {config['token']}"} if config.get("token") else {}
    root = (config.get("server") or SERVER).rstrip("/") + "/"
    return Request("POST", root, json=message, headers=headers)


def _size(text: str) -> int:
    return checks.json_bytes(text)


def _clip(text: str, limit: int) -> str:
    """text, cut with an ellipsis so that its JSON form is at most limit bytes."""
    return checks.fit(text, limit, checks.json_bytes)


def _known(config) -> None:
    checks.known(config, CONFIG, "ntfy")
