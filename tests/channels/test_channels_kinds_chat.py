"""Chat kinds (every kind in common, and Slack): payloads as documented.

Each test renders a Notice and holds the request against the vendor's
documented shape (the field names copied from the documentation's example
or parameter table), its lengths, and what a hostile monitor name or ping
body becomes in that service's format: escaped mrkdwn, escaped Markdown,
escaped HTML, or plain data.
"""

import json
import re
import subprocess
import sys

import pytest

from chalicelib.core.channels.kinds import kind
from chalicelib.core.errors import Invalid
from tests.channels.chat_kinds_support import (
    CONFIGS,
    FAILURE,
    HOSTILE,
    KINDS,
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
