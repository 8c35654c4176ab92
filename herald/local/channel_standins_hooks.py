"""Stand-ins for the web-hook services: Slack, Teams, Discord, and Herald's signed web-hook.

A channel of these kinds is a URL the user pastes; each check holds the
request to what the vendor documents (the pages docs/channels.md cites for
the kind) and answers as the vendor does:
- Slack, incoming web-hook: `text` or `blocks`; at most 50 blocks; a header
  is plain_text of at most 150, a section text at most 3,000 or up to 10
  fields of 2,000, a context 1-10 elements; `emoji` only on plain_text,
  `verbatim` only on mrkdwn. 200 "ok"; a refusal is text ("invalid_payload: ...").
- Teams, Workflows web-hook: {"type": "message", "attachments": [{contentType
  adaptive card, content: an AdaptiveCard with a version}]}, at most 28 KB,
  every element typed. 202, no body.
- Discord, Execute Webhook: content (2,000) or embeds (10; title 256,
  description 4,096, 25 fields of 256/1,024, footer 2,048, 6,000 in all).
  200 with the saved message when ?wait=true, else 204.
- A signed web-hook: anything is taken (200); the line shows the event's
  type and subject. Its signature is the receiver's business (receiver.py).
"""

import itertools
import json
import re
from datetime import UTC, datetime

from herald.local.channel_standins_fields import (
    Incoming,
    Refused,
    choice,
    iso_time,
    items,
    obj,
    quoted,
    text,
    units,
)

_numbers = itertools.count(1)


# ---- Slack -------------------------------------------------------------------------

SLACK_BLOCKS = ("divider", "image", "actions", "rich_text", "input", "file", "video")


def slack(request: Incoming):
    if not request.parts:
        raise Refused("no_service: the path names no web-hook", 404)
    message = request.json()
    fallback = text(message, "text")
    blocks = items(message, "blocks", limit=50)
    for index, block in enumerate(blocks):
        _slack_block(obj(block, f"blocks[{index}]"), f"blocks[{index}]")
    if not fallback and not blocks:
        raise Refused("text or blocks missing (no_text)")
    header = next((b["text"]["text"] for b in blocks if b["type"] == "header"), "")
    return 200, "ok", quoted(fallback or header)


def _slack_block(block: dict, at: str) -> None:
    kind = text(block, "type", at, required=True)
    text(block, "block_id", at, 255)
    if kind == "header":
        _slack_text(block.get("text"), f"{at}.text", 150, plain=True)
    elif kind == "section":
        if "text" not in block and "fields" not in block:
            raise Refused(f"{at}.text or {at}.fields missing")
        if "text" in block:
            _slack_text(block["text"], f"{at}.text", 3000)
        for index, field in enumerate(items(block, "fields", at, 10)):
            _slack_text(field, f"{at}.fields[{index}]", 2000)
    elif kind == "context":
        for index, element in enumerate(items(block, "elements", at, 10, required=True)):
            if obj(element, f"{at}.elements[{index}]").get("type") != "image":
                _slack_text(element, f"{at}.elements[{index}]", 3000)
    elif kind not in SLACK_BLOCKS:
        raise Refused(f"{at}.type {kind!r:.40} is not a Block Kit block")


def _slack_text(value, at: str, limit: int, plain: bool = False) -> None:
    value = obj(value, at)
    kind = choice(value, "type", at, ("plain_text",) if plain else ("plain_text", "mrkdwn"))
    text(value, "text", at, limit, required=True)
    for flag, owner in (("emoji", "plain_text"), ("verbatim", "mrkdwn")):
        if flag in value and (kind != owner or not isinstance(value[flag], bool)):
            raise Refused(f"{at}.{flag} is a true or false of {owner} objects only")


# ---- Teams -------------------------------------------------------------------------

CARD = "application/vnd.microsoft.card.adaptive"
TEAMS_BYTES = 28 * 1024


def teams(request: Incoming):
    if len(request.body) > TEAMS_BYTES:
        raise Refused(f"the message is {len(request.body):,} bytes, over Teams' 28 KB", 413)
    message = request.json()
    choice(message, "type", "", ("message",))
    first = ""
    for index, attachment in enumerate(items(message, "attachments", required=True)):
        at = f"attachments[{index}]"
        choice(obj(attachment, at), "contentType", at, (CARD,))
        card = obj(attachment.get("content"), f"{at}.content")
        choice(card, "type", f"{at}.content", ("AdaptiveCard",))
        if not re.fullmatch(r"\d+\.\d+", str(card.get("version", ""))):
            raise Refused(f"{at}.content.version must be a card version such as 1.2")
        first = first or _card_texts(card.get("body", []), f"{at}.content.body")
        for number, action in enumerate(items(card, "actions", f"{at}.content")):
            where = f"{at}.content.actions[{number}]"
            if text(obj(action, where), "type", where, required=True) == "Action.OpenUrl":
                text(action, "url", where, required=True)
    return 202, None, quoted(first)


