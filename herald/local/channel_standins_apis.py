"""Stand-ins for the services reached through their API: Telegram, ntfy, PagerDuty, Opsgenie.

A channel of these kinds names a base URL (`api_url`, ntfy's `server`) that
the stand-in replaces; each check holds the request to the vendor's
documentation and answers as the vendor does:
- Telegram, Bot API sendMessage (core.telegram.org/bots/api): a bot token in
  the path (else 401), chat_id, text of 1-4,096 visible characters; in HTML
  mode only Telegram's tags, balanced, and every <, > and & that is not part
  of one escaped. 200 {"ok": true, "result": {the message}}.
- ntfy, publish as JSON at the root (docs.ntfy.sh/publish): topic
  ([-_A-Za-z0-9]{1,64}), priority 1-5, tags a list of strings. 200 with the
  message as ntfy stores it. Stricter than ntfy in one place: a message over
  4,096 bytes, which ntfy would turn into an attachment, is refused.
- PagerDuty, Events API v2 (github.com/PagerDuty/api-schema, events-v2):
  POST /v2/enqueue with routing_key (32 characters) and event_action
  (trigger, acknowledge, resolve); a trigger needs payload.summary (1,024),
  payload.source and payload.severity (critical, error, warning, info); an
  acknowledge or resolve needs the dedup_key (255). 202 {"status":
  "success", "message": "Event processed", "dedup_key"}; 400 {"status":
  "invalid event", "message", "errors": [the reason]}.
- Opsgenie, Alert API (docs.opsgenie.com/docs/alert-api): an
  `Authorization: GenieKey <key>` header (else 401, as Opsgenie answers);
  create at /v2/alerts with message (130), alias (512), description
  (15,000), entity (512), source and user (100), note (25,000), priority
  P1-P5, at most 20 tags of 50, details of strings (8,000 in all); close at
  /v2/alerts/<identifier>/close?identifierType=id|tinyId|alias. 202
  {"result", "took", "requestId"}. Opsgenie answers a malformed body with
  422; the stand-in answers 400, which Herald reads as the same refusal.
"""

import html
import itertools
import re
import time
import uuid

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


# ---- Telegram ----------------------------------------------------------------------

TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "a",
                 "code", "pre", "tg-spoiler", "tg-emoji", "blockquote"}  # fmt: skip
_TOKEN = re.compile(r"[0-9]{1,20}:[\w-]{20,100}")
_CHAT = re.compile(r"-?[0-9]{1,20}|@\w{5,32}")
_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)((?:\s+[\w-]+\s*=\s*(?:\"[^\"<>]*\"|'[^'<>]*'))*)\s*>")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});")


def telegram(request: Incoming):
    bot = request.parts[0] if request.parts else ""
    if not bot.startswith("bot") or not _TOKEN.fullmatch(bot[3:]):
        raise Refused("Unauthorized: the path holds no bot token", 401)
    if len(request.parts) != 2 or request.parts[1].lower() != "sendmessage":
        raise Refused("Not Found: the stand-in knows sendMessage only", 404)
    message = request.json()
    chat = message.get("chat_id")
    if isinstance(chat, bool) or not isinstance(chat, int | str) or chat == "":
        raise Refused("chat_id missing (chat_id is empty)")
    if isinstance(chat, str) and not _CHAT.fullmatch(chat):
        raise Refused("chat_id must be a chat's id or a @channelusername (chat not found)")
    body = text(message, "text", required=True)
    mode = choice(message, "parse_mode", "", ("HTML", "MarkdownV2", "Markdown"), required=False)
    visible = _visible(body) if mode == "HTML" else body
    if not 1 <= units(visible) <= 4096:
        raise Refused(f"text is {units(visible):,} characters once parsed, 1 to 4,096 allowed")
    obj(message.get("link_preview_options", {}), "link_preview_options")
    kind = "channel" if str(chat).startswith(("@", "-100")) else "group"
    result = {
        "message_id": next(_numbers),
        "from": {"id": int(bot[3:].split(":")[0]), "is_bot": True, "first_name": "Herald"},
        "chat": {"id": chat, "type": kind if str(chat)[0] in "@-" else "private"},
        "date": int(time.time()),
        "text": visible,
    }
    return 200, {"ok": True, "result": result}, quoted(visible.split("\n", 1)[0])


