"""The one outgoing HTTP client: web-hooks, change feeds and GroupServer sites.

Every request is judged by the SSRF guard (ssrf.py) before it is sent, on
the connection it really reached, and again on each redirect it follows.
One deadline bounds the whole exchange, the reply body included (requests'
own timeout bounds each read, so a server trickling bytes could hold a
worker for ever), and a body larger than the caller's limit is refused.
A caller may ask for retries: only where nothing reached the server (the
connection failed) or the server said to come back (429, 502-504), with
backoff and at least the server's Retry-After, inside the same deadline.
"""

import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from chalicelib.core import clock, ssrf

CONNECT_TIMEOUT = 5.0
CHUNK = 64 * 1024
COME_BACK = {429, 502, 503, 504}


class Failure(Exception):
    """No usable reply. kind: refused (the guard), unreachable (nothing was
    sent, or the connection broke), no-reply (sent, but no answer in time:
    the server may have acted), too-large, redirects."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class Reply:
    status: int
    reason: str = ""
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    url: str = ""
    duration_ms: int = 0


def request(
    method: str,
    url: str,
    *,
    timeout: float = 10.0,
    max_bytes: int = 1024 * 1024,
    redirects: int = 0,
    retries: int = 0,
    private: bool = False,
    plain_http: bool = False,
    sleep=time.sleep,
    **send,
) -> Reply:
    """One request (data=, files=, json=, headers= as requests takes them).

    max_bytes=0 reads no body; redirects is how many 307/308 to follow.
    Raises Failure; any HTTP status is a Reply, for the caller to judge.
    """
    started = time.monotonic()
    deadline = started + timeout
    for attempt in range(retries + 1):
        wait = min(30.0, 2.0**attempt)
        try:
            reply = _exchange(
                method, url, deadline, max_bytes, redirects, private, plain_http, send
            )
        except Failure as failure:
            if failure.kind != "unreachable" or attempt == retries:
                raise
            if time.monotonic() + wait >= deadline:
                raise
        else:
            reply.duration_ms = int((time.monotonic() - started) * 1000)
            wait = max(wait, retry_after(reply.headers.get("retry-after")) or 0)
            last = attempt == retries or time.monotonic() + wait >= deadline
            if reply.status not in COME_BACK or last:
                return reply
        sleep(wait)
    raise AssertionError("unreachable: the loop returns or raises")


def _exchange(method, url, deadline, max_bytes, redirects, private, plain_http, send) -> Reply:
    import requests

    session = ssrf.guarded_session(private=private)
    try:
        for _hop in range(redirects + 1):
            ssrf.check_url(url, private=private, plain_http=plain_http)
            left = max(0.1, deadline - time.monotonic())
            timeouts = (min(CONNECT_TIMEOUT, left), left)
            call = getattr(session, method.lower())
            reply = call(url, timeout=timeouts, allow_redirects=False, stream=True, **send)
            try:
                location = reply.headers.get("location")
                if reply.status_code in (307, 308) and location:
                    url = urljoin(url, location)
                    continue
                body = _read(reply, max_bytes, deadline)
            finally:
                reply.close()
            reason = getattr(reply, "reason", "") or ""
            return Reply(reply.status_code, reason, reply.headers, body, url)
        raise Failure("redirects", f"more than {redirects} redirects")
    except ssrf.Refused as error:
        raise Failure("refused", str(error)) from None
    except requests.ConnectTimeout:
        raise Failure("unreachable", f"could not connect to {_host(url)} in time") from None
    except requests.ReadTimeout:
        raise Failure("no-reply", f"no answer from {_host(url)} in time") from None
    except requests.RequestException as error:
        if "timed out" in str(error).lower():
            raise Failure("no-reply", f"no answer from {_host(url)} in time") from None
        raise Failure("unreachable", f"{type(error).__name__}: {error}"[:300]) from None
    finally:
        session.close()


def _read(reply, max_bytes: int, deadline: float) -> bytes:
    """The body, at most max_bytes, read before the deadline."""
    if max_bytes <= 0:
        return b""
    chunks, size = [], 0
    while True:
        if time.monotonic() > deadline:
            raise Failure("no-reply", f"the reply from {_host(reply.url)} did not end in time")
        chunk = reply.raw.read1(CHUNK, decode_content=True)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise Failure("too-large", f"reply larger than {max_bytes} bytes")
        chunks.append(chunk)


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).netloc.rpartition("@")[2] or url[:80]
    except ValueError:
        return url[:80]


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value[:9])
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, (moment - clock.now()).total_seconds())
