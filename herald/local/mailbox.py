"""Captured mail: every message SES (moto) accepts becomes a .eml file.

The moto server runs in the local runner's own process, so the runner reads
SES's sent messages straight from moto's backend.
"""

import threading
from collections.abc import Callable
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path


def _sent_messages() -> list:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages


def _raw(message) -> bytes | None:
    raw = getattr(message, "raw_data", None)
    return raw.encode() if isinstance(raw, str) else raw


def to_email(message) -> EmailMessage:
    raw = _raw(message)
    if raw is not None:
        return BytesParser(policy=default).parsebytes(raw)
    email = EmailMessage()
    email["From"] = message.source
    email["To"] = ", ".join(message.destinations.get("ToAddresses", []))
    email["Subject"] = message.subject
    email.set_content(message.body)
    return email


def last_number(folder: Path) -> int:
    """The highest number of a mail file already there (0 for none)."""
    numbers = (path.name.split("-", 1)[0] for path in folder.glob("*.eml"))
    return max((int(n) for n in numbers if n.isdigit()), default=0)


class Mailbox:
    def __init__(self, folder: Path, announce: Callable[[str], None] = print):
        self.folder = folder
        self.announce = announce
        self.seen = 0  # of moto's sent messages, which start empty with moto
        self.stopped = threading.Event()
        folder.mkdir(parents=True, exist_ok=True)
        # Numbers go on from the last run's files, so old and new mail never interleave.
        self.numbered = last_number(folder)

    def collect(self) -> list[Path]:
        messages = _sent_messages()
        written = []
        for message in messages[self.seen :]:
            email = to_email(message)
            self.numbered += 1
            path = self.folder / f"{self.numbered:04d}-{message.id}.eml"
            # The bytes SES was given: re-serialising would fold headers anew
            # (List-Unsubscribe's URIs into encoded words no client reads).
            path.write_bytes(_raw(message) or email.as_bytes())
            self.announce(f"mail: to={email['To']} subject={email['Subject']!r} file={path}")
            written.append(path)
        self.seen = len(messages)
        return written

    def run(self) -> None:
        while not self.stopped.wait(0.5):
            self.collect()
