"""Microsoft Teams: an Adaptive Card posted to a Workflows web-hook.

Teams' Workflows ("When a Teams webhook request is received", then "Post
card in a chat or channel") take the message Microsoft documents for
incoming web-hooks (learn.microsoft.com, "Send Adaptive Cards using an
incoming webhook"): {"type": "message", "attachments": [{"contentType":
"application/vnd.microsoft.card.adaptive", "contentUrl": null, "content":
<the card>}]}. The card (schema 1.2) is the subject, the paragraphs and the
details, and an Action.OpenUrl to the link.

Escaping: a TextBlock's text is Markdown, and Teams' clients disagree on
its backslash escapes, so notice text goes only in RichTextBlock TextRuns,
which the Adaptive Card schema renders as plain text: the card is data,
not markup, and nothing in a monitor's name or a ping's body is
interpreted. Teams refuses a message over 28 KB; the caps below keep the
JSON (as sent, with non-ASCII as \\u escapes) under about 25 KB.
"""

from chalicelib.core.channels.kinds import Field, Request, checks

CONFIG = {"url": Field(secret=True)}  # the workflow's URL carries its signature

CARD = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
SUBJECT, PARAGRAPH, PARAGRAPHS, LABEL, VALUE, DETAILS, BUTTON = 400, 2000, 4, 100, 1500, 8, 200
COLORS = {"down": "Attention", "fail": "Attention", "long": "Warning", "up": "Good"}
COLORS["flapping"] = "Warning"


def check(config) -> dict:
    _known(config)
    return {"url": _url(config["url"], "url")}


def render(notice, config) -> Request:
    color = COLORS.get(notice.kind, "Accent")
    body = [_rich(_run(notice.subject, SUBJECT, size="Large", weight="Bolder", color=color))]
    body += [_rich(_run(text, PARAGRAPH)) for text in notice.paragraphs[:PARAGRAPHS]]
    for label, value in notice.details[:DETAILS]:
        name = _run(f"{label}: ", LABEL, weight="Bolder")
        if "\n" in value:  # a body: its own block, in a fixed-width font
            body += [_rich(name), _rich(_run(value, VALUE, fontType="Monospace"))]
        else:
            body.append(_rich(name, _run(value, VALUE)))
    card = {"$schema": SCHEMA, "type": "AdaptiveCard", "version": "1.2", "body": body}
    if notice.link:
        title = _clip(notice.link_label or "Open", BUTTON)
        card["actions"] = [{"type": "Action.OpenUrl", "title": title, "url": notice.link}]
    card["msteams"] = {"width": "Full"}
    attachment = {"contentType": CARD, "contentUrl": None, "content": card}
    return Request("POST", config["url"], json={"type": "message", "attachments": [attachment]})


def _rich(*runs: dict) -> dict:
    return {"type": "RichTextBlock", "inlines": list(runs)}


def _run(text: str, limit: int, **style) -> dict:
    return {"type": "TextRun", "text": _clip(text, limit), **style}


def _size(text: str) -> int:
    return checks.json_bytes(text)


def _clip(text: str, limit: int) -> str:
    """text, cut with an ellipsis so that its JSON form is at most limit bytes."""
    return checks.fit(text, limit, checks.json_bytes)


def _known(config) -> None:
    checks.known(config, CONFIG, "teams")


def _url(value, key: str) -> str:
    return checks.url(value, key)
