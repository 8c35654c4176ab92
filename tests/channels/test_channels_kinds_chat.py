"""The chat kinds (Slack, Teams, Discord, Telegram, ntfy): payloads as documented.

Each test renders a Notice and holds the request against the vendor's
documented shape (the field names copied from the documentation's example
or parameter table), its lengths, and what a hostile monitor name or ping
body becomes in that service's format: escaped mrkdwn, escaped Markdown,
escaped HTML, or plain data.
"""

import html
import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from chalicelib.core.channels.kinds import kind
from chalicelib.core.channels.notice import Notice
from chalicelib.core.errors import Invalid

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
CONFIGS = {
    "slack": {"url": "https://hooks.slack.com/services/T000/B000/XXXX"},
    "teams": {"url": "https://prod-01.westus.logic.azure.com/workflows/abc/triggers/manual"},
    "discord": {"url": "https://discord.com/api/webhooks/223704706495545344/3d89bb75"},
    "telegram": {"bot_token": TOKEN, "chat_id": "-1001234567890"},
    "ntfy": {"topic": "herald_alerts-7f3a"},
}
KINDS = list(CONFIGS)
WHATS = ["down", "fail", "long", "up", "test"]
HOSTILE = ["<script>alert(1)</script>", "*bold* _it_ ~s~ `c`", "@channel @everyone", "<!here> & co",
           "[x](https://evil.test) # h", "名前🚀\u202e\x00", "n" * 5000]  # fmt: skip
BODY = "Traceback (most recent call last):\n  ``` <b>boom</b> & *done*\n<!channel>"
FAILURE = (("Exit status", "3"), ("Body", BODY))
LINK = "https://herald.test/logs?username=backup&year=2026&sig=abc"


def make(what="down", monitor="backup", details=(), **changes) -> Notice:
    fields = {
        "id": f"mon-abc-{what}",
        "kind": what,
        "monitor": monitor,
        "subject": f"{monitor} disconnection detected",
        "paragraphs": (f"No ping from {monitor} since 2026-11-02 08:00:00 UTC.", "Grace passed."),
        "link": LINK,
        "link_label": "Pings on 2026-11-02",
        "at": "2026-11-02T09:00:00Z",
        "details": details,
    }
    return Notice(**{**fields, **changes})


def hostile(name: str) -> Notice:
    return make("fail", name, details=(("Exit status", "1"), ("Body", f"{name}\n{name}")))


@pytest.fixture(autouse=True)
def deployed(monkeypatch):
    monkeypatch.delenv("HERALD_LOCAL", raising=False)  # https only, as deployed


def render(name: str, notice: Notice, **config):
    return kind(name).render(notice, kind(name).check({**CONFIGS[name], **config}))


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# ---- every kind -------------------------------------------------------------


@pytest.mark.parametrize("what", WHATS)
@pytest.mark.parametrize("name", KINDS)
def test_it_renders_each_notice_as_one_json_post(name, what):
    notice = make(what, details=FAILURE if what == "fail" else ())
    request = render(name, notice)
    assert request.method == "POST" and request.data is None and request.publish is None
    assert json.loads(json.dumps(request.json)) == request.json
    assert render(name, notice) == request  # pure: the same notice, the same request


@pytest.mark.parametrize("name", KINDS)
def test_it_shows_a_failures_exit_status_and_body(name):
    sent = json.dumps(render(name, make("fail", details=FAILURE)).json, ensure_ascii=False)
    assert "Exit status" in sent and "Traceback (most recent call last)" in sent


