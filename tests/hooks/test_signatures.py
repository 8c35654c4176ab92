"""Signatures, checked with the standardwebhooks package (not Herald's own code)."""

import base64
import json
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

EVENT = {
    "id": "ev1",
    "type": "monitor.down",
    "source": "backups",
    "time": "2026-11-02T09:00:00.000000Z",
    "data": {"name": "backups", "status": "down"},
}


def test_a_secret_is_whsec_and_base64_of_32_bytes(make_hook):
    _hook, secret = make_hook()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret[len("whsec_") :])) == 32


def test_each_hook_gets_its_own_secret(make_hook):
    secrets = {make_hook(arg=f"https://h{i}.example/")[1] for i in range(3)}
    assert len(secrets) == 3


def test_a_delivery_verifies_with_the_secret_shown_at_creation(make_hook, clock):
    from chalicelib.hooks import webhooks

    hook, secret = make_hook()
    body = webhooks.body_for(EVENT)
    headers = webhooks.headers_for(hook, "msg_1", body)
    payload = Webhook(secret).verify(body, headers)
    assert payload == {
        "type": "monitor.down",
        "timestamp": "2026-11-02T09:00:00.000000Z",
        "data": {"name": "backups", "status": "down", "source": "backups"},
    }
    assert headers["webhook-id"] == "msg_1"
    nine = datetime(2026, 11, 2, 9, tzinfo=UTC)
    assert headers["webhook-timestamp"] == str(int(nine.timestamp()))
    assert headers["webhook-signature"].startswith("v1,")


def test_a_changed_body_or_another_secret_does_not_verify(make_hook):
    from chalicelib.hooks import webhooks

    hook, secret = make_hook()
    _other, other_secret = make_hook(arg="https://other.example/")
    body = webhooks.body_for(EVENT)
    headers = webhooks.headers_for(hook, "msg_1", body)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"down", b"up!!"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(other_secret).verify(body, headers)


def test_both_secrets_sign_during_a_rotation_then_only_the_new(make_hook, clock):
    from chalicelib.hooks import store as hooks
    from chalicelib.hooks import webhooks

    hook, old = make_hook()
    rotated, new = hooks.rotate_secret(hook["id"])
    body = webhooks.body_for(EVENT)
    headers = webhooks.headers_for(rotated, "msg_2", body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(body, headers)
    Webhook(new).verify(body, headers)
    clock.shift(hooks.ROTATION_WINDOW + 1)
    headers = webhooks.headers_for(hooks.get(hook["id"]), "msg_2", body)
    assert len(headers["webhook-signature"].split(" ")) == 1
    Webhook(new).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(body, headers)


def test_the_secret_depends_on_the_deployment_key(make_hook, monkeypatch):
    from chalicelib.hooks import webhooks

    hook, secret = make_hook()
    monkeypatch.setenv("HERALD_SECRET_KEY", "another deployment")
    body = webhooks.body_for(EVENT)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, webhooks.headers_for(hook, "msg_3", body))


def test_the_body_is_compact_json(make_hook):
    from chalicelib.hooks import webhooks

    body = webhooks.body_for(EVENT)
    assert json.loads(body)["type"] == "monitor.down"
    assert b" " not in body
