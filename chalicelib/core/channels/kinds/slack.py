"""Slack: a Block Kit message posted to an incoming web-hook.

The payload is Slack's documented one (docs.slack.dev, "Sending messages
using incoming webhooks"): `text`, the notification and screen-reader
fallback, and `blocks`: a header (plain_text, at most 150 characters), a
section with the paragraphs (mrkdwn, at most 3,000), a section of fields
for the short details (at most 10, 2,000 each), a section per long detail
(a ping's body, set as code) and a context block with the link.

Escaping: in mrkdwn Slack reads &, < and > as control characters (<!here>,
<@U123>, <url|label>), so they become entities in every piece of notice
text, and `verbatim` keeps Slack from turning URLs, channel names and
@mentions into links on its own. Slack has no escape for *, _, ~ or `: a
name holding them may look bold or italic in the paragraphs, but is never
a mention or a link; a ping's body is code, where nothing is formatted.
Text is cut before it is escaped, never inside an entity. A plain_text
object (the header) is not parsed at all and is sent as it is. Lengths are
counted in UTF-16 code units, never fewer than Slack counts.
"""

from chalicelib.core.channels.kinds import Field, Request, checks

CONFIG = {"url": Field(secret=True)}  # the hook URL is the credential

HEADER, SECTION, FIELD, FIELDS, CODE_BLOCKS, LABEL = 150, 3000, 2000, 10, 5, 100
ICONS = {"down": "🔴", "fail": "❌", "long": "⏳", "up": "✅", "test": "🧪", "news": "📰"}
ICONS["flapping"] = "🔀"


def check(config) -> dict:
    _known(config)
    return {"url": _url(config["url"], "url")}


def render(notice, config) -> Request:
    header = f"{ICONS.get(notice.kind, '🔔')} {notice.subject}"
    blocks = [{"type": "header", "text": _plain(_fit(header, HEADER, _same))}]
    if notice.paragraphs:
        blocks.append(_section(_fit("\n\n".join(notice.paragraphs), SECTION)))
    short = [(label, value) for label, value in notice.details if not _long(value)]
    if short:
        blocks.append({"type": "section", "fields": [_field(*pair) for pair in short[:FIELDS]]})
    for label, value in [pair for pair in notice.details if _long(pair[1])][:CODE_BLOCKS]:
        title = f"*{_fit(label, LABEL)}*\n```"
        code = _fit(value, SECTION - _units(title) - 3, _code)
        blocks.append(_section(f"{title}{code}```"))
    if notice.link:
        label = notice.link_label.replace("|", "/") or notice.link
        link = f"<{_escape(notice.link)}|{_fit(label, LABEL)}>"
        blocks.append({"type": "context", "elements": [_mrkdwn(link)]})
    message = {"text": _fit(notice.subject, SECTION), "blocks": blocks}
    return Request("POST", config["url"], json=message)


def _field(label: str, value: str) -> dict:
    title = f"*{_fit(label, LABEL)}*\n"
    return _mrkdwn(title + _fit(value, FIELD - _units(title)))


def _long(value: str) -> bool:
    # A body (several lines, or one long one) reads better as code than in a column.
    return "\n" in value or len(value) > 80


def _section(text: str) -> dict:
    return {"type": "section", "text": _mrkdwn(text)}


def _mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _plain(text: str) -> dict:
    return {"type": "plain_text", "text": text, "emoji": True}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    # A zero-width space after each backtick: a ``` in the body cannot end the block.
    return _escape(text).replace("`", "`\u200b")


def _same(text: str) -> str:
    return text


def _units(text: str) -> int:
    return checks.utf16(text)


def _fit(text: str, limit: int, escape=_escape) -> str:
    """escape(text), cut (before escaping) to at most limit UTF-16 units."""
    return checks.fit(text, limit, checks.utf16, escape)


def _known(config) -> None:
    checks.known(config, CONFIG, "slack")


def _url(value, key: str) -> str:
    return checks.url(value, key)
