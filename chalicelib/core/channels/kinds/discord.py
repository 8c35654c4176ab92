"""Discord: one embed posted to a channel's web-hook.

Discord's "Execute Webhook" (discord.com/developers/docs/resources/webhook)
takes {"embeds": [...], "allowed_mentions": ...}; `?wait=true` makes it
answer with the message it saved (or an error) instead of 204 unseen. The
embed (docs/resources/message, "Embed Limits"): title <= 256 characters,
description <= 4,096, at most 25 fields of name <= 256 and value <= 1,024,
footer <= 2,048, and 6,000 in all; its colour says what happened, its url
is the link, its timestamp when it happened, its fields the details.

Escaping: embeds are Discord Markdown, so notice text has a backslash put
before each character Markdown or a mention could use (and before a
heading or list mark starting a line); a ping's body goes in a code block,
where nothing is parsed, with its backticks broken by a zero-width space.
`allowed_mentions` with no parse types means no @everyone, role or user
ping, whatever the text holds. Text is cut before it is escaped (never
between a backslash and its character); lengths are counted in UTF-16
code units, never fewer than Discord counts.
"""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from chalicelib.core.channels.kinds import Field, Request, checks

CONFIG = {"url": Field(secret=True)}  # the web-hook's URL holds its token

TITLE, DESCRIPTION, NAME, VALUE, FIELDS, TOTAL = 256, 2500, 100, 1024, 25, 6000
FOOTER = "Herald"
COLORS = {"down": 0xD93F0B, "fail": 0xD93F0B, "long": 0xE3B341, "up": 0x2EA043, "test": 0x5865F2}
COLORS["flapping"] = 0xE3B341
_MARKUP = re.compile(r"([\\*_~`|<>\[\]()@])")
_LINE_MARK = re.compile(r"^(\s*)(#|-|\+|\d+\.)", re.MULTILINE)


def check(config) -> dict:
    _known(config)
    return {"url": _url(config["url"], "url")}


def render(notice, config) -> Request:
    embed = {"title": _fit(notice.subject, TITLE), "color": _color(notice.kind)}
    if notice.paragraphs:
        embed["description"] = _fit("\n\n".join(notice.paragraphs), DESCRIPTION)
    if notice.link:
        embed["url"] = notice.link
    if notice.at:
        embed["timestamp"] = notice.at
    embed["footer"] = {"text": FOOTER}
    left = TOTAL - sum(_units(embed.get(key, "")) for key in ("title", "description")) - len(FOOTER)
    fields = []
    for label, value in notice.details[:FIELDS]:
        name = _fit(label, NAME) or "-"
        room = min(VALUE, left - _units(name))
        if room < 16:  # no room left for a useful value
            break
        text = _code_block(value, room) if "\n" in value else _fit(value, room)
        fields.append({"name": name, "value": text or "-", "inline": "\n" not in value})
        left -= _units(name) + _units(fields[-1]["value"])
    if fields:
        embed["fields"] = fields
    payload = {"embeds": [embed], "allowed_mentions": {"parse": []}}
    return Request("POST", _waiting(config["url"]), json=payload)


def _color(kind: str) -> int:
    return COLORS.get(kind, COLORS["test"])


def _escape(text: str) -> str:
    return _LINE_MARK.sub(r"\1\\\2", _MARKUP.sub(r"\\\1", text))


def _code(text: str) -> str:
    return text.replace("`", "`\u200b")


def _code_block(text: str, limit: int) -> str:
    return f"```\n{_fit(text, limit - 8, _code)}\n```"


def _units(text: str) -> int:
    return checks.utf16(text)


def _fit(text: str, limit: int, escape=_escape) -> str:
    """escape(text), cut (before escaping) to at most limit UTF-16 units."""
    return checks.fit(text, limit, checks.utf16, escape)


def _waiting(url: str) -> str:
    """url with wait=true, so that Discord answers with what it did."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "wait"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("wait", "true")])))


def _known(config) -> None:
    checks.known(config, CONFIG, "discord")


def _url(value, key: str) -> str:
    return checks.url(value, key)
