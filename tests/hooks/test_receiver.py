"""The local receiver: verifies with the secrets it is given, strict mode answers 401."""

import io

import requests


def test_the_strict_receiver_answers_401_to_an_unverified_delivery(tmp_path):
    from herald.local.receiver import Receiver

    receiver = Receiver(port=0, secrets_file=tmp_path / "none.json", out=io.StringIO(), strict=True)
    receiver.start()
    try:
        reply = requests.post(receiver.url + "/x", data=b"{}", timeout=5)
    finally:
        receiver.stop()
    assert reply.status_code == 401
    assert receiver.received[0]["verified_by"] is None


def test_it_reads_secrets_from_the_environment_and_the_file(tmp_path, monkeypatch):
    from herald.local import receiver

    path = tmp_path / "secrets.json"
    receiver.remember_secret("abc", "whsec_AAAA", path)
    receiver.remember_secret("def", "whsec_BBBB", path)
    monkeypatch.setenv("HERALD_RECEIVER_SECRETS", "whsec_CCCC, whsec_DDDD")
    assert receiver.known_secrets(path) == {
        "abc": "whsec_AAAA",
        "def": "whsec_BBBB",
        "env#0": "whsec_CCCC",
        "env#1": "whsec_DDDD",
    }
