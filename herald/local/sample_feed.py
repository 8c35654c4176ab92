"""A sample change feed: a list of incidents that changes as you POST to it.

It implements the contract of openapi/feed.yaml on loopback, token check
included (signature under its own origin's key, audience, expiry, subject),
so `make run` and the tests have a real application to read:

  GET  /incidents            the incidents
  POST /incidents            {"title", "severity", "location", "description"} adds one;
                             with "id" it updates that one
  POST /incidents/changes    the change feed Herald reads (bearer token required)

Faults for tests: feed.fail_next(mode, times) with mode "timeout", "500",
"badjson" or "badshape" ("ok" lets one request through first).
"""

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from chalicelib.core import clock
from chalicelib.subscriptions import tokens as feed_token

HOST = "127.0.0.1"
FIELDS = ("severity", "location", "description")


class SampleFeed:
    def __init__(self, port: int = 0):
        self.incidents: dict[str, dict] = {}
        self.lock = threading.Lock()
        self.requests = 0
        self.tokens: list[dict] = []
        self.faults: list[str] = []
        self.released = threading.Event()
        # Tests hook in here to change incidents while a fetch is answered.
        self.before_answer = None
        self.server = ThreadingHTTPServer((HOST, port), _handler(self))
        self.server.daemon_threads = True
        self.url = f"http://{HOST}:{self.server.server_address[1]}"
        self.changes_url = f"{self.url}/incidents/changes"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def key(self) -> bytes:
        """This feed's own key, what `herald subscriptions feed-key ORIGIN` prints
        for it (read on each request: tests change the root key)."""
        return feed_token.key_for(feed_token.origin(self.url))

    def start(self) -> "SampleFeed":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, mode: str, times: int = 1) -> None:
        self.faults.extend([mode] * times)

    def put(self, body: dict) -> dict:
        """Add an incident, or update the one named by body["id"]."""
        now = clock.iso(clock.now())
        with self.lock:
            incident_id = str(body.get("id") or len(self.incidents) + 1)
            incident = self.incidents.get(incident_id) or {"id": incident_id, "created_on": now}
            incident.update(
                title=str(body.get("title", incident.get("title", "Incident"))),
                modified_on=now,
                **{k: body[k] for k in FIELDS if k in body},
            )
            self.incidents[incident_id] = incident
            return dict(incident)

    def changes(self, query: dict) -> dict:
        since = query["since"]
        until = query.get("until")
        kinds = query.get("kinds") or ["new", "upd"]
        wanted = query.get("filter") or {}
        with self.lock:
            matching = [
                i
                for i in self.incidents.values()
                if i["modified_on"] >= since
                and (until is None or i["modified_on"] < until)
                and ("new" if i["created_on"] >= since else "upd") in kinds
                and all(i.get(k) == v for k, v in wanted.items())
            ]
        matching.sort(key=lambda i: (i["modified_on"], i["id"]))
        limit = int(query.get("limit", 100))
        newest = matching[-1]["modified_on"] if matching else None
        if limit == 0:
            return {"records": [], "changed": bool(matching), "newest_modified_on": newest}
        offset = int(query.get("cursor") or 0)
        page = matching[offset : offset + limit]
        more = offset + limit < len(matching)
        return {
            "records": [self._record(i) for i in page],
            "next_cursor": str(offset + limit) if more else None,
            "changed": bool(matching),
            "newest_modified_on": newest,
        }

    def _record(self, incident: dict) -> dict:
        return {
            "id": incident["id"],
            "created_on": incident["created_on"],
            "modified_on": incident["modified_on"],
            "title": incident["title"],
            "link": f"{self.url}/incidents/{incident['id']}",
            "fields": {k.capitalize(): incident[k] for k in FIELDS if k in incident} or None,
        }


