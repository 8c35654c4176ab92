"""A stand-in Healthchecks instance: GET /api/v3/checks/ on loopback.

It answers as Healthchecks' Management API v3 documentation shows: 401 with
{"error": "missing api key"} for a key that is not 32 characters and
{"error": "wrong api key"} for an unknown one; for a read-write key each check
with its uuid, ping_url, update/pause/resume URLs and channels; for a
read-only key those omitted and a unique_key added. A simple check carries
`timeout`, a cron or OnCalendar one `schedule` and `tz`. `garbage` makes it
answer what no Healthchecks would (an HTML page).
"""

import hashlib
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

READ_WRITE_KEY = "rw" + "a" * 30
READ_ONLY_KEY = "ro" + "b" * 30
CHANNELS = "1bdea468-03bf-47b8-ab27-29a9dd0e4b94"
LAST = ("timeout", "schedule", "tz")


def check(name: str, slug: str, *, uuid_text: str | None = None, **fields) -> dict:
    """A check's stored fields; timeout=... for a simple one, schedule=..., tz=... otherwise."""
    stored = {
        "name": name,
        "slug": slug,
        "tags": "",
        "desc": "",
        "grace": 3600,
        "n_pings": 0,
        "status": "new",
        "started": False,
        "last_ping": None,
        "next_ping": None,
        "manual_resume": False,
        "methods": "",
        "start_kw": "",
        "success_kw": "",
        "failure_kw": "",
        "filter_subject": False,
        "filter_body": False,
        "filter_http_body": False,
        "filter_default_fail": False,
        "uuid": uuid_text or str(uuid.uuid4()),
        "channels": "",
        **fields,
    }
    if "schedule" not in stored and "timeout" not in stored:
        stored["timeout"] = 86400
    return stored


class Healthchecks:
    def __init__(self):
        self.checks: list[dict] = []
        self.garbage = False
        self.requests: list[dict] = []
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                standin.requests.append({"path": self.path, "headers": dict(self.headers)})
                status, body, kind = standin.answer(self.path, self.headers.get("X-Api-Key", ""))
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.ping_endpoint = f"{self.url}/ping/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add(self, name: str, slug: str, **fields) -> dict:
        self.checks.append(check(name, slug, **fields))
        return self.checks[-1]

    def answer(self, path: str, key: str) -> tuple[int, bytes, str]:
        if path.split("?")[0] != "/api/v3/checks/":
            return 404, b"<h1>Not Found</h1>", "text/html"
        if self.garbage:
            return 200, b"<html><body>Welcome to nginx!</body></html>", "text/html"
        if len(key) != 32:
            return _json(401, {"error": "missing api key"})
        if key not in (READ_WRITE_KEY, READ_ONLY_KEY):
            return _json(401, {"error": "wrong api key"})
        listed = [self.listed(c, read_only=key == READ_ONLY_KEY) for c in self.checks]
        return _json(200, {"checks": listed})

    def listed(self, stored: dict, *, read_only: bool) -> dict:
        code = stored["uuid"]
        shown = {k: v for k, v in stored.items() if k not in ("uuid", "channels", *LAST)}
        shown["badge_url"] = f"{self.url}/b/2/{uuid.uuid5(uuid.NAMESPACE_URL, code)}.svg"
        if read_only:
            shown["unique_key"] = hashlib.sha256(code.encode()).hexdigest()[:40]
        else:
            update = f"{self.url}/api/v3/checks/{code}"
            shown.update(
                uuid=code,
                ping_url=self.ping_endpoint + code,
                update_url=update,
                pause_url=update + "/pause",
                resume_url=update + "/resume",
                channels=stored["channels"],
            )
        # As the documentation shows them: the schedule's fields come last.
        return {**shown, **{k: stored[k] for k in LAST if k in stored}}

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def _json(status: int, document: dict) -> tuple[int, bytes, str]:
    return status, json.dumps(document).encode(), "application/json"