def _card_texts(elements, at: str) -> str:
    """Every element typed, every text a string; the first text, for the line."""
    if not isinstance(elements, list):
        raise Refused(f"{at} must be a list")
    first = ""
    for index, element in enumerate(elements):
        if isinstance(element, str) and at.endswith("inlines"):  # a plain run
            first = first or element
            continue
        where = f"{at}[{index}]"
        text(obj(element, where), "type", where, required=True)
        own = text(element, "text", where)
        key = "inlines" if "inlines" in element else "items"
        inner = _card_texts(element.get(key, []), f"{where}.{key}")
        first = first or own or inner
    return first


# ---- Discord -----------------------------------------------------------------------

DISCORD_TEXTS = {"title": 256, "description": 4096}


def discord(request: Incoming):
    if not request.parts:
        raise Refused("Unknown Webhook: the path names no web-hook", 404)
    message = request.json()
    content = text(message, "content", limit=2000)
    embeds = items(message, "embeds", limit=10)
    if not content and not embeds and not message.get("components"):
        raise Refused("content or embeds missing: Cannot send an empty message")
    total = sum(_embed(obj(e, f"embeds[{i}]"), f"embeds[{i}]") for i, e in enumerate(embeds))
    if total > 6000:
        raise Refused(f"embeds hold {total:,} characters, at most 6,000")
    mentions = obj(message.get("allowed_mentions", {}), "allowed_mentions")
    for index, kind in enumerate(items(mentions, "parse", "allowed_mentions")):
        where = f"allowed_mentions.parse[{index}]"
        choice({where: kind}, where, "", ("roles", "users", "everyone"))
    title = content or (embeds[0].get("title") if embeds else "")
    if request.query.get("wait") != "true":
        return 204, None, quoted(title)
    hook = request.parts[0]
    saved = {
        "id": str(10**18 + next(_numbers)),
        "type": 0,
        "content": content or "",
        "embeds": embeds,
        "channel_id": "1",
        "webhook_id": hook,
        "author": {"id": hook, "username": "Herald stand-in", "bot": True},
        "timestamp": datetime.now(UTC).isoformat(),
    }
    return 200, saved, quoted(title)


def _embed(embed: dict, at: str) -> int:
    """The embed checked; the characters it counts towards Discord's 6,000."""
    count = sum(units(text(embed, key, at, limit) or "") for key, limit in DISCORD_TEXTS.items())
    text(embed, "url", at, 2048)
    color = embed.get("color", 0)
    if not isinstance(color, int) or isinstance(color, bool) or not 0 <= color <= 0xFFFFFF:
        raise Refused(f"{at}.color must be a whole number from 0 to 16777215")
    if embed.get("timestamp") is not None:
        iso_time(embed["timestamp"], f"{at}.timestamp")
    for key, name, limit in (("footer", "text", 2048), ("author", "name", 256)):
        if key in embed:
            count += units(text(obj(embed[key], f"{at}.{key}"), name, f"{at}.{key}", limit, True))
    for index, field in enumerate(items(embed, "fields", at, 25)):
        where = f"{at}.fields[{index}]"
        count += units(text(obj(field, where), "name", where, 256, required=True))
        count += units(text(field, "value", where, 1024, required=True))
    return count


# ---- a signed web-hook -----------------------------------------------------------


def webhook(request: Incoming):
    try:
        event = json.loads(request.body)
    except ValueError:
        event = None
    event = event if isinstance(event, dict) else {}
    data = event.get("data") if isinstance(event.get("data"), dict) else {}
    return 200, {"received": True}, f"{event.get('type', '?')} {quoted(data.get('subject'))}"


def _slack_refusal(status: int, reason: str) -> str:
    return f"invalid_payload: {reason}" if status == 400 else reason


def _discord_refusal(status: int, reason: str) -> dict:
    return {"code": 50035 if status == 400 else 10015, "message": reason}


CHECKS = {"slack": slack, "teams": teams, "discord": discord, "webhook": webhook}
REFUSALS = {
    "slack": _slack_refusal,
    "teams": lambda status, reason: {"error": {"code": "InvalidRequest", "message": reason}},
    "discord": _discord_refusal,
}
