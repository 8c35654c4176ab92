"""Fixtures for hooks: a fake resolver, a scripted loopback endpoint, the queue."""

import ipaddress
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

PUBLIC = "93.184.215.14"


@pytest.fixture
def resolver(monkeypatch):
    """host -> addresses; IP literals resolve to themselves, other hosts to PUBLIC."""
    from chalicelib.core import ssrf

    table: dict[str, list[str]] = {}

    def resolve(host, port):
        if host in table:
            return table[host]
        try:
            ipaddress.ip_address(host)
            return [host]
        except ValueError:
            return [PUBLIC]

    monkeypatch.setattr(ssrf, "resolve", resolve)
    return table


@pytest.fixture
def local_mode(aws, monkeypatch):
    monkeypatch.setenv("HERALD_LOCAL", "1")


class Endpoint:
    """A loopback HTTP server answering from a script: [(status, headers), ...]."""

    def __init__(self):
        self.replies: list[tuple[int, dict]] = []
        self.requests: list[dict] = []
        self.hold = None  # a threading.Event: when set, answers wait on it (a slow endpoint)
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                endpoint.requests.append(
                    {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                )
                if endpoint.hold is not None:
                    endpoint.hold.wait(5)
                status, headers = endpoint.replies.pop(0) if endpoint.replies else (200, {})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]

    def stop(self):
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint(local_mode):
    server = Endpoint()
    yield server
    server.stop()


@pytest.fixture
def drain(app):
    """Run the hooks queue handler until the queue shows nothing (no long polling)."""
    from herald.local.invoke import queue_handlers
    from herald.local.worker import QueueWorker

    config = next(c for c in queue_handlers(app) if c.queue == "hooks")
    worker = QueueWorker(app, config, wait_seconds=0)
    return worker.drain


@pytest.fixture
def make_hook(aws):
    from chalicelib.hooks import store as hooks

    def make(node="monitor.down", type_="webhook", arg="https://hooks.example/in", **options):
        options.setdefault("persistent", True)
        return hooks.create(node, type_, arg, **options)

    return make


@pytest.fixture
def send_event(aws):
    """Put a Herald event on the hooks queue as the bus rule would."""
    import boto3

    from chalicelib.core import aws as clients
    from chalicelib.core import events

    def send(type_="monitor.down", source="backups", data=None, event=None):
        event = event or events.envelope(type_, source, data or {"name": source})
        envelope = {
            "version": "0",
            "id": "eb-" + event["id"],
            "detail-type": event["type"],
            "source": "herald",
            "detail": event,
        }
        boto3.client("sqs").send_message(
            QueueUrl=clients.queue_url("hooks"), MessageBody=json.dumps(envelope)
        )
        return event

    return send


@pytest.fixture
def dead_letters(aws):
    """The messages in the hooks dead-letter queue (read, left in place)."""
    import boto3

    from chalicelib.hooks import delivery as hook_delivery

    def read() -> list[dict]:
        messages = boto3.client("sqs").receive_message(
            QueueUrl=hook_delivery.dead_letter_url(),
            MaxNumberOfMessages=10,
            WaitTimeSeconds=0,
            VisibilityTimeout=0,
        )
        return [json.loads(m["Body"]) for m in messages.get("Messages", [])]

    return read
