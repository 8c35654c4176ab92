"""A sample GroupServer site: the four web-hooks of the digest and profile jobs.

It answers like a GroupServer instance with a few sites, groups and members:
members who opted out are left out of the members list (and answer -32 if
sent to anyway), some members answer the other skip statuses, and the group
"broken" fails its digest send with a 500. Every request is recorded (path,
content type, form fields), so tests can assert exactly what Herald sent.
`make run` starts one on HERALD_SAMPLE_SITE_PORT (default 8002) and points
Herald's SITES at it; tests and the benchmark start their own on port 0.
"""

import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from chalicelib.sites import groupserver as gs

GROUPS = [  # deliberately unsorted: the list must come out sorted
    ("ethel", "development"),
    ("example", "chat"),
    ("ethel", "announce"),
    ("example", "broken"),
]
PROFILES = {  # profile id -> the status its send answers
    "alice": 0,
    "bob": 0,
    "carol": 0,
    "dave": -4,
    "erin": -8,
    "frank": -16,
    "gone": -2,
    "odd": -1024,
}
OPTED_OUT = {"oscar", "olive"}


@dataclass
class Request:
    path: str
    content_type: str
    fields: dict
    at: float


@dataclass
class SampleSite:
    token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    groups: list = field(default_factory=lambda: list(GROUPS))
    profiles: dict = field(default_factory=lambda: dict(PROFILES))
    opted_out: set = field(default_factory=lambda: set(OPTED_OUT))
    failing_groups: set = field(default_factory=lambda: {"broken"})
    failing_profiles: set = field(default_factory=set)
    send_delay: float = 0.0  # seconds each send takes, as a busy site would
    port: int = 0
    # Tests set these to make a list web-hook misbehave: a status, or a raw body.
    list_status: int = 200
    list_body: bytes | None = None
    requests: list = field(default_factory=list)

    def __post_init__(self):
        self._lock = threading.Lock()
        self._server = None

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> "SampleSite":
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *_):
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- what tests look at ---------------------------------------------------

    def record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def sent(self, path: str) -> list[dict]:
        """The form fields of every request to path, in arrival order."""
        with self._lock:
            return [r.fields for r in self.requests if r.path == path]

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- the web-hooks -----------------------------------------------------------

    def answer(self, path: str, fields: dict) -> tuple[int, object]:
        if path not in (
            gs.DIGEST_GROUPS_URI,
            gs.SEND_DIGEST_URI,
            gs.PROFILE_URI,
            gs.SEND_STATUS_URI,
        ):
            return 404, {"error": "no such page"}
        token = fields.get("form.token" if path == gs.SEND_DIGEST_URI else "token")
        if token != self.token:
            return 403, {"error": "bad token"}
        if path in (gs.DIGEST_GROUPS_URI, gs.PROFILE_URI):
            if self.list_status != 200 or self.list_body is not None:
                return self.list_status, self.list_body
            if path == gs.DIGEST_GROUPS_URI:
                return 200, [list(pair) for pair in self.groups]
            return 200, [p for p in self.profiles if p not in self.opted_out]
        time.sleep(self.send_delay)
        if path == gs.SEND_DIGEST_URI:
            if fields.get("form.actions.send") != "Send":
                return 400, {"error": "no send action"}
            if fields.get("form.groupId") in self.failing_groups:
                return 500, {"error": "digest failed"}
            return 200, {"status": "sent"}
        profile = fields.get("profileId")
        if fields.get("send") != "Send":
            return 400, {"error": "no send action"}
        if profile in self.failing_profiles:
            return 500, {"error": "status failed"}
        if profile in self.opted_out:
            return 200, {"status": -32, "message": "opted out"}
        status = self.profiles.get(profile, -2)
        return 200, {"status": status, "message": gs.meaning(status)}


def parse_form(content_type: str, body: bytes) -> dict | None:
    """The fields of a multipart/form-data body; None when it is not one."""
    if not content_type.startswith("multipart/form-data"):
        return None
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return None
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name is not None:
            fields[name] = (part.get_payload(decode=True) or b"").decode()
    return fields


def _handler(site: SampleSite):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            content_type = self.headers.get("Content-Type", "")
            fields = parse_form(content_type, body)
            site.record(Request(self.path, content_type, fields or {}, time.time()))
            if fields is None:
                status, reply = 400, {"error": "expected multipart/form-data"}
            else:
                status, reply = site.answer(self.path, fields)
            data = reply if isinstance(reply, bytes) else json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args):
            pass

    return Handler


def start(env: dict):
    """Start the site for `make run` and point Herald's SITES at it."""
    from herald.local.companions import Companion

    port = int(os.environ.get("HERALD_SAMPLE_SITE_PORT", "8002"))
    site = SampleSite(port=port).start()
    sites = [{"name": "sample", "url": site.url, "jobs": ["digest", "profile-status"]}]
    env = {
        "SITES": json.dumps(sites),
        "HERALD_SITE_SAMPLE_TOKEN": site.token,
        # Retry the failing group after 2, 4, 8, 16 s, so its run ends within a minute.
        "SITE_JOBS_RETRY_SECONDS": "2",
    }
    return Companion(name="sample GroupServer site", url=site.url, stop=site.stop, env=env)
