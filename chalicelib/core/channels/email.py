"""E-mail: a notice as one mail per recipient, through the outbox.

Each mail's id is the notice's id and the recipient's place in the list, so
a notice handed over twice is sent once (the outbox sends each id once).
"""

import html

from chalicelib.core import outbox


def mail_id(notice_id: str, index: int) -> str:
    return f"{notice_id}-{index}"


def render(notice) -> tuple[str, str]:
    """(text, html) of a notice."""
    facts = [_fact(label, value) for label, value in notice.details]
    text = "\n\n".join([*notice.paragraphs, *facts, f"{notice.link_label}: {notice.link}"])
    text += "\n"
    body = "".join(f"<p>{html.escape(p)}</p>" for p in notice.paragraphs)
    body += "".join(
        f"<p>{html.escape(label)}:</p><pre>{html.escape(value)}</pre>"
        for label, value in notice.details
    )
    page = (
        f"<html><body><h2>{html.escape(notice.subject)}</h2>{body}"
        f'<p><a href="{html.escape(notice.link)}">{html.escape(notice.link_label)}</a></p>'
        "</body></html>"
    )
    return text, page


def _fact(label: str, value: str) -> str:
    """A detail in the text part: on its line, or quoted below when it has several."""
    if "\n" not in value:
        return f"{label}: {value}"
    return f"{label}:\n" + "\n".join(f"> {line}" for line in value.splitlines())


def send(channel: dict, notice, tag: str = "") -> None:
    """tag: the e-mail channel's id, so its mails' ids differ from the
    recipients' own (the same address in both gets both)."""
    text, page = render(notice)
    kind = "subscription" if notice.kind == "news" else f"monitor.{notice.kind}"
    base = f"{notice.id}-{tag}" if tag else notice.id
    outbox.enqueue(
        [
            outbox.Mail(
                to=address,
                subject=notice.subject,
                text=text,
                html=page,
                kind=kind,
                id=mail_id(base, index),
            )
            for index, address in enumerate(channel["recipients"])
        ]
    )
