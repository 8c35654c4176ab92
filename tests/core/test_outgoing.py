"""The one outgoing HTTP client: guard, deadline, size limit, redirects, retries."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chalicelib.core import outgoing


class Server:
    """A loopback server answering from a script: path -> (status, headers, body chunks)."""

    def __init__(self):
        self.routes: dict[str, list] = {}
        self.hits: list[str] = []
        self.closing = threading.Event()  # set at the end: a trickle stops at once
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                self.rfile.read(int(self.headers.get("content-length") or 0))
                server.hits.append(self.path)
                replies = server.routes[self.path]
                status, headers, chunks = replies.pop(0) if len(replies) > 1 else replies[0]
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(sum(len(c) for c in chunks)))
                self.end_headers()
                for chunk in chunks:
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    if len(chunks) > 1:  # trickle: a byte every 0.1 s until the test ends
                        server.closing.wait(0.1)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("HERALD_LOCAL", "1")  # loopback is reachable in local mode only
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    with Server() as running:
        yield running


def test_it_reads_a_reply_and_times_it(server):
    server.routes["/a"] = [(200, {"X-Test": "1"}, [b"hello"])]
    reply = outgoing.request("POST", server.url + "/a", data=b"x")
    assert (reply.status, reply.body, reply.headers["x-test"]) == (200, b"hello", "1")


def test_it_refuses_loopback_outside_local_mode(server, monkeypatch):
    monkeypatch.delenv("HERALD_LOCAL")
    with pytest.raises(outgoing.Failure) as failure:
        outgoing.request("POST", server.url + "/a", plain_http=True)
    assert failure.value.kind == "refused"
    assert server.hits == []


def test_a_reply_over_the_limit_is_refused(server):
    server.routes["/big"] = [(200, {}, [b"x" * 5000])]
    with pytest.raises(outgoing.Failure) as failure:
        outgoing.request("POST", server.url + "/big", max_bytes=1000)
    assert failure.value.kind == "too-large"


def test_a_trickling_reply_cannot_outlast_the_deadline(server):
    server.routes["/slow"] = [(200, {}, [b"x"] * 30)]
    started = time.monotonic()
    with pytest.raises(outgoing.Failure) as failure:
        outgoing.request("POST", server.url + "/slow", timeout=0.5)
    assert failure.value.kind == "no-reply"
    assert time.monotonic() - started < 2


def test_it_follows_only_the_redirects_it_was_allowed(server):
    server.routes["/from"] = [(307, {"Location": "/to"}, [b""])]
    server.routes["/to"] = [(200, {}, [b"arrived"])]
    assert outgoing.request("POST", server.url + "/from", redirects=1).body == b"arrived"
    with pytest.raises(outgoing.Failure) as failure:
        outgoing.request("POST", server.url + "/from", redirects=0, max_bytes=0)
    assert failure.value.kind == "redirects"


def test_it_retries_when_told_to_come_back_after_retry_after(server):
    server.routes["/busy"] = [(503, {"Retry-After": "3"}, [b""]), (200, {}, [b"done"])]
    waits = []
    reply = outgoing.request(
        "POST", server.url + "/busy", retries=1, timeout=30, sleep=waits.append
    )
    assert (reply.status, reply.body, waits) == (200, b"done", [3.0])


def test_without_retries_the_servers_answer_is_the_callers(server):
    server.routes["/busy"] = [(503, {"Retry-After": "3"}, [b""]), (200, {}, [b"done"])]
    assert outgoing.request("POST", server.url + "/busy").status == 503
    assert server.hits == ["/busy"]


def test_a_connection_refused_is_retried_with_backoff(monkeypatch):
    monkeypatch.setenv("HERALD_LOCAL", "1")
    waits = []
    with pytest.raises(outgoing.Failure) as failure:
        outgoing.request("POST", "http://127.0.0.1:9/", retries=2, timeout=30, sleep=waits.append)
    assert failure.value.kind == "unreachable"
    assert waits == [1.0, 2.0]


@pytest.mark.parametrize(
    ("value", "seconds"), [("120", 120.0), ("", None), ("soon", None), ("²", None)]
)
def test_retry_after_is_read_as_seconds_or_an_http_date(value, seconds):
    assert outgoing.retry_after(value) == seconds
