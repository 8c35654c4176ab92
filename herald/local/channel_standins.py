"""Local stand-ins for the HTTP channel kinds: one loopback server, a path per service.

`make run` starts it on http://127.0.0.1:8005 (HERALD_CHANNELS_PORT). A channel
pointed at it is checked against what the vendor documents (required fields,
types, limits) and answered as the vendor answers: the success the sender
reads, or the service's refusal naming the field, so a rendering mistake
shows as a refused delivery in the channel's log, not as a message nobody
checked. Each message prints one line, as the mail capture does:

    channel: slack 200 'backup disconnection detected'
    channel: pagerduty 400 payload.summary missing

and nothing else is ever printed: a fault in a check answers 500, on one line.

    kind       config                                    what it takes
    slack      url=BASE/slack/T000/B000/local            POST, Block Kit
    teams      url=BASE/teams/local                      POST, an Adaptive Card
    discord    url=BASE/discord/1/local                  POST, embeds; ?wait=true
    telegram   api_url=BASE/telegram                     POST /bot<token>/sendMessage
    ntfy       server=BASE/ntfy                          POST JSON at the root
    pagerduty  api_url=BASE/pagerduty                    POST /v2/enqueue
    opsgenie   api_url=BASE/opsgenie                     POST /v2/alerts[/<id>/close]
    webhook    url=BASE/webhook/local                    anything (signatures: receiver.py)

The checks live in channel_standins_hooks.py (the kinds whose channel is a
pasted web-hook URL) and channel_standins_apis.py (the kinds whose base URL
the stand-in replaces); this module routes, answers and prints. A GET of any
path lists the table above, with BASE filled in. Run it alone with
`python -m herald.local.channel_standins`.
"""

import functools
import json
import os
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from herald.local import channel_standins_apis as apis
from herald.local import channel_standins_hooks as hooks
from herald.local.channel_standins_fields import Incoming, Refused

HOST = "127.0.0.1"
DEFAULT_PORT = 8005
MAX_BODY = 1024 * 1024
CHECKS = {**hooks.CHECKS, **apis.CHECKS}
REFUSALS = {**hooks.REFUSALS, **apis.REFUSALS}
# Where each kind's channel points: (config key, path under the server's URL).
CONFIG = {
    "slack": ("url", "/slack/T000/B000/local"),
    "teams": ("url", "/teams/local"),
    "discord": ("url", "/discord/1/local"),
    "telegram": ("api_url", "/telegram"),
    "ntfy": ("server", "/ntfy"),
    "pagerduty": ("api_url", "/pagerduty"),
    "opsgenie": ("api_url", "/opsgenie"),
    "webhook": ("url", "/webhook/local"),
}


@dataclass(frozen=True)
class Message:
    """What arrived, and what the stand-in answered and printed."""

    kind: str
    status: int
    path: str
    headers: dict
    body: bytes
    line: str

    def json(self):
        return json.loads(self.body)


def answer(path: str, headers: dict, body: bytes) -> tuple[str, int, object, str]:
    """(kind, status, answer, console line) for one POST: the check's, or its refusal."""
    split = urlsplit(path)
    parts = [unquote(part) for part in split.path.split("/") if part]
    name = parts[0] if parts and parts[0] in CHECKS else "?"
    query = {key: values[-1] for key, values in parse_qs(split.query).items()}
    try:
        if name == "?":
            raise Refused(f"no stand-in at {split.path[:60]!r}: {', '.join(CHECKS)}", 404)
        status, reply, detail = CHECKS[name](Incoming(parts[1:], query, headers, body))
    except Refused as refused:
        status, detail = refused.status, refused.reason
        reply = REFUSALS.get(name, lambda _status, reason: reason)(status, refused.reason)
    except Exception as error:  # noqa: BLE001 - a stand-in's own fault: one line, never a traceback
        status, reply = 500, {"error": "the stand-in failed"}
        detail = f"stand-in fault: {type(error).__name__}: {error}"
    line = f"channel: {name} {status} {detail}"
    return name, status, reply, line.replace("\r", "\\r").replace("\n", "\\n")[:400]


class StandIns:
    """The server: start(), .url, .urls() (a config value per kind), .messages, stop()."""

    def __init__(self, port: int = DEFAULT_PORT, announce=None):
        self.announce = announce or functools.partial(print, flush=True)
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"standins": self})
        self.server = _Server((HOST, port), handler)
        self.port = self.server.server_address[1]
        self.url = f"http://{HOST}:{self.port}"
        self._thread = None

    def start(self) -> "StandIns":
        # A short poll: stop() (every test's teardown) waits for at most one.
        serve = functools.partial(self.server.serve_forever, poll_interval=0.1)
        self._thread = threading.Thread(target=serve, name="channel-standins", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.server.shutdown()
            self._thread = None
        self.server.server_close()

    def urls(self) -> dict[str, dict]:
        """{kind: the config that points a channel of that kind here}."""
        return {kind: {key: self.url + path} for kind, (key, path) in CONFIG.items()}

    def describe(self) -> str:
        """One line for the banner: the URL and a path per kind."""
        paths = " ".join(path.replace("/local", "/...") for _key, path in CONFIG.values())
        return f"{self.url}  ({paths}; GET lists the config)"

    def receive(self, path: str, headers: dict, body: bytes) -> tuple[int, object]:
        kind, status, reply, line = answer(path, headers, body)
        with self._lock:
            self.messages.append(Message(kind, status, path, headers, body, line))
        # Printed before the answer leaves: whoever got the answer finds the line.
        self.announce(line)
        return status, reply

    def index(self) -> str:
        rows = [f"  {kind:10} {key}={self.url}{path}" for kind, (key, path) in CONFIG.items()]
        return "Herald's channel stand-ins. Point a channel here:\n" + "\n".join(rows) + "\n"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # a client gone mid-answer: nothing to tell the console


class _Handler(BaseHTTPRequestHandler):
    standins: StandIns

    def do_POST(self):  # noqa: N802 - the http.server convention
        headers = {key.lower(): value for key, value in self.headers.items()}
        try:
            length = int(headers.get("content-length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True
            self.standins.announce(f"channel: ? 413 a body of {length} bytes is not taken")
            return self._reply(413, "the body is too large, or its length unknown")
        body = self.rfile.read(length)
        self._reply(*self.standins.receive(self.path, headers, body))

    def do_GET(self):  # noqa: N802 - a person's browser: the list, no console line
        self._reply(200, self.standins.index())

    def _reply(self, status: int, reply) -> None:
        if reply is None or status == 204:
            data, kind = b"", None
        elif isinstance(reply, str):
            data, kind = reply.encode(), "text/plain; charset=utf-8"
        else:
            data, kind = json.dumps(reply).encode(), "application/json"
        self.send_response(status)
        if kind:
            self.send_header("content-type", kind)
        if status != 204:  # a 204 carries no body, nor a length for one
            self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass  # the stand-ins print their own lines


def start(port: int | None = None, announce=None) -> StandIns:
    """Serve on port (HERALD_CHANNELS_PORT, else 8005; 0 for any free one)."""
    if port is None:
        port = int(os.environ.get("HERALD_CHANNELS_PORT", DEFAULT_PORT))
    return StandIns(port, announce).start()


def main() -> None:
    standins = start()
    print(f"channel stand-ins on {standins.url}; Ctrl-C stops them\n{standins.index()}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        standins.stop()


if __name__ == "__main__":
    main()