@pytest.mark.parametrize("name", KINDS)
def test_it_checks_configs_without_touching_the_network_or_boto3(name):
    code = (
        "import sys, socket\n"
        "socket.getaddrinfo = None\n"
        "from chalicelib.core.channels.kinds import kind\n"
        f"module = kind({name!r})\n"
        f"module.check({CONFIGS[name]!r})\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("name", KINDS)
def test_it_refuses_settings_it_does_not_know_naming_them(name):
    with pytest.raises(Invalid, match=r"^config\.channel: unknown setting"):
        kind(name).check({**CONFIGS[name], "channel": "#general"})
    with pytest.raises(Invalid, match=r"^config: must be an object"):
        kind(name).check(["not", "an", "object"])


@pytest.mark.parametrize(
    "name, key",
    [
        ("slack", "url"),
        ("teams", "url"),
        ("discord", "url"),
        ("telegram", "api_url"),
        ("ntfy", "server"),
    ],  # fmt: skip
)
@pytest.mark.parametrize(
    "url, why",
    [
        ("http://hooks.example.com/x", "must use https"),
        ("https://u:p@hooks.example.com/", "credentials"),
        ("https://169.254.169.254/latest", "link-local"),
        ("https://10.0.0.7/hook", "private"),
        ("hooks.example.com/x", "must use https"),
        (42, "must be a URL"),
    ],  # fmt: skip
)
def test_it_refuses_urls_the_ssrf_guard_refuses_naming_the_key(name, key, url, why):
    with pytest.raises(Invalid, match=rf"^config\.{key}: .*{why}"):
        kind(name).check({**CONFIGS[name], key: url})


@pytest.mark.parametrize("name, key", [("telegram", "api_url"), ("ntfy", "server")])
def test_it_takes_a_loopback_stand_in_in_local_mode(name, key, monkeypatch):
    monkeypatch.setenv("HERALD_LOCAL", "1")
    request = render(name, make(), **{key: "http://127.0.0.1:8025/"})
    assert request.url.startswith("http://127.0.0.1:8025/")
    with pytest.raises(Invalid, match=rf"^config\.{key}: must be a base URL"):
        kind(name).check({**CONFIGS[name], key: "http://127.0.0.1:8025/x?y=1"})


# ---- Slack ------------------------------------------------------------------

SLACK_MESSAGE = {"text", "blocks", "attachments", "thread_ts", "mrkdwn"}
_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")
_LINK = re.compile(r"^<https://[^<>|]+\|[^<>|]*>$")


def mrkdwn(message: dict) -> list[dict]:
    """Every mrkdwn text object in the message."""
    items = []
    for block in message["blocks"]:
        items += [block.get("text")] + block.get("fields", []) + block.get("elements", [])
    return [item for item in items if item and item["type"] == "mrkdwn"]


@pytest.mark.parametrize("what", WHATS)
def test_it_posts_slack_a_block_kit_message_with_a_fallback(what):
    message = render("slack", make(what, details=FAILURE)).json
    assert set(message) <= SLACK_MESSAGE and message["text"]
    header, paragraphs, fields, body, context = message["blocks"]
    assert header == {
        "type": "header",
        "text": {"type": "plain_text", "text": header["text"]["text"], "emoji": True},
    }
    assert header["text"]["text"].endswith("backup disconnection detected")
    assert paragraphs["type"] == "section" and paragraphs["text"]["type"] == "mrkdwn"
    assert fields["fields"] == [{"type": "mrkdwn", "text": "*Exit status*\n3", "verbatim": True}]
    assert body["text"]["text"].startswith("*Body*\n```Traceback")
    assert body["text"]["text"].count("```") == 2  # the body's own ``` cannot end the block
    assert context["elements"][0]["text"] == f"<{LINK.replace('&', '&amp;')}|Pings on 2026-11-02>"


def test_it_marks_slack_recoveries_and_alerts_apart():
    assert render("slack", make("up")).json["blocks"][0]["text"]["text"].startswith("✅")
    assert render("slack", make("down")).json["blocks"][0]["text"]["text"].startswith("🔴")


@pytest.mark.parametrize("name", HOSTILE + ["&" * 3000])
def test_it_escapes_hostile_names_in_slack_mrkdwn_and_never_cuts_an_entity(name):
    message = render("slack", hostile(name)).json
    assert all(item["verbatim"] for item in mrkdwn(message))  # no auto-linked @channel
    for text in [message["text"]] + [item["text"] for item in mrkdwn(message)]:
        assert not _ENTITY.search(text), text[:80]
        assert _LINK.match(text) or ("<" not in text and ">" not in text), text[:80]
    header = message["blocks"][0]["text"]["text"]
    assert units(header) <= 150 and (name in header or header.endswith("…"))
    section = message["blocks"][1]["text"]["text"]
    assert units(section) <= 3000
    assert len(message["blocks"]) <= 50
    assert all(units(f["text"]) <= 2000 for b in message["blocks"] for f in b.get("fields", []))


def test_it_refuses_slack_without_a_url():
    with pytest.raises(Invalid, match=r"^config\.url: is required"):
        kind("slack").check({})


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
