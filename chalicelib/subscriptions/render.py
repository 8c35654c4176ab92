"""Rendering a notification: subject, text part and (for html) an HTML part.

The subject comes from a template (SUBSCRIPTIONS_SUBJECT, default
"$s Update Notification: $r": $s the system name, $r the resource) cut to
78 characters. Bodies are Jinja2 templates in chalicelib/templates; the
HTML one is autoescaped, so a record's hostile title or field stays text.
A line break in anything that reaches a header is refused, not cleaned up.
"""

import functools
import os
import string
from dataclasses import dataclass
from pathlib import Path

from chalicelib.core.values import printable
from chalicelib.subscriptions.feed import Record

DEFAULT_SUBJECT = "$s Update Notification: $r"
SUBJECT_LIMIT = 78
TEMPLATES = Path(__file__).parent / "templates"


class HeaderInjection(ValueError):
    pass


@dataclass
class Item:
    label: str  # "new" or "updated"
    record: Record

    @property
    def verb(self) -> str:
        return "created" if self.label == "new" else "modified"

    @property
    def when(self) -> str:
        moment = self.record.created_on if self.label == "new" else self.record.modified_on
        return moment.strftime("%Y-%m-%d %H:%M UTC")


def _one_line(value: str, what: str) -> str:
    # Any line separator (\u2028 and \x85 too) or control character could
    # split the header it reaches: refuse it rather than guess a clean-up.
    if value and not printable(value):
        raise HeaderInjection(f"line break or control character in {what}")
    return value


def subject(resource: str) -> str:
    system = _one_line(os.environ.get("SYSTEM_NAME", "Herald"), "the system name")
    template = _one_line(os.environ.get("SUBSCRIPTIONS_SUBJECT") or DEFAULT_SUBJECT, "template")
    text = string.Template(template).safe_substitute(s=system, r=_one_line(resource, "resource"))
    if len(text) > SUBJECT_LIMIT:
        text = text[: SUBJECT_LIMIT - 3] + "..."
    return text


@functools.cache
def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",)),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def counts(items: list[Item]) -> str:
    new = sum(1 for i in items if i.label == "new")
    parts = []
    if new:
        parts.append(f"{new} new record{'s' if new != 1 else ''}")
    if len(items) - new:
        updated = len(items) - new
        parts.append(f"{updated} updated record{'s' if updated != 1 else ''}")
    return " and ".join(parts).capitalize()


def notification(
    *,
    resource: str,
    recipient: str,
    since: str,
    items: list[Item],
    html: bool,
    truncated: bool = False,
    unsubscribe: str | None = None,
) -> tuple[str, str, str | None]:
    """(subject, text, html or None) for one recipient; unsubscribe: their
    signed one-click link, shown at the foot."""
    title = subject(resource)
    _one_line(recipient, "the recipient's name")
    context = {
        "subject": title,
        "system": os.environ.get("SYSTEM_NAME", "Herald"),
        "recipient": recipient,
        "resource": resource,
        "since": since.replace("T", " ")[:16] + " UTC",
        "counts": counts(items),
        "items": items,
        "truncated": truncated,
        "unsubscribe": unsubscribe,
    }
    environment = _environment()
    text = environment.get_template("notification.txt").render(context)
    page = environment.get_template("notification.html").render(context) if html else None
    return title, text, page
