"""The channel stand-ins of `make run`: each takes what its kind sends, and
refuses, naming the field, what its service would refuse.

A channel is made by the store (its secrets in SSM, on moto) pointing at the
stand-ins over loopback, and its notices go through sending.send, the one way
a delivery reaches a service, in local mode: what a user of `make run` sees
is what these tests see, the answer in the delivery log and one console line.
"""

import json
import urllib.error
import urllib.request

import pytest

from chalicelib.core.channels import sending, store
from chalicelib.core.channels.notice import Notice
from herald.local import channel_standins

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
ROUTING_KEY = "e93facc04764012d7bfb002500d5d1a6"
GENIE_KEY = "eb243592-faa2-4ba2-a551-1afdf565c889"
SECRETS = {
    "telegram": {"bot_token": TOKEN, "chat_id": "-1001234567890"},
    "ntfy": {"topic": "herald-alerts"},
    "pagerduty": {"routing_key": ROUTING_KEY},
    "opsgenie": {"api_key": GENIE_KEY},
}
KINDS = list(channel_standins.CONFIG)
INCARNATION = "0123456789abcdef.20261101000000"
KEY = f"herald-{INCARNATION}"
HOSTILE = '<script>alert("x")</script> & *b* @everyone <!here>'
BODY = "Traceback (most recent call last):\n  ``` <b>boom</b> & *done*\n<!channel>"
# The code each service answers a message it took with, and a piece of its answer.
TAKEN = {"slack": (200, "ok"), "teams": (202, ""), "discord": (200, '"type": 0'),
         "telegram": (200, '"ok": true'), "ntfy": (200, '"event": "message"'),
         "pagerduty": (202, '"status": "success"'),
         "opsgenie": (202, '"result": "Request will be processed"'),
         "webhook": (200, '"received": true')}  # fmt: skip


def notice(what: str, monitor: str = "backup", details=()) -> Notice:
    ids = {"down": "3", "fail": "fail-1793610000000000", "up": "up-1793606400000000"}
    subjects = {"down": "disconnection detected", "fail": "reported a failure", "up": "is back up"}
    return Notice(
        id=f"mon-{INCARNATION}-{ids[what]}",
        kind=what,
        monitor=monitor,
        subject=f"{monitor} {subjects[what]}",
        paragraphs=(f"No ping from {monitor} since 2026-11-02 08:00:00 UTC.", "Grace passed."),
        link="https://herald.test/logs?username=backup&year=2026&sig=abc",
        link_label="Pings on 2026-11-02",
        at="2026-11-02T09:00:00Z",
        details=details,
    )


def expected_lines(kind: str) -> tuple[str, str]:
    """What the console shows for the down notice and for the recovery."""
    down, up = "'backup disconnection detected'", "'backup is back up'"
    details = {
        "pagerduty": (f"trigger {down}", f"resolve {KEY}"),
        "opsgenie": (f"create {down} alias={KEY}", f"close {KEY}"),
        "telegram": (f"'🔴 {down[1:]}", f"'✅ {up[1:]}"),
        "webhook": (f"monitor.down {down}", f"monitor.up {up}"),
    }.get(kind, (down, up))
    return tuple(f"channel: {kind} {TAKEN[kind][0]} {detail}" for detail in details)


@pytest.fixture
def standins():
    server = channel_standins.start(0)
    yield server
    server.stop()


@pytest.fixture
def local(aws, monkeypatch):
    monkeypatch.setenv("HERALD_LOCAL", "1")  # plain http to loopback, as under `make run`


def channel(standins, kind: str) -> dict:
    """A channel of kind, made as `herald channels create` makes it, pointing here."""
    return store.create(kind, "local", {**standins.urls()[kind], **SECRETS.get(kind, {})})


def channel_lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().out.splitlines() if line.startswith("channel:")]


