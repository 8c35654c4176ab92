"""`make run` keeps its state: a save of one moto loaded into a fresh one."""

import json

import boto3
import pytest
from moto import mock_aws

from chalicelib.core import auth
from chalicelib.core import aws as clients
from herald.local import saved_state, stack


@pytest.fixture
def fresh_moto(aws_env):
    """A new, empty moto with the stack deployed, each time it is called."""
    contexts = []

    def start():
        if contexts:
            contexts.pop().stop()
        mock = mock_aws()
        mock.start()
        contexts.append(mock)
        clients.reset()
        stack.deploy("dev")
        return saved_state.stack_resources("dev")

    yield start
    for mock in contexts:
        mock.stop()
    clients.reset()


def _queue_url(name: str) -> str:
    return boto3.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]


def test_it_brings_back_keys_secrets_binary_values_and_queued_messages(fresh_moto, tmp_path):
    resources = fresh_moto()
    key = auth.create(label="ci")["key"]
    boto3.client("dynamodb").put_item(
        TableName="herald-dev-monitors",
        Item={"pk": {"S": "LOG#x"}, "sk": {"S": "1"}, "body_z": {"B": b"\x78\x9c\x00\xff"}},
    )
    boto3.client("ssm").put_parameter(
        Name="/herald/dev/channels/c1", Value='{"url": "https://hooks"}', Type="SecureString"
    )
    sqs = boto3.client("sqs")
    sqs.send_message(QueueUrl=_queue_url("herald-dev-wakeups"), MessageBody="due", DelaySeconds=60)
    sqs.send_message(QueueUrl=_queue_url("herald-dev-outbox"), MessageBody="mail")
    sqs.receive_message(QueueUrl=_queue_url("herald-dev-outbox"))  # in flight at the save
    path = tmp_path / "saved.json"
    saved_state.Saver(path, resources).save(clean=True)

    fresh_moto()
    assert auth.lookup(key) is None  # a new moto knows nothing
    restored = saved_state.restore(saved_state.read(path))

    assert auth.lookup(key) is not None
    item = boto3.client("dynamodb").get_item(
        TableName="herald-dev-monitors", Key={"pk": {"S": "LOG#x"}, "sk": {"S": "1"}}
    )["Item"]
    assert item["body_z"]["B"] == b"\x78\x9c\x00\xff"
    secret = boto3.client("ssm").get_parameter(Name="/herald/dev/channels/c1", WithDecryption=True)
    assert json.loads(secret["Parameter"]["Value"]) == {"url": "https://hooks"}
    assert restored["messages"] == 2 and restored["secrets"] == 1
    outbox = sqs.receive_message(QueueUrl=_queue_url("herald-dev-outbox"))["Messages"]
    assert [m["Body"] for m in outbox] == ["mail"]
    # The wake-up keeps its delay: it is not due yet.
    assert "Messages" not in sqs.receive_message(QueueUrl=_queue_url("herald-dev-wakeups"))
    wakeups = sqs.get_queue_attributes(
        QueueUrl=_queue_url("herald-dev-wakeups"),
        AttributeNames=["ApproximateNumberOfMessagesDelayed"],
    )
    assert wakeups["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"


def test_it_says_whether_the_last_run_stopped_cleanly(fresh_moto, tmp_path):
    resources = fresh_moto()
    path = tmp_path / "saved.json"
    saver = saved_state.Saver(path, resources)
    saver.save()  # what the runner does at start and every few seconds
    running = saved_state.describe(saved_state.read(path), saved_state.restore({}))
    assert "not stopped cleanly" in running
    saver.save(clean=True)  # after Ctrl-C, with nothing running any more
    stopped = saved_state.describe(saved_state.read(path), saved_state.restore({}))
    assert "(stopped cleanly)" in stopped


def test_it_leaves_the_last_save_whole_when_a_save_fails(fresh_moto, tmp_path, monkeypatch):
    resources = fresh_moto()
    path = tmp_path / "saved.json"
    auth.create(label="kept")
    saved_state.Saver(path, resources).save(clean=True)
    before = path.read_text()
    auth.create(label="lost")

    def crash(*_args):
        raise KeyboardInterrupt  # a kill between writing the new file and renaming it

    monkeypatch.setattr(saved_state.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        saved_state.Saver(path, resources).save()
    assert path.read_text() == before
