"""Telegram: a message sent by a bot to a chat, through the Bot API.

POST {api_url}/bot<token>/sendMessage with {chat_id, text, parse_mode:
"HTML", link_preview_options: {is_disabled: true}} (core.telegram.org/bots/api,
"sendMessage" and "HTML style"). api_url is https://api.telegram.org unless
the channel names a stand-in; the store decides when that is honoured.

The text is the subject in bold, the paragraphs, the link, then the details
(a ping's body in <pre>). Escaping: in HTML mode Telegram reads tags and
entities, so every piece of notice text goes through html.escape (<, >, &,
and quotes inside the link's href); no tag comes from a monitor. Telegram
allows 1-4,096 characters after entities are parsed, that is of visible
text: the text is cut on its visible characters, piece by piece, before
escaping, so no cut falls inside a tag or an entity. Counted in UTF-16 code
units, as Telegram counts.
"""

import html
import re

from chalicelib.core.channels.kinds import Field, Request, checks
from chalicelib.core.errors import Invalid

CONFIG = {"bot_token": Field(secret=True), "chat_id": Field(), "api_url": Field(required=False)}

API = "https://api.telegram.org"
TEXT, SUBJECT, VALUE = 4096, 256, 3000
ICONS = {"down": "🔴", "fail": "❌", "long": "⏳", "up": "✅", "test": "🧪", "news": "📰"}
ICONS["flapping"] = "🔀"
_TOKEN = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{20,100}")
_CHAT = re.compile(r"-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31}")
_BREAK = (None, "\n\n")


def check(config) -> dict:
    _known(config)
    token = config["bot_token"]
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        # The message never repeats the token: it is a secret.
        raise Invalid.at(
            "config.bot_token",
            "must be a bot token as @BotFather gives it "
            "(digits, a colon, 20-100 letters, digits, - or _)",
        )
    chat = config["chat_id"]
    chat = str(chat) if isinstance(chat, int) and not isinstance(chat, bool) else chat
    if not isinstance(chat, str) or not _CHAT.fullmatch(chat):
        raise Invalid.at("config.chat_id", "must be a chat's id (-100...) or a @channelusername")
    checked = {"bot_token": token, "chat_id": chat}
    if config.get("api_url") is not None:
        checked["api_url"] = checks.base_url(config["api_url"], "api_url")
    return checked


def render(notice, config) -> Request:
    pieces = [("b", f"{ICONS.get(notice.kind, '🔔')} {_clip(notice.subject, SUBJECT)}")]
    for paragraph in notice.paragraphs:
        pieces += [_BREAK, (None, paragraph)]
    if notice.link:
        pieces += [_BREAK, ("a", notice.link_label or notice.link)]
    for label, value in notice.details:
        block = "\n" in value
        pieces += [_BREAK, ("b", f"{label}:"), (None, "\n" if block else " ")]
        pieces.append(("pre" if block else None, _clip(value, VALUE)))
    text = "".join(_markup(tag, part, notice.link) for tag, part in _cut(pieces, TEXT))
    message = {
        "chat_id": config["chat_id"],
        "text": text,
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
    }
    base = (config.get("api_url") or API).rstrip("/")
    return Request("POST", f"{base}/bot{config['bot_token']}/sendMessage", json=message)


def _cut(pieces: list, limit: int) -> list:
    """The pieces whose visible text fits in limit; the last one cut to fit."""
    kept, left = [], limit
    for tag, part in pieces:
        size = _units(part)
        if size <= left:
            kept.append((tag, part))
            left -= size
            continue
        if tag is not None or left > 1:  # a cut separator is dropped, a cut text ends in …
            kept.append((tag, _clip(part, left)))
        break
    return [(tag, part) for tag, part in kept if part]


def _markup(tag, text: str, link: str) -> str:
    escaped = html.escape(text, quote=False)
    if tag is None:
        return escaped
    if tag == "a":
        return f'<a href="{html.escape(link, quote=True)}">{escaped}</a>'
    return f"<{tag}>{escaped}</{tag}>"


def _units(text: str) -> int:
    return checks.utf16(text)


def _clip(text: str, limit: int) -> str:
    """text, or its start and an ellipsis, at most limit UTF-16 units."""
    return checks.fit(text, limit, checks.utf16)


def _known(config) -> None:
    checks.known(config, CONFIG, "telegram")
