"""A ping's body as the log stores it (large ones compressed), and its excerpt.

DynamoDB charges a write unit per started kilobyte of an item, so a
10,000-byte log line costs 10 units as text. Bodies past COMPRESS_FROM bytes
are kept zlib-compressed in `body_z` when that is smaller (log output
usually shrinks several times); `body` holds the rest as text. Readers go
through text(), so nothing outside this module knows the difference.
"""

import zlib

COMPRESS_FROM = 512  # below this the item fits in one write unit anyway
EXCERPT_LINES, EXCERPT_CHARS = 10, 1000


def stored(text: str) -> dict:
    """The log entry's attributes for a body (already cut to pings.BODY_LIMIT)."""
    raw = text.encode("utf-8")
    if len(raw) >= COMPRESS_FROM:
        packed = zlib.compress(raw, 6)
        if len(packed) < len(raw):
            return {"body_z": packed}
    return {"body": text}


def text(entry: dict) -> str:
    """A stored log entry's body as text, however it was kept."""
    packed = entry.get("body_z")
    if packed is None:
        return entry.get("body", "")
    return zlib.decompress(bytes(packed)).decode("utf-8", errors="replace")


def excerpt(body: bytes) -> str:
    """The first lines of a ping's body, kept on the monitor by a failure."""
    if not body:
        return ""
    text = body[: EXCERPT_CHARS * 4].decode("utf-8", errors="replace")
    return "\n".join(text.splitlines()[:EXCERPT_LINES])[:EXCERPT_CHARS]
