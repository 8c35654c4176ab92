"""Chat kinds (Telegram and ntfy here): payloads as documented (see test_channels_kinds_chat.py)."""

import html
import re
from html.parser import HTMLParser

import pytest

from chalicelib.core.channels.kinds import kind
from chalicelib.core.errors import Invalid
from tests.channels.chat_kinds_support import (
    BODY,
    CONFIGS,
    FAILURE,
    HOSTILE,
    LINK,
    TOKEN,
    WHATS,
    hostile,
    make,
    render,
    units,
)


@pytest.fixture(autouse=True)
def deployed(monkeypatch):
    monkeypatch.delenv("HERALD_LOCAL", raising=False)  # https only, as deployed


# ---- Telegram ---------------------------------------------------------------

SEND_MESSAGE = {"business_connection_id", "chat_id", "message_thread_id", "text", "parse_mode",
                "entities", "link_preview_options", "disable_notification", "protect_content",
                "allow_paid_broadcast", "message_effect_id", "reply_parameters",
                "reply_markup"}  # fmt: skip


class Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parsed(text: str) -> Tags:
    tags = Tags()
    tags.feed(text)
    tags.close()
    return tags


@pytest.mark.parametrize("what", WHATS)
def test_it_sends_telegram_an_html_message_through_the_bot_api(what):
    request = render("telegram", make(what, details=FAILURE))
    assert request.url == f"https://api.telegram.org/bot{TOKEN}/sendMessage"
    message = request.json
    assert set(message) <= SEND_MESSAGE
    assert message["chat_id"] == "-1001234567890" and message["parse_mode"] == "HTML"
    assert message["link_preview_options"] == {"is_disabled": True}
    tags = parsed(message["text"])
    assert [tag for tag, _ in tags.tags] == ["b", "a", "b", "b", "pre"]
    assert ("a", {"href": LINK}) in tags.tags
    assert BODY in "".join(tags.text) and "Exit status: 3" in "".join(tags.text)


@pytest.mark.parametrize("name", HOSTILE + ["&" * 5000, "<" * 5000])
def test_it_escapes_hostile_names_in_telegram_html_within_4096_characters(name):
    text = render("telegram", hostile(name)).json["text"]
    tags = parsed(text)
    assert {tag for tag, _ in tags.tags} <= {"b", "a", "pre"}
    visible = "".join(tags.text)
    assert 1 <= units(visible) <= 4096
    assert len(name) > 1000 or f"{name} disconnection detected" in visible
    assert html.unescape(re.sub(r"</?(b|pre|a)( href=\"[^\"]*\")?>", "", text)) == visible


def test_it_sends_telegram_to_a_stand_in_and_takes_numeric_chat_ids():
    request = render("telegram", make(), api_url="https://tg.example.com/", chat_id=-1001)
    assert request.url == f"https://tg.example.com/bot{TOKEN}/sendMessage"
    assert request.json["chat_id"] == "-1001"
    assert render("telegram", make(), chat_id="@herald_alerts").json["chat_id"] == "@herald_alerts"


@pytest.mark.parametrize(
    "config, field",
    [
        ({"bot_token": "123:short"}, "bot_token"),
        ({"bot_token": TOKEN + "/../x"}, "bot_token"),
        ({"bot_token": None}, "bot_token"),
        ({"chat_id": "general"}, "chat_id"),
        ({"chat_id": True}, "chat_id"),
        ({"chat_id": ""}, "chat_id"),
    ],  # fmt: skip
)
def test_it_refuses_telegram_settings_naming_the_key_never_the_token(config, field):
    with pytest.raises(Invalid, match=rf"^config\.{field}: ") as refused:
        kind("telegram").check({**CONFIGS["telegram"], **config})
    assert "AAHdqTcv" not in str(refused.value)


# ---- ntfy -------------------------------------------------------------------

NTFY_JSON = {"topic", "message", "title", "tags", "priority", "actions", "click", "attach",
             "markdown", "icon", "filename", "delay", "email", "call"}  # fmt: skip


@pytest.mark.parametrize("what", WHATS)
def test_it_publishes_ntfy_json_to_the_servers_root(what):
    request = render("ntfy", make(what, details=FAILURE if what == "fail" else ()))
    assert request.url == "https://ntfy.sh/" and request.headers == {}
    message = request.json
    assert set(message) <= NTFY_JSON and message["topic"] == "herald_alerts-7f3a"
    assert message["title"] == "backup disconnection detected" and message["click"] == LINK
    assert message["priority"] == (3 if what in ("up", "test") else 4)
    assert message["tags"][1] == what and message["tags"][0].isidentifier()
    assert message["message"].startswith("No ping from backup since")


def test_it_honours_the_ntfy_priority_but_keeps_recoveries_no_louder_than_default():
    assert render("ntfy", make("down"), priority=5).json["priority"] == 5
    assert render("ntfy", make("up"), priority=5).json["priority"] == 3
    assert render("ntfy", make("up"), priority=1).json["priority"] == 1


def test_it_takes_an_ntfy_topic_of_digits_as_the_command_line_gives_it():
    assert render("ntfy", make(), topic=2024).json["topic"] == "2024"


def test_it_publishes_ntfy_with_a_token_to_ones_own_server():
    request = render("ntfy", make(), server="https://ntfy.example.com/base/", token="tk_AgQdq7mV")
    assert request.url == "https://ntfy.example.com/base/"
    assert request.headers == {"Authorization": "Bearer tk_AgQdq7mV"}


@pytest.mark.parametrize("name", HOSTILE + ["é" * 5000])
def test_it_sends_hostile_names_to_ntfy_as_plain_text_under_4096_bytes(name):
    message = render("ntfy", hostile(name)).json
    assert len(message["message"].encode()) <= 4096 and "markdown" not in message
    assert len(name) > 1000 or message["title"] == f"{name} disconnection detected"


@pytest.mark.parametrize(
    "config, field",
    [
        ({"topic": "a/b"}, "topic"),
        ({"topic": "t" * 65}, "topic"),
        ({"topic": None}, "topic"),
        ({"priority": 0}, "priority"),
        ({"priority": 6}, "priority"),
        ({"priority": "4"}, "priority"),
        ({"priority": True}, "priority"),
        ({"token": "tk_a\r\nX-Evil: 1"}, "token"),
        ({"token": ""}, "token"),
    ],  # fmt: skip
)
def test_it_refuses_ntfy_settings_naming_the_key(config, field):
    with pytest.raises(Invalid, match=rf"^config\.{field}: "):
        kind("ntfy").check({**CONFIGS["ntfy"], **config})
