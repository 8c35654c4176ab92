"""SNS: a notice published to a topic, for whatever the operator subscribes.

The Request carries `publish`, the parameters of one SNS Publish (the
delivery handler calls it with a client in the topic's region, the ARN's
fourth field). The message is plain text, the same for every protocol:
subject, what happened, the failing ping's facts, the link. E-mail
subscribers see `Subject`, which SNS wants ASCII, on one line and shorter
than 100 characters, so a name in other letters is transliterated (é: e)
and what cannot be is dropped.

Message attributes (herald.kind, herald.monitor, herald.notice) let a
subscription's filter policy pick, say, only `down` for SMS. A FIFO topic
(a name ending in .fifo) also gets a message group per monitor and the
notice's id as deduplication id: SNS then drops a second publish of the
same notice within its five-minute window, which standard topics cannot.

https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
"""

import hashlib
import re
import unicodedata

from chalicelib.core.channels.kinds import Field, Request, checks
from chalicelib.core.errors import Invalid

CONFIG = {"topic_arn": Field()}
SUBJECT_LIMIT = 99  # "less than 100 characters"
MESSAGE_BYTES = 262_144  # 256 KB, UTF-8, attributes included
MARGIN = 1024
ATTRIBUTE_LIMIT = 256
_ARN = re.compile(
    r"arn:aws(?:-[a-z]+)*:sns:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+):\d{12}:"
    r"(?P<name>[A-Za-z0-9_-]{1,256}(?:\.fifo)?)"
)


def check(config: dict) -> dict:
    checks.known(config, CONFIG, "sns")
    arn = config.get("topic_arn")
    match = _ARN.fullmatch(arn) if isinstance(arn, str) else None
    if not match or len(match["name"]) > 256:
        raise Invalid.at(
            "config.topic_arn",
            "a topic's ARN, arn:aws:sns:<region>:<12-digit account>:<topic name>",
        )
    return {"topic_arn": arn}


def region(topic_arn: str) -> str:
    """The region a Publish to this topic must be sent to."""
    return topic_arn.split(":")[3]


def render(notice, config: dict) -> Request:
    arn = config["topic_arn"]
    attributes = {
        name: {"DataType": "String", "StringValue": value[:ATTRIBUTE_LIMIT]}
        for name, value in (
            ("herald.kind", notice.kind),
            ("herald.monitor", notice.monitor),
            ("herald.notice", notice.id),
        )
        if value  # SNS refuses an empty attribute value
    }
    room = (
        MESSAGE_BYTES
        - MARGIN
        - sum(
            len(name.encode()) + len(a["StringValue"].encode()) + 6
            for name, a in attributes.items()
        )
    )
    publish = {
        "TopicArn": arn,
        "Subject": subject(notice.subject or notice.monitor),
        "Message": clip_bytes(message(notice), room),
        "MessageAttributes": attributes,
    }
    if arn.endswith(".fifo"):
        publish["MessageGroupId"] = "herald-" + _digest(notice.monitor)[:32]
        publish["MessageDeduplicationId"] = _digest(notice.id)
    return Request("PUBLISH", arn, publish=publish)


def subject(text: str) -> str:
    """An SNS Subject: printable ASCII on one line, under 100 characters."""
    ascii_only = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    line = " ".join("".join(c if c.isprintable() else " " for c in ascii_only).split())
    if len(line) > SUBJECT_LIMIT:
        line = line[: SUBJECT_LIMIT - 3].rstrip() + "..."
    return line or "Herald notice"


def message(notice) -> str:
    parts = [notice.subject, *notice.paragraphs]
    for label, value in notice.details:
        value = str(value)
        parts.append(f"{label}:\n{value}" if "\n" in value else f"{label}: {value}")
    if notice.link:
        parts.append(f"{notice.link_label or 'Pings'}: {notice.link}")
    return "\n\n".join(p for p in parts if p) + "\n"


def clip_bytes(text: str, limit: int) -> str:
    """text in at most limit bytes of UTF-8, cut between characters."""
    raw = text.encode()
    if len(raw) <= limit:
        return text
    marker = "\n[cut]\n"
    kept = raw[: limit - len(marker.encode())].decode("utf-8", "ignore")
    return kept + marker


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
