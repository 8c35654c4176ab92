"""A web-hook receiver that prints what arrives and verifies signatures.

`make run` starts it on http://127.0.0.1:8004 (HERALD_RECEIVER_PORT). Point a
webhook hook at it (`herald hook create -n monitor.down -t webhook
http://127.0.0.1:8004/hook`); each delivery is printed with its type, its
webhook-id and whether its signature verifies. Verification uses the
`standardwebhooks` package (an implementation independent of Herald's) with
every secret it knows: HERALD_RECEIVER_SECRETS (whsec_... values separated by
spaces or commas) and .local/receiver-secrets.json, where `herald hook create`
and `herald hook rotate` write a local hook's secret. The file is read again
for every delivery, so new hooks need no restart.

It answers 200, or 401 for a bad signature when HERALD_RECEIVER_STRICT=1
(then Herald retries, as it would against a real receiver).
Run it alone with `python -m herald.local.receiver`.
"""

import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from herald.environment import LOCAL_DIR

DEFAULT_PORT = 8004
SECRETS_FILE = LOCAL_DIR / "receiver-secrets.json"


def remember_secret(hook_id: str, secret: str, path=None) -> None:
    """Keep a hook's secret where the receiver reads it (owner-only file)."""
    path = path or SECRETS_FILE
    path.parent.mkdir(exist_ok=True)
    known = _read_file(path)
    known[hook_id] = secret
    path.touch(mode=0o600, exist_ok=True)
    path.write_text(json.dumps(known, indent=2))


def _read_file(path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def known_secrets(path=None) -> dict[str, str]:
    """name -> secret: the file's hooks, then the environment's."""
    found = dict(_read_file(path or SECRETS_FILE))
    values = os.environ.get("HERALD_RECEIVER_SECRETS", "").replace(",", " ").split()
    found.update({f"env#{i}": value for i, value in enumerate(values)})
    return found


def verify(body: bytes, headers: dict, secrets: dict[str, str]) -> str | None:
    """The name of the secret whose signature matches, or None."""
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    for name, secret in secrets.items():
        try:
            Webhook(secret).verify(body, headers)
            return name
        except (WebhookVerificationError, ValueError):
            continue
    return None


class Receiver:
    def __init__(self, port: int | None = None, secrets_file=None, out=None, strict=None):
        self.port = DEFAULT_PORT if port is None else port
        self.secrets_file = secrets_file or SECRETS_FILE
        self.out = out or sys.stdout
        self.strict = os.environ.get("HERALD_RECEIVER_STRICT") == "1" if strict is None else strict
        self.received: list[dict] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server convention
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                ok = receiver.receive(self.path, dict(self.headers.items()), body)
                self.send_response(200 if ok or not receiver.strict else 401)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"received": True, "verified": ok}).encode())

            def log_message(self, *args):  # the receiver prints its own lines
                pass

        return Handler

    def receive(self, path: str, headers: dict, body: bytes) -> bool:
        headers = {k.lower(): v for k, v in headers.items()}
        matched = verify(body, headers, known_secrets(self.secrets_file))
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        entry = {"path": path, "headers": headers, "body": body, "verified_by": matched}
        with self._lock:
            self.received.append(entry)
        kind = payload.get("type") if isinstance(payload, dict) else "?"
        verdict = f"signature verified ({matched})" if matched else "signature NOT verified"
        print(
            f"[receiver] POST {path} {kind} webhook-id={headers.get('webhook-id')} {verdict}\n"
            f"           {body.decode(errors='replace')[:2000]}",
            file=self.out,
            flush=True,
        )
        return matched is not None

    def start(self) -> str:
        threading.Thread(target=self.server.serve_forever, name="receiver", daemon=True).start()
        return self.url

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start(env: dict):
    """Start the receiver for `make run`; returns its Companion."""
    from herald.local.companions import Companion

    port = int(os.environ.get("HERALD_RECEIVER_PORT", DEFAULT_PORT))
    try:
        receiver = Receiver(port)
    except OSError as error:
        print(f"receiver not started: port {port}: {error} (set HERALD_RECEIVER_PORT)")
        return None
    url = receiver.start()
    return Companion("receiver", url, receiver.stop, env={"HERALD_RECEIVER_URL": url})


def main() -> None:
    receiver = Receiver(int(os.environ.get("HERALD_RECEIVER_PORT", DEFAULT_PORT)))
    print(f"receiver on {receiver.url}; Ctrl-C stops it", flush=True)
    try:
        receiver.server.serve_forever()
    except KeyboardInterrupt:
        receiver.server.server_close()


if __name__ == "__main__":
    main()
