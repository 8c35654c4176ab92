"""One structured JSON line per log event, and metrics flushed per handler."""

import io
import json
from dataclasses import asdict

import pytest

from chalicelib.core import observability, outbox
from tests.helpers import sqs_event


def json_lines(text):
    lines = []
    for line in text.splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines


@pytest.fixture
def log_stream(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(observability.logger.registered_handler, "stream", stream)
    return stream


def test_a_handler_logs_each_event_once_as_json_and_flushes_metrics(client, capsys, log_stream):
    body = json.dumps(asdict(outbox.Mail(to="a@example.org", subject="s", text="t")))
    client.lambda_.invoke("outbox_deliver", sqs_event([body]))
    logged = log_stream.getvalue().splitlines()
    sent = [json.loads(line) for line in logged if '"mail.sent"' in line]
    assert len(sent) == 1
    assert sent[0]["service"] == "herald" and sent[0]["level"] == "INFO"
    assert sent[0]["handler"] == "SQSEvent" and sent[0]["request_id"]
    emf = [line for line in json_lines(capsys.readouterr().out) if "_aws" in line]
    assert [m["Name"] for m in emf[0]["_aws"]["CloudWatchMetrics"][0]["Metrics"]] == ["MailSent"]


def test_an_http_handler_flushes_nothing_when_it_counted_nothing(client, capsys):
    assert client.http.get("/health").status_code == 200
    assert not [line for line in json_lines(capsys.readouterr().out) if "_aws" in line]


def test_an_unhandled_error_is_logged_once_and_counted(client, capsys, log_stream, monkeypatch):
    from chalicelib.core import health

    def broken():
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(health, "report", broken)
    assert client.http.get("/health").status_code == 500
    logged = log_stream.getvalue().splitlines()
    errors = [json.loads(line) for line in logged if "disk on fire" in line]
    assert len(errors) == 1 and errors[0]["level"] == "ERROR"
    emf = [line for line in json_lines(capsys.readouterr().out) if "_aws" in line]
    assert "HandlerErrors" in emf[0]


def test_the_middleware_runs_for_every_kind_of_handler(client, app, monkeypatch):
    """Routes of every Blueprint, schedules and queue handlers all pass through it."""
    from herald.local.invoke import queue_handlers, scheduled_event, schedules

    seen = []
    real = observability.logger.append_keys
    monkeypatch.setattr(
        observability.logger,
        "append_keys",
        lambda **keys: (seen.append(keys["handler"]), real(**keys)),
    )
    for path in ("/health", "/monitors", "/runs", "/subscribers", "/hooks"):
        client.http.get(path)
    for name in schedules(app):
        if name == "check_monitors":
            client.lambda_.invoke(name, scheduled_event(name))
    for config in queue_handlers(app):
        client.lambda_.invoke(config.name, sqs_event([], queue=config.queue))
    routes = [h for h in seen if h.startswith("GET ")]
    assert routes == ["GET /health", "GET /monitors", "GET /runs", "GET /subscribers", "GET /hooks"]
    assert len(seen) == len(routes) + 1 + len(queue_handlers(app))
