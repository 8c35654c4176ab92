"""Rendering: escaping, the subject's limit, header injection refused."""

from datetime import UTC, datetime

import pytest

from chalicelib.subscriptions import render
from chalicelib.subscriptions.feed import Record

WHEN = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _items(fields=None, title="Flood"):
    record = Record("7", WHEN, WHEN, title, "https://example.org/i/7", fields or [])
    return [render.Item("new", record)]


def _render(items, *, html=True, resource="Incidents", recipient="Alice"):
    return render.notification(
        resource=resource,
        recipient=recipient,
        since="2026-11-02T09:00:00.000000Z",
        items=items,
        html=html,
    )


def test_it_escapes_hostile_values_in_html(monkeypatch):
    monkeypatch.setenv("SYSTEM_NAME", "Herald")
    _subject, text, html = _render(_items([("Note", HOSTILE)], title=HOSTILE))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert HOSTILE in text  # the text part shows what was sent, as text


def test_it_sends_a_text_part_always_and_html_only_when_asked():
    subject, text, html = _render(_items([("Severity", "high")]), html=False)
    assert html is None
    assert "[new] Flood" in text and "Severity: high" in text
    assert subject == "Herald Update Notification: Incidents"


def test_it_falls_back_to_a_plain_body_without_fields():
    _subject, text, html = _render(_items())
    assert "Record 7, created 2026-11-02 09:30 UTC." in text
    assert "Record 7, created 2026-11-02 09:30 UTC." in html


def test_it_cuts_the_subject_at_78_characters(monkeypatch):
    monkeypatch.setenv("SYSTEM_NAME", "Sahana Eden Disaster Management")
    subject = render.subject("Incident Reports for the Northern Region and Its Districts")
    assert len(subject) == 78
    assert subject.endswith("...")
    assert subject.startswith("Sahana Eden Disaster Management Update Notification: Incident")


def test_it_uses_a_configured_subject_template(monkeypatch):
    monkeypatch.setenv("SUBSCRIPTIONS_SUBJECT", "[$s] $r changed")
    assert render.subject("Shelters") == "[Herald] Shelters changed"


@pytest.mark.parametrize(
    ("variable", "value", "resource", "recipient"),
    [
        ("SYSTEM_NAME", "Herald\r\nBcc: victim@example.org", "Incidents", "Alice"),
        ("SUBSCRIPTIONS_SUBJECT", "$r\nBcc: victim@example.org", "Incidents", "Alice"),
        (None, None, "Incidents\nBcc: victim@example.org", "Alice"),
        (None, None, "Incidents", "Alice\rBcc: victim@example.org"),
        (None, None, "Incidents\u2028Bcc: victim@example.org", "Alice"),
        ("SYSTEM_NAME", "Herald\x85Bcc: victim@example.org", "Incidents", "Alice"),
    ],
)
def test_it_refuses_header_injection(monkeypatch, variable, value, resource, recipient):
    if variable:
        monkeypatch.setenv(variable, value)
    with pytest.raises(render.HeaderInjection):
        _render(_items(), resource=resource, recipient=recipient)


def test_the_text_part_shows_one_field_a_line():
    _subject, text, _html = _render(_items([("Severity", "high"), ("Where", "Bridge")]))
    assert "[new] Flood\n  https://example.org/i/7\n  Severity: high\n  Where: Bridge\n" in text
