"""Fixtures for the Healthchecks API v3 tests (no tests here).

`hc` talks to /api/v3/ with the chalice test client, as a Healthchecks client
would: JSON in (or any bytes), JSON or text out. The routes come from app.py
once it registers chalicelib.monitors.hc_routes; until then from a small
Chalice app with Herald's middleware and that Blueprint alone (the monitors
Blueprint stays on app.py's app, which the `client` fixture serves: pings go
there).

The documented payloads are Healthchecks' own examples (its docs/api page).
"""

import functools
import json
import re
from dataclasses import dataclass, field

import pytest

ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")
ISO_MICRO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00")

# The keys of the documented replies (create, read-write and read-only reads).
DOCUMENTED_CHECK = {
    "name", "slug", "tags", "desc", "grace", "n_pings", "status", "started", "last_ping",
    "next_ping", "manual_resume", "methods", "subject", "subject_fail", "start_kw",
    "success_kw", "failure_kw", "filter_subject", "filter_body", "filter_http_body",
    "filter_default_fail", "badge_url",
}  # fmt: skip
READ_WRITE_ONLY = {"uuid", "ping_url", "update_url", "pause_url", "resume_url", "channels"}
DOCUMENTED_PING = {
    "type", "date", "n", "scheme", "remote_addr", "method", "ua", "rid", "body_url",
}  # fmt: skip
# "Create a Check", example request (curl --data sends it as a form's type).
BACKUPS = {"name": "Backups", "tags": "prod www", "timeout": 3600, "grace": 60}


@dataclass
class Reply:
    status: int
    body: object
    headers: dict = field(default_factory=dict)
    text: str = ""


class HC:
    """A Healthchecks API client on Herald: key="rw", "ro", None or a key string."""

    def __init__(self, client, read_write: str, read_only: str):
        self.client, self.keys = client, {"rw": read_write, "ro": read_only}

    def request(self, method, path, body=None, *, key="rw", headers=None) -> Reply:
        sent = dict(headers or {})
        if key is not None:
            sent["X-Api-Key"] = self.keys.get(key, key)
        if isinstance(body, dict | list):
            body = json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        reply = self.client.http.request(method, path, body=body or b"", headers=sent)
        text = reply.body.decode("utf-8") if reply.body else ""
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        return Reply(reply.status_code, parsed, dict(reply.headers), text)

    def get(self, path, **options) -> Reply:
        return self.request("GET", path, **options)

    def post(self, path, body=None, **options) -> Reply:
        return self.request("POST", path, body, **options)

    def delete(self, path, **options) -> Reply:
        return self.request("DELETE", path, **options)

    def create(self, body=None, **options) -> dict:
        reply = self.post("/api/v3/checks/", body if body is not None else {}, **options)
        assert reply.status == 201, reply
        return reply.body


@pytest.fixture
def hc_app(app):
    if "/api/v3/checks" in app.routes:
        return app
    return _own_app()


@functools.cache
def _own_app():
    """Built once: Chalice consumes a Blueprint's route options when it
    registers them, so a Blueprint goes into one app only."""
    from chalice import Chalice

    from chalicelib.core import observability
    from chalicelib.monitors.hc_routes import blueprint

    own = Chalice(app_name="herald", configure_logs=False)
    own.register_middleware(
        observability.middleware(lambda: getattr(own, "lambda_context", None)), "all"
    )
    own.register_blueprint(blueprint)
    return own


@pytest.fixture
def hc(hc_app, api_key, read_only_key):
    from chalice.test import Client

    from herald import environment

    with Client(hc_app, stage_name="dev", project_dir=str(environment.ROOT)) as test_client:
        yield HC(test_client, api_key["X-Api-Key"], read_only_key["X-Api-Key"])


@pytest.fixture
def ping_uuid(client):
    """ping_uuid(uuid, suffix="", body=b"", method="GET", query=""): a ping by UUID."""

    def ping(code, suffix="", body=b"", method="GET", query=""):
        path = f"/ping/{code}" + (f"/{suffix}" if suffix else "") + (f"?{query}" if query else "")
        headers = {"User-Agent": "curl/7.68.0"}
        return client.http.request(method, path, body=body, headers=headers)

    return ping