def _visible(markup: str) -> str:
    """The text Telegram shows for HTML markup, parsed as its documentation says."""
    out, open_tags, at = [], [], 0
    while at < len(markup):
        char = markup[at]
        if char == "<":
            tag = _TAG.match(markup, at)
            name = tag[2].lower() if tag else markup[at + 1 : at + 12]
            if tag is None or name not in TELEGRAM_TAGS:
                raise Refused(f"text: can't parse entities: unsupported tag {name!r} at {at}")
            if not tag[1]:
                open_tags.append(name)
            elif not open_tags or open_tags.pop() != name:
                raise Refused(f"text: can't parse entities: end tag {name!r} at {at} unmatched")
            at = tag.end()
        elif char == "&":
            entity = _ENTITY.match(markup, at)
            if entity is None:
                raise Refused(f"text: can't parse entities: a bare & at {at} (send &amp;)")
            out.append(html.unescape(entity[0]))
            at = entity.end()
        elif char == ">":
            raise Refused(f"text: can't parse entities: a bare > at {at} (send &gt;)")
        else:
            out.append(char)
            at += 1
    if open_tags:
        raise Refused(f"text: can't parse entities: tag {open_tags[-1]!r} is never closed")
    return "".join(out)


# ---- ntfy --------------------------------------------------------------------------


def ntfy(request: Incoming):
    if request.parts:
        raise Refused("the stand-in takes JSON at the server's root (server=.../ntfy)", 404)
    auth = request.headers.get("authorization")
    if auth is not None and not re.fullmatch(r"(Bearer|Basic) [!-~]+", auth):
        raise Refused("Authorization must be Bearer <token> or Basic <credentials>", 401)
    message = request.json()
    topic = text(message, "topic", required=True)
    if not re.fullmatch(r"[-_A-Za-z0-9]{1,64}", topic):
        raise Refused("topic must be 1-64 letters, digits, - or _")
    body = text(message, "message") or "triggered"
    if len(body.encode()) > 4096:
        raise Refused("message over 4,096 bytes (ntfy would make it an attachment)")
    title = text(message, "title")
    choice(message, "priority", "", (1, 2, 3, 4, 5), required=False)
    for index, tag in enumerate(items(message, "tags")):
        if not isinstance(tag, str):
            raise Refused(f"tags[{index}] must be a string")
    text(message, "click")
    items(message, "actions", limit=3)
    now = int(time.time())
    stored = {"id": uuid.uuid4().hex[:12], "time": now, "expires": now + 43200}
    return 200, {**stored, "event": "message", **message, "message": body}, quoted(title or body)


# ---- PagerDuty, Opsgenie -----------------------------------------------------------

PD_EVENT_BYTES = 512 * 1024


def pagerduty(request: Incoming):
    if request.parts != ["v2", "enqueue"]:
        raise Refused("Not Found: events go to /pagerduty/v2/enqueue", 404)
    if len(request.body) > PD_EVENT_BYTES:
        raise Refused("the event is over 512 KB")
    event = request.json()
    key = text(event, "routing_key", required=True)
    if len(key) != 32:
        raise Refused(f"routing_key is {len(key)} characters, should be 32")
    action = choice(event, "event_action", "", ("trigger", "resolve", "acknowledge"))
    dedup = text(event, "dedup_key", limit=255, required=action != "trigger")
    if action != "trigger":
        return 202, _processed(dedup), f"{action} {dedup}"
    payload = obj(event.get("payload"), "payload") if "payload" in event else {}
    summary = text(payload, "summary", "payload", 1024, required=True)
    text(payload, "source", "payload", 255, required=True)
    choice(payload, "severity", "payload", ("critical", "error", "warning", "info"))
    if payload.get("timestamp") is not None:
        iso_time(payload["timestamp"], "payload.timestamp")
    for field in ("component", "group", "class"):
        text(payload, field, "payload")
    obj(payload.get("custom_details", {}), "payload.custom_details")
    for key_, required in (("links", "href"), ("images", "src")):
        for index, entry in enumerate(items(event, key_)):
            text(obj(entry, f"{key_}[{index}]"), required, f"{key_}[{index}]", required=True)
    text(event, "client")
    text(event, "client_url")
    return 202, _processed(dedup or uuid.uuid4().hex), f"trigger {quoted(summary)}"


