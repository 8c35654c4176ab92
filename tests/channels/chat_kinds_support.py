"""Shared builders for the chat kinds' tests: configs, notices, hostile names."""

from chalicelib.core.channels.kinds import kind
from chalicelib.core.channels.notice import Notice

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


def render(name: str, notice: Notice, **config):
    return kind(name).render(notice, kind(name).check({**CONFIGS[name], **config}))


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
