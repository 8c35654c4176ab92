"""Chat kinds (Teams and Discord here): payloads as documented (see test_channels_kinds_chat.py)."""

import json
import re

import pytest

from tests.channels.chat_kinds_support import (
    BODY,
    CONFIGS,
    FAILURE,
    HOSTILE,
    LINK,
    WHATS,
    hostile,
    make,
    render,
    units,
)


@pytest.fixture(autouse=True)
def deployed(monkeypatch):
    monkeypatch.delenv("HERALD_LOCAL", raising=False)  # https only, as deployed


# ---- Teams ------------------------------------------------------------------


def card_of(message: dict) -> dict:
    (attachment,) = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["contentUrl"] is None
    return attachment["content"]


def runs(card: dict) -> list[dict]:
    return [run for block in card["body"] for run in block["inlines"]]


@pytest.mark.parametrize("what", WHATS)
def test_it_posts_teams_a_message_with_an_adaptive_card(what):
    message = render("teams", make(what, details=FAILURE)).json
    assert set(message) == {"type", "attachments"} and message["type"] == "message"
    card = card_of(message)
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.2"
    assert {block["type"] for block in card["body"]} == {"RichTextBlock"}
    assert {run["type"] for run in runs(card)} == {"TextRun"}
    title = runs(card)[0]
    assert title["text"] == "backup disconnection detected" and title["weight"] == "Bolder"
    assert title["color"] == {"up": "Good", "long": "Warning", "test": "Accent"}.get(
        what, "Attention"
    )
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Pings on 2026-11-02", "url": LINK}
    ]
    body = [run for run in runs(card) if run.get("fontType") == "Monospace"]
    assert [run["text"] for run in body] == [BODY]


@pytest.mark.parametrize("name", HOSTILE)
def test_it_sends_hostile_names_to_teams_as_data_never_as_markdown(name):
    card = card_of(render("teams", hostile(name)).json)
    assert '"TextBlock"' not in json.dumps(card)  # the element that reads Markdown
    texts = [run["text"] for run in runs(card)]
    assert texts[0] == f"{name} disconnection detected" or texts[0].endswith("…")
    assert len(name) > 1000 or f"{name}\n{name}" in texts


def test_it_keeps_a_teams_message_under_28_kb_whatever_the_notice_holds():
    big = '名🚀"\\' * 20000
    notice = make("fail", big, details=tuple((f"{big}{i}", big) for i in range(30)),
                  paragraphs=(big,) * 10, link_label=big)  # fmt: skip
    assert len(json.dumps(render("teams", notice).json)) < 28 * 1024


# ---- Discord ----------------------------------------------------------------

DISCORD_PARAMS = {"content", "username", "avatar_url", "tts", "embeds", "allowed_mentions",
                  "components", "files", "payload_json", "attachments", "flags", "thread_name",
                  "applied_tags", "poll"}  # fmt: skip
EMBED = {"title", "type", "description", "url", "timestamp", "color", "footer", "image",
         "thumbnail", "video", "provider", "author", "fields"}  # fmt: skip
_MARKS = set("\\*_~`|<>[]()@")


def unescaped_marks(text: str) -> list[str]:
    """Markdown or mention characters that no backslash escapes."""
    found, escaped = [], False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in _MARKS:
            found.append(char)
    return found


def embed_size(embed: dict) -> int:
    fields = sum(units(f["name"]) + units(f["value"]) for f in embed.get("fields", []))
    texts = [embed.get("title", ""), embed.get("description", ""), embed["footer"]["text"]]
    return fields + sum(units(text) for text in texts)


@pytest.mark.parametrize("what", WHATS)
def test_it_posts_discord_one_embed_of_the_documented_shape(what):
    request = render("discord", make(what, details=FAILURE))
    assert request.url == CONFIGS["discord"]["url"] + "?wait=true"
    assert set(request.json) <= DISCORD_PARAMS
    assert request.json["allowed_mentions"] == {"parse": []}
    (embed,) = request.json["embeds"]
    assert set(embed) <= EMBED
    assert embed["title"] == "backup disconnection detected"
    assert embed["url"] == LINK and embed["timestamp"] == "2026-11-02T09:00:00Z"
    assert embed["color"] == {"up": 0x2EA043, "long": 0xE3B341, "test": 0x5865F2}.get(
        what, 0xD93F0B
    )
    status, body = embed["fields"]
    assert status == {"name": "Exit status", "value": "3", "inline": True}
    assert body["value"].startswith("```\nTraceback") and body["value"].count("```") == 2


def test_it_keeps_a_discord_thread_and_asks_to_wait_once():
    url = CONFIGS["discord"]["url"] + "?thread_id=123&wait=false"
    assert render("discord", make(), url=url).url.endswith("?thread_id=123&wait=true")


@pytest.mark.parametrize("name", HOSTILE + ["\\" * 3000, "# heading\n- item\n1. one"])
def test_it_escapes_hostile_names_in_discord_markdown_within_its_limits(name):
    (embed,) = render("discord", hostile(name)).json["embeds"]
    for text in (embed["title"], embed["description"]):
        assert unescaped_marks(text) == []
        assert not re.search(r"(^|[^\\])(\\\\)*\\…", text)  # a cut between \ and its mark
    assert not re.search(r"^\s*([#\-+]|\d+\.)", embed["description"], re.MULTILINE)
    assert units(embed["title"]) <= 256 and units(embed["description"]) <= 4096
    assert len(embed["fields"]) <= 25 and embed_size(embed) <= 6000
    for field in embed["fields"]:
        assert 0 < units(field["name"]) <= 256 and 0 < units(field["value"]) <= 1024
    if len(name) < 100:
        assert re.sub(r"\\(.)", r"\1", embed["title"]) == f"{name} disconnection detected"
