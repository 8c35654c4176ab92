"""`herald mail bounce`: what SES would report for a captured mail, locally.

The event and its publishing live in chalicelib/core/mail/local_events.py,
which the dashboard's "Simulate a bounce" button uses too: one way a
simulated event travels (SNS on moto, then the mail-events queue and its
handler, as on AWS). This module finds the captured mail a command names.
"""

from pathlib import Path


def event(recipient: str, mail_id: str, *, kind: str = "bounce") -> dict:
    from chalicelib.core.mail import local_events

    return local_events.event(recipient, mail_id, kind=kind)


def publish(record: dict) -> str:
    from chalicelib.core.mail import local_events

    return local_events.publish(record)


def captured(reference: str, folder: Path) -> tuple[str, str]:
    """(recipient, Herald mail id) of a captured mail: a file, or its number
    or SES id as in the file's name (0003, 0003-abc...)."""
    path = Path(reference)
    if not path.is_file():
        matches = sorted(folder.glob(f"*{reference}*.eml")) if reference else []
        matches = [m for m in matches if m.name.startswith(reference) or reference in m.stem]
        if len(matches) != 1:
            found = "no" if not matches else f"{len(matches)}"
            raise ValueError(f"{found} captured mail matches {reference!r} in {folder}")
        path = matches[0]
    from chalicelib.core.mail import local_events

    try:
        return local_events.of_message(path.read_bytes())
    except ValueError:
        raise ValueError(f"{path} has no To or no Herald Message-ID") from None
