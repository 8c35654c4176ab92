"""E-mail: a notice as one mail per recipient, through the outbox.

Each mail's id is the notice's id and the recipient's place in the list, so
a notice handed over twice is sent once (the outbox sends each id once).

A monitor's notice (an alert, a reminder, a recovery) carries, per
recipient, a signed link that mutes that monitor's mail for that recipient
(chalicelib/core/mail/): in the text and HTML bodies and as the mail's
List-Unsubscribe (RFC 8058 one-click), and an X-Herald-Monitor header naming
the monitor. A recipient who used it is skipped here, and logged; a
subscription's news and a channel's test carry no mute link.
"""

import html

from chalicelib.core import outbox
from chalicelib.core.observability import logger

UNMUTABLE = {"news", "test"}
MUTE_LABEL = "Stop these alerts for you"
HEADER_LIMIT = 200


def mail_id(notice_id: str, index: int) -> str:
    return f"{notice_id}-{index}"


def render(notice, mute: str | None = None) -> tuple[str, str]:
    """(text, html) of a notice; mute: the recipient's mute link, shown last."""
    facts = [_fact(label, value) for label, value in notice.details]
    text = "\n\n".join([*notice.paragraphs, *facts, f"{notice.link_label}: {notice.link}"])
    text += f"\n\n{MUTE_LABEL}: {mute}\n" if mute else "\n"
    body = "".join(f"<p>{html.escape(p)}</p>" for p in notice.paragraphs)
    body += "".join(
        f"<p>{html.escape(label)}:</p><pre>{html.escape(value)}</pre>"
        for label, value in notice.details
    )
    if mute:
        footer = f'<p><small><a href="{html.escape(mute)}">{MUTE_LABEL}</a></small></p>'
    page = (
        f"<html><body><h2>{html.escape(notice.subject)}</h2>{body}"
        f'<p><a href="{html.escape(notice.link)}">{html.escape(notice.link_label)}</a></p>'
        f"{footer if mute else ''}</body></html>"
    )
    return text, page


def _fact(label: str, value: str) -> str:
    """A detail in the text part: on its line, or quoted below when it has several."""
    if "\n" not in value:
        return f"{label}: {value}"
    return f"{label}:\n" + "\n".join(f"> {line}" for line in value.splitlines())


def header_text(value: str) -> str:
    """value as one header line: whatever could break or smuggle a header
    (line breaks, control characters, lone surrogates) becomes a space."""
    value = value.encode("utf-8", "replace").decode("utf-8")
    return "".join(c if c.isprintable() else " " for c in value)[:HEADER_LIMIT].strip()


def send(channel: dict, notice, tag: str = "") -> None:
    """tag: the e-mail channel's id, so its mails' ids differ from the
    recipients' own (the same address in both gets both)."""
    kind = "subscription" if notice.kind == "news" else f"monitor.{notice.kind}"
    base = f"{notice.id}-{tag}" if tag else notice.id
    recipients = list(enumerate(channel["recipients"]))
    mutable = notice.kind not in UNMUTABLE
    if mutable:
        recipients = _unmuted(recipients, notice)
    mails = []
    for index, address in recipients:
        mute, headers = None, {}
        if mutable:
            mute, headers = _mute_link(address, notice.monitor)
            headers["X-Herald-Monitor"] = header_text(notice.monitor)
        text, page = render(notice, mute)
        mails.append(
            outbox.Mail(
                to=address,
                subject=notice.subject,
                text=text,
                html=page,
                headers=headers,
                kind=kind,
                id=mail_id(base, index),
            )
        )
    if mails:
        outbox.enqueue(mails)


def _mute_link(address: str, monitor: str) -> tuple[str | None, dict]:
    from chalicelib.core.mail import links

    headers = links.list_unsubscribe(links.MUTE, address, monitor)
    return links.url(links.MUTE, address, monitor), headers


def _unmuted(recipients: list[tuple[int, str]], notice) -> list[tuple[int, str]]:
    """The recipients who have not muted the monitor (their places kept: the ids stay)."""
    from chalicelib.core.mail import mutes

    muted = mutes.muted([address for _, address in recipients], notice.monitor)
    for _, address in recipients:
        if address.lower() in muted:
            logger.info("alert mail muted", extra={"to": address, "monitor": notice.monitor})
    return [(i, address) for i, address in recipients if address.lower() not in muted]