def _processed(dedup: str) -> dict:
    return {"status": "success", "message": "Event processed", "dedup_key": dedup}


OPSGENIE_TEXTS = {"message": 130, "alias": 512, "description": 15000, "entity": 512,
                  "source": 100, "user": 100, "note": 25000}  # fmt: skip
OPSGENIE_LISTS = {"responders": 50, "visibleTo": 50, "actions": 10}


def opsgenie(request: Incoming):
    key = request.headers.get("authorization", "")
    if not key.startswith("GenieKey ") or not key[9:].strip():
        raise Refused("Authorization header must be GenieKey <api key>", 401)
    parts = request.parts
    if parts == ["v2", "alerts"]:
        return _create(request.json())
    if len(parts) == 4 and parts[:2] == ["v2", "alerts"] and parts[2] and parts[3] == "close":
        identifier = {"identifierType": request.query.get("identifierType", "id")}
        choice(identifier, "identifierType", "", ("id", "tinyId", "alias"))
        closing = request.json() if request.body else {}
        for field in ("user", "source", "note"):
            text(closing, field, "", OPSGENIE_TEXTS[field])
        return 202, _accepted(), f"close {parts[2]}"
    raise Refused("Not Found: the stand-in knows /v2/alerts and /v2/alerts/<id>/close", 404)


def _create(alert: dict):
    message = text(alert, "message", required=True)
    for field, limit in OPSGENIE_TEXTS.items():
        text(alert, field, "", limit)
    choice(alert, "priority", "", ("P1", "P2", "P3", "P4", "P5"), required=False)
    for index, tag in enumerate(items(alert, "tags", limit=20)):
        text({f"tags[{index}]": tag}, f"tags[{index}]", "", 50, required=True)
    details = obj(alert.get("details", {}), "details")
    for label, value in details.items():
        if not isinstance(value, str):
            raise Refused(f"details.{label[:40]} must be a string")
    size = sum(len(label) + len(value) for label, value in details.items())
    if size > 8000:
        raise Refused(f"details hold {size:,} characters, at most 8,000")
    for field, limit in OPSGENIE_LISTS.items():
        items(alert, field, limit=limit)
    return 202, _accepted(), f"create {quoted(message)} alias={alert.get('alias')}"


def _accepted() -> dict:
    return {"result": "Request will be processed", "took": 0.01, "requestId": str(uuid.uuid4())}


def _telegram_refusal(status: int, reason: str) -> dict:
    described = reason if status != 400 else f"Bad Request: {reason}"
    return {"ok": False, "error_code": status, "description": described}


def _pd_refusal(status: int, reason: str) -> dict:
    if status == 400:
        return {"status": "invalid event", "message": "Event object is invalid", "errors": [reason]}
    return {"status": "error", "message": reason}


def _og_refusal(status: int, reason: str) -> dict:
    return {"message": reason, "took": 0.0, "requestId": str(uuid.uuid4())}


CHECKS = {"telegram": telegram, "ntfy": ntfy, "pagerduty": pagerduty, "opsgenie": opsgenie}
REFUSALS = {
    "telegram": _telegram_refusal,
    "ntfy": lambda status, reason: {"http": status, "error": f"invalid request: {reason}"},
    "pagerduty": _pd_refusal,
    "opsgenie": _og_refusal,
}