class _Handler(BaseHTTPRequestHandler):
    feed: SampleFeed  # set per server by _handler()

    def log_message(self, *_args) -> None:
        pass

    def _send(self, status: int, body, raw: bytes | None = None) -> None:
        data = raw if raw is not None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _json(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            return json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return None

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path != "/incidents":
            return self._send(404, {"error": "not found"})
        with self.feed.lock:
            self._send(200, {"incidents": list(self.feed.incidents.values())})

    def do_POST(self) -> None:  # noqa: N802
        body = self._json()
        if not isinstance(body, dict):
            return self._send(400, {"error": "body must be a JSON object"})
        if self.path == "/incidents":
            return self._send(201, self.feed.put(body))
        if self.path != "/incidents/changes":
            return self._send(404, {"error": "not found"})
        self.feed.requests += 1
        if self.feed.faults and self._fault(self.feed.faults.pop(0)):
            return
        claims = self._verify(body)
        if claims is not None:
            self.feed.tokens.append(claims)
            if self.feed.before_answer:
                self.feed.before_answer(body)
            self._send(200, self.feed.changes(body))

    def _verify(self, body: dict) -> dict | None:
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            claims = feed_token.verify(
                token, self.feed.key(), audience=self.feed.changes_url, now=clock.epoch()
            )
        except feed_token.InvalidToken as error:
            self._send(401, {"error": str(error)})
            return None
        if claims["sub"] != body.get("subscriber", ""):
            self._send(403, {"error": "token is for another subscriber"})
            return None
        if not isinstance(body.get("since"), str):
            self._send(400, {"error": "since is required"})
            return None
        return claims

    def _fault(self, mode: str) -> bool:
        if mode == "ok":
            return False
        if mode == "timeout":
            self.feed.released.wait(30)
            return True
        if mode == "500":
            self._send(500, {"error": "boom"})
        elif mode == "badjson":
            self._send(200, None, raw=b"{not json")
        elif mode == "badshape":
            self._send(200, {"records": [{"id": 1, "title": None}]})
        return True


def _handler(feed: SampleFeed) -> type:
    """A handler class bound to this feed (http.server builds one per request)."""
    return type("Handler", (_Handler,), {"feed": feed})


def start(env: dict):
    """Start the sample feed for `make run`, with example subscriptions."""
    from herald.local.companions import Companion

    port = int(os.environ.get("HERALD_SAMPLE_FEED_PORT", "8003"))
    feed = SampleFeed(port).start()
    return Companion(
        name="sample feed (incidents)",
        url=f"{feed.url}/incidents",
        stop=feed.stop,
        env={"HERALD_SAMPLE_FEED_URL": feed.changes_url},
        setup=lambda: create_examples(feed.changes_url),
    )


def create_examples(changes_url: str) -> list[dict]:
    """Two subscriptions on the incidents: one person (HTML), one group (text)."""
    from chalicelib.subscriptions import store as subscriptions

    people = [
        {"id": "duty-officer", "name": "Duty Officer", "contacts": [
            {"address": "duty@example.org", "priority": 1},
            {"address": "duty-pager@example.org", "priority": 2},
        ]},
        {"id": "ana", "name": "Ana Field", "contacts": ["ana@example.org"]},
        {"id": "ben", "name": "Ben Field", "contacts": ["ben@example.org"]},
        {"id": "field-team", "name": "Field Team", "members": ["ana", "ben"]},
    ]  # fmt: skip
    for person in people:
        if subscriptions.get_subscriber_item(person["id"]) is None:
            subscriptions.save_subscriber(person)
    resource = [{"name": "Incidents", "url": changes_url}]
    return [
        subscriptions.save_subscription(
            {
                "subscriber": "duty-officer",
                "resources": resource,
                "notify_on": ["new", "upd"],
                "frequency": "immediately",
                "email_format": "html",
            }
        ),
        subscriptions.save_subscription(
            {
                "subscriber": "field-team",
                "resources": resource,
                "filter": {"severity": "high"},
                "notify_on": ["new"],
                "frequency": "immediately",
            }
        ),
    ]
