"""From events.emit to a signed web-hook at a receiver: bus, rule, queue, worker."""

import io
import json

import pytest

from tests.helpers import free_port


@pytest.fixture
def receiver(local_mode, tmp_path):
    from herald.local.receiver import Receiver

    out = io.StringIO()
    server = Receiver(port=0, secrets_file=tmp_path / "secrets.json", out=out)
    server.start()
    server.output = out
    yield server
    server.stop()


def test_an_emitted_event_reaches_the_receiver_signed(receiver, make_hook, drain, tmp_path):
    from chalicelib.core import events
    from herald.local.receiver import remember_secret

    hook, secret = make_hook("monitor.*", arg=receiver.url + "/hook", service="backups")
    remember_secret(hook["id"], secret, tmp_path / "secrets.json")
    emitted = events.emit("monitor.down", "backups", {"name": "backups", "last_ping": None})
    events.emit("monitor.down", "another-monitor", {"name": "another-monitor"})
    assert emitted is not None
    drain()
    (got,) = receiver.received
    assert got["verified_by"] == hook["id"]
    assert got["path"] == "/hook"
    payload = json.loads(got["body"])
    assert payload["type"] == "monitor.down"
    assert payload["timestamp"] == emitted["time"]
    assert payload["data"] == {"name": "backups", "last_ping": None, "source": "backups"}
    printed = receiver.output.getvalue()
    assert "monitor.down" in printed and "signature verified" in printed


def test_the_receiver_says_when_a_signature_does_not_verify(receiver, make_hook, drain):
    from chalicelib.core import events

    make_hook("monitor.down", arg=receiver.url + "/hook")  # its secret is not given
    events.emit("monitor.down", "backups", {})
    drain()
    (got,) = receiver.received
    assert got["verified_by"] is None
    assert "signature NOT verified" in receiver.output.getvalue()


def test_the_companion_starts_and_stops(monkeypatch):
    from herald.local import receiver

    port = free_port()
    monkeypatch.setenv("HERALD_RECEIVER_PORT", str(port))
    companion = receiver.start({})
    try:
        assert companion.name == "receiver"
        assert companion.url == f"http://127.0.0.1:{port}"
        assert companion.env == {"HERALD_RECEIVER_URL": companion.url}
    finally:
        companion.stop()