def post(standins, path: str, body, headers=None) -> tuple[int, str]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"content-type": "application/json", **(headers or {})}
    request = urllib.request.Request(standins.url + path, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


# ---- what each kind sends, through the real sending path ------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_it_takes_every_notice_each_kind_sends_and_prints_one_line_each(
    kind, local, standins, capsys
):
    record = channel(standins, kind)
    failure = notice("fail", HOSTILE, details=(("Exit status", "3"), ("Body", BODY)))
    notices = [notice("down"), failure, notice("up"), sending.test_notice(record)]
    code, answer = TAKEN[kind]
    for sent in notices:
        outcome = sending.send(record, sent)
        assert (outcome.status, outcome.code) == ("sent", code), outcome.answer
        assert answer in outcome.answer
    lines = channel_lines(capsys)
    assert len(lines) == 4 and all(line.startswith(f"channel: {kind} {code} ") for line in lines)
    assert (lines[0], lines[2]) == expected_lines(kind)
    assert [m.kind for m in standins.messages] == [kind] * 4
    assert [d["code"] for d in sending.deliveries(record["id"])] == [code] * 4


def test_it_answers_discord_with_204_unless_asked_to_wait(standins, capsys):
    assert post(standins, "/discord/1/x", {"content": "hello"}) == (204, "")
    status, answer = post(standins, "/discord/1/x?wait=true", {"content": "hello"})
    assert status == 200 and json.loads(answer)["content"] == "hello"
    assert channel_lines(capsys) == ["channel: discord 204 'hello'", "channel: discord 200 'hello'"]


def test_it_refuses_a_channel_pointing_at_no_web_hook_as_slack_does(local, standins, capsys):
    record = store.create("slack", "nowhere", {"url": f"{standins.url}/slack"})
    outcome = sending.send(record, notice("down"))
    assert (outcome.status, outcome.code) == ("refused", 404)
    assert "no_service" in outcome.answer
    assert channel_lines(capsys) == ["channel: slack 404 no_service: the path names no web-hook"]


# ---- what the services would refuse ------------------------------------------------------

PD = {"routing_key": ROUTING_KEY, "event_action": "trigger"}
PAYLOAD = {"summary": "backup down", "source": "backup", "severity": "critical"}
GENIE = {"authorization": f"GenieKey {GENIE_KEY}"}
CARD = {"contentType": "application/vnd.microsoft.card.adaptive",
        "content": {"type": "AdaptiveCard", "version": "1.2", "body": []}}  # fmt: skip
REFUSED = [
    ("/slack/T/B/x", {}, {}, 400, "text or blocks missing"),
    ("/slack/T/B/x", {"blocks": [{"type": "header", "text": {"type": "plain_text",
     "text": "x" * 151}}]}, {}, 400, "blocks[0].text.text over 150 characters"),
    ("/slack/T/B/x", {"blocks": [{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}]},
     {}, 400, "blocks[0].text.type must be one of plain_text"),
    ("/slack/T/B/x", {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x",
     "emoji": True}}]}, {}, 400, "blocks[0].text.emoji"),
    ("/teams/x", {"type": "message", "attachments": []}, {}, 400,
     "attachments must be a non-empty list"),
    ("/teams/x", {"type": "message", "attachments": [{**CARD, "contentType": "text/html"}]}, {},
     400, "attachments[0].contentType must be one of application/vnd.microsoft.card.adaptive"),
    ("/discord/1/x", {"embeds": []}, {}, 400, "content or embeds missing"),
    ("/discord/1/x", {"embeds": [{"title": "x" * 257}]}, {}, 400, "embeds[0].title over 256"),
    ("/discord/1/x", {"embeds": [{"fields": [{"name": "a"}]}]}, {}, 400,
     "embeds[0].fields[0].value missing"),
    (f"/telegram/bot{TOKEN}/sendMessage", {"text": "hi"}, {}, 400, "chat_id missing"),
    (f"/telegram/bot{TOKEN}/sendMessage", {"chat_id": 1, "text": "<script>x</script>",
     "parse_mode": "HTML"}, {}, 400, "text: can't parse entities: unsupported tag 'script'"),
    (f"/telegram/bot{TOKEN}/sendMessage", {"chat_id": 1, "text": "a & b",
     "parse_mode": "HTML"}, {}, 400, "a bare & at 2"),
    (f"/telegram/bot{TOKEN}/sendMessage", {"chat_id": 1, "text": "x" * 4097}, {}, 400,
     "text is 4,097 characters"),
    ("/telegram/botnope/sendMessage", {"chat_id": 1, "text": "hi"}, {}, 401, "Unauthorized"),
    ("/ntfy", {"message": "hi"}, {}, 400, "topic missing"),
    ("/ntfy", {"topic": "alerts", "priority": 6}, {}, 400, "priority must be one of 1, 2, 3, 4, 5"),
    ("/ntfy", {"topic": "a/b"}, {}, 400, "topic must be 1-64 letters"),
    ("/pagerduty/v2/enqueue", {**PD, "payload": {"source": "b", "severity": "info"}}, {}, 400,
     "payload.summary missing"),
    ("/pagerduty/v2/enqueue", {**PD, "routing_key": "k" * 31, "payload": PAYLOAD}, {}, 400,
     "routing_key is 31 characters, should be 32"),
    ("/pagerduty/v2/enqueue", {**PD, "event_action": "fire", "payload": PAYLOAD}, {}, 400,
     "event_action must be one of trigger, resolve, acknowledge"),
    ("/pagerduty/v2/enqueue", {**PD, "event_action": "resolve"}, {}, 400, "dedup_key missing"),
    ("/pagerduty/v2/enqueue", {**PD, "payload": {**PAYLOAD, "severity": "high"}}, {}, 400,
     "payload.severity must be one of critical"),
    ("/opsgenie/v2/alerts", {"message": "x" * 131}, GENIE, 400, "message over 130 characters"),
    ("/opsgenie/v2/alerts", {"message": "x", "tags": ["t"] * 21}, GENIE, 400,
     "tags holds 21 items, at most 20"),
    ("/opsgenie/v2/alerts", {"message": "x"}, {}, 401, "Authorization header must be GenieKey"),
    ("/opsgenie/v2/alerts/k/close?identifierType=name", {}, GENIE, 400,
     "identifierType must be one of id, tinyId, alias"),
    ("/pagerduty/v2/enqueue", b"{not json", {}, 400, "body is not JSON"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "body", "headers", "status", "reason"), REFUSED)
