"""The GroupServer web-hook protocol, byte for byte as senddigest/sendprofile.

Every call is a POST of multipart/form-data fields to a path on the site's
host, authenticated by a token field. A reply other than 200 is NotOk with
"{reason} ({status} <{host}>)", as the original scripts said it; a 200 whose
body is not what the protocol promises is a ProtocolError; a site that
cannot be reached is Unreachable. All three are SiteError, so callers report
one kind of failure and never crash on a malformed reply.
"""

import json
from urllib.parse import urlsplit

from chalicelib.core import outgoing

DIGEST_GROUPS_URI = "/gs-group-messages-topic-digest-groups.html"
SEND_DIGEST_URI = "/gs-group-messages-topic-digest-send.html"
PROFILE_URI = "/gs-profile-status-members.html"
SEND_STATUS_URI = "/gs-profile-status-send.html"

# Ids become parts of DynamoDB keys (a sort key holds at most 1,024 bytes);
# GroupServer's are short identifiers, so a longer one is a malformed reply.
MAX_ID = 200

TIMEOUT = 50.0  # seconds: a digest is built while the request waits
MAX_REPLY = 10 * 1024 * 1024  # a list of every member of a large site

# The statuses of /gs-profile-status-send.html and what they mean.
STATUS_MEANINGS = {
    0: "sent",
    -2: "no such user",
    -4: "in no groups",
    -8: "no verified address",
    -16: "no activity last month",
    -32: "opted out",
    -1024: "other",
}


class SiteError(Exception):
    """A web-hook call that did not do what the protocol promises."""


class NotOk(SiteError):
    """The web-hook answered with a status other than 200."""

    def __init__(self, reason: str, status: int, host: str):
        super().__init__(f"{reason} ({status} <{host}>)")
        self.reason, self.status, self.host = reason, status, host


class ProtocolError(SiteError):
    """A 200 reply whose body is not what the web-hook promises."""


class Unreachable(SiteError):
    """The site could not be reached (connection refused, timeout...)."""


class NoReply(Unreachable):
    """The request went out but no reply came in time: the site may have acted on it."""


def may_pass(error: Exception) -> bool:
    """Whether asking again later may succeed: the site down, overloaded, slow."""
    if isinstance(error, NotOk):
        return error.status >= 500 or error.status == 429
    return isinstance(error, Unreachable)


def base_url(url: str) -> str:
    """scheme://host[:port] of url: like the originals, only the host is used.

    Rebuilt from the host name and port alone, never the netloc, so that a
    user:password@ in the URL cannot reach the host named in errors, logs and runs.
    """
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        raise ValueError("no host in the URL")
    port = parts.port  # ValueError for a port that is no number or out of range
    host = f"[{host}]" if ":" in host else host  # an IPv6 address
    return f"{parts.scheme or 'http'}://{host}" + ("" if port is None else f":{port}")


def has_credentials(url: str) -> bool:
    """Whether url carries a user name or password (user:password@host)."""
    return "@" in urlsplit(url).netloc


def post(url: str, path: str, fields: dict[str, str], *, retries: int = 0):
    """POST fields as multipart/form-data; the 200 reply's body, else SiteError.

    Sites are the operator's own configuration, so private addresses are
    allowed (a site in the same VPC); link-local and, outside local mode,
    loopback never are. retries: for the list calls only, which change nothing.
    """
    base = base_url(url)
    host = urlsplit(base).netloc
    # (None, value) makes a form-data part without a filename, as gs.form did.
    files = {name: (None, value) for name, value in fields.items()}
    try:
        reply = outgoing.request(
            "POST", base + path, files=files, timeout=TIMEOUT, max_bytes=MAX_REPLY,
            retries=retries, private=True, plain_http=True,
        )  # fmt: skip
    except outgoing.Failure as failure:
        error = NoReply if failure.kind == "no-reply" else Unreachable
        raise error(f"{failure} <{host}>") from None
    if reply.status != 200:
        raise NotOk(reply.reason or "", reply.status, host)
    return reply.body


def _json(body: bytes, path: str):
    try:
        return json.loads(body)
    except ValueError:
        raise ProtocolError(f"{path} did not answer JSON: {body[:80]!r}") from None


def _is_id(value) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_ID


def get_digest_groups(url: str, token: str) -> list[tuple[str, str]]:
    """The (siteId, groupId) pairs that need a digest, sorted by site then group."""
    body = post(url, DIGEST_GROUPS_URI, {"token": token, "get": ""})
    reply = _json(body, DIGEST_GROUPS_URI)
    if not isinstance(reply, list):
        raise ProtocolError(f"{DIGEST_GROUPS_URI} answered {type(reply).__name__}, not a list")
    groups = set()
    for entry in reply:
        if not (
            isinstance(entry, list) and len(entry) == 2 and all(_is_id(value) for value in entry)
        ):
            raise ProtocolError(f"{DIGEST_GROUPS_URI}: {entry!r} is not a [siteId, groupId] pair")
        groups.add((entry[0], entry[1]))
    return sorted(groups)


def send_digest(url: str, site_id: str, group_id: str, token: str) -> None:
    fields = {
        "form.siteId": site_id,
        "form.groupId": group_id,
        "form.token": token,
        "form.actions.send": "Send",
    }
    post(url, SEND_DIGEST_URI, fields)


def get_profile_ids(url: str, token: str) -> list[str]:
    """The ids of the profiles to send the status to, sorted."""
    body = post(url, PROFILE_URI, {"token": token, "get": ""})
    reply = _json(body, PROFILE_URI)
    if not isinstance(reply, list):
        raise ProtocolError(f"{PROFILE_URI} answered {type(reply).__name__}, not a list")
    for entry in reply:
        if not _is_id(entry):
            raise ProtocolError(f"{PROFILE_URI}: {entry!r} is not a profile id")
    return sorted(set(reply))


def send_profile_status(url: str, profile_id: str, token: str) -> tuple[int, str]:
    """(status, message) of the site's reply; see STATUS_MEANINGS."""
    fields = {"profileId": profile_id, "token": token, "send": "Send"}
    reply = _json(post(url, SEND_STATUS_URI, fields), SEND_STATUS_URI)
    status = reply.get("status") if isinstance(reply, dict) else None
    if not isinstance(status, int) or isinstance(status, bool):
        raise ProtocolError(f"{SEND_STATUS_URI} answered {reply!r}, not {{status, message}}")
    return status, str(reply.get("message", ""))


def meaning(status: int) -> str:
    return STATUS_MEANINGS.get(status, f"unknown status {status}")