def test_it_refuses_what_the_service_would_naming_the_field(
    standins, capsys, path, body, headers, status, reason
):
    got, answer = post(standins, path, body, headers)
    assert got == status
    assert reason in answer  # in the service's own shape: the delivery log shows it
    [line] = channel_lines(capsys)
    kind = path.split("/")[1]
    assert line.startswith(f"channel: {kind} {status} ") and reason in line


def test_it_prints_the_documented_line_for_a_trigger_without_a_summary(standins, capsys):
    body = {**PD, "payload": {"source": "backup", "severity": "critical"}}
    status, answer = post(standins, "/pagerduty/v2/enqueue", body)
    assert (status, json.loads(answer)["errors"]) == (400, ["payload.summary missing"])
    assert channel_lines(capsys) == ["channel: pagerduty 400 payload.summary missing"]


# ---- the console stays readable -------------------------------------------------------------


def test_it_answers_500_on_one_line_when_a_check_fails(standins, capsys, monkeypatch):
    def broken(request):
        raise RuntimeError("boom")

    monkeypatch.setitem(channel_standins.CHECKS, "slack", broken)
    assert post(standins, "/slack/T/B/x", {"text": "hi"})[0] == 500
    out = capsys.readouterr()
    assert out.out.splitlines() == ["channel: slack 500 stand-in fault: RuntimeError: boom"]
    assert out.err == ""


def test_it_answers_404_for_a_path_no_stand_in_serves(standins, capsys):
    assert post(standins, "/hooks.slack.com/services/x", {"text": "hi"})[0] == 404
    [line] = channel_lines(capsys)
    assert line.startswith("channel: ? 404 no stand-in at '/hooks.slack.com/services/x'")


def test_it_lists_where_each_kind_points_on_a_get_and_prints_nothing(standins, capsys):
    with urllib.request.urlopen(standins.url + "/", timeout=5) as reply:
        page = reply.read().decode()
    for kind, (key, path) in channel_standins.CONFIG.items():
        assert f"{kind}" in page and f"{key}={standins.url}{path}" in page
    assert capsys.readouterr().out == ""


def test_it_refuses_a_telegram_message_whose_names_were_not_escaped(
    local, standins, capsys, monkeypatch
):
    from chalicelib.core.channels.kinds import telegram

    record = channel(standins, "telegram")
    monkeypatch.setattr(telegram.html, "escape", lambda text, quote=True: text)  # a broken kind
    outcome = sending.send(record, notice("down", monitor="<script>"))
    assert (outcome.status, outcome.code) == ("refused", 400)
    assert "can't parse entities: unsupported tag 'script'" in outcome.answer
    [line] = channel_lines(capsys)
    assert line.startswith("channel: telegram 400 text: can't parse entities")
