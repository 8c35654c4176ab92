"""What `make run` keeps across restarts: tables, channel secrets, queued messages.

moto holds everything in memory, so a restart used to forget every monitor,
API key and hook. The runner saves the stack's state to .local/saved.json
every few seconds (and once more after a clean stop, when nothing is running
any more) and loads it into the freshly deployed stack at start:

- the stack's DynamoDB tables, item by item (unless DynamoDB Local holds them
  on disk by itself);
- SSM parameters under /herald/ (channel secrets);
- every message on the stack's queues, dead-letter queues included, read
  from moto's backend (it runs in the runner's process) so that delayed and
  in-flight messages are kept too. A message in flight at the save is sent
  again at start: Herald's queue handlers are safe to run twice.

A `kill -9` loses what changed since the last save, a few seconds at most;
the start says when that happened. The file is written whole and renamed into
place, so a crash mid-save leaves the previous save intact.
"""

import base64
import json
import os
import threading
import time
from pathlib import Path

import boto3

SAVE_EVERY = 2.0  # seconds between saves; a save that took long waits longer
SSM_PATH = "/herald/"


def saved_file(local_dir: Path) -> Path:
    return local_dir / "saved.json"


# ---- DynamoDB's typed values, as JSON (binary values as base64) ------------------


def _to_json(value):
    if isinstance(value, bytes):
        return {"$b64": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    return value


def _from_json(value):
    if isinstance(value, dict):
        if set(value) == {"$b64"}:
            return base64.b64decode(value["$b64"])
        return {k: _from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value


# ---- reading the running stack -------------------------------------------------


def stack_resources(stage: str) -> dict[str, list[str]]:
    """The stack's tables (names) and queues (URLs), from CloudFormation."""
    pages = (
        boto3.client("cloudformation")
        .get_paginator("list_stack_resources")
        .paginate(StackName=f"herald-{stage}")
    )
    found = {"tables": [], "queues": []}
    for resource in (r for page in pages for r in page["StackResourceSummaries"]):
        kind = {"AWS::DynamoDB::Table": "tables", "AWS::SQS::Queue": "queues"}.get(
            resource.get("ResourceType", "")
        )
        if kind:
            found[kind].append(resource["PhysicalResourceId"])
    return found


def _table_items(name: str) -> list[dict]:
    pages = boto3.client("dynamodb").get_paginator("scan").paginate(TableName=name)
    return [_to_json(item) for page in pages for item in page["Items"]]


def _parameters() -> list[dict]:
    pages = (
        boto3.client("ssm")
        .get_paginator("get_parameters_by_path")
        .paginate(Path=SSM_PATH, Recursive=True, WithDecryption=True)
    )
    return [
        {"Name": p["Name"], "Type": p["Type"], "Value": p["Value"]}
        for page in pages
        for p in page["Parameters"]
    ]


def _queue_messages(url: str) -> list[dict]:
    """Every message moto holds for the queue: visible, delayed and in flight."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sqs.models import sqs_backends

    region = boto3.session.Session().region_name
    queue = sqs_backends[DEFAULT_ACCOUNT_ID][region].queues.get(url.rsplit("/", 1)[-1])
    if queue is None:
        return []
    now_ms = time.time() * 1000
    return [
        {
            "body": message.body,
            "attributes": message.message_attributes,
            "delay": max(0, min(900, round((message.delayed_until - now_ms) / 1000))),
        }
        for message in list(queue._messages)  # noqa: SLF001 - moto keeps no public list
        if message.id not in queue.deleted_messages
    ]


def snapshot(resources: dict[str, list[str]], *, tables: bool = True) -> dict:
    return {
        "tables": {name: _table_items(name) for name in resources["tables"]} if tables else {},
        "parameters": _parameters(),
        "queues": {url.rsplit("/", 1)[-1]: _queue_messages(url) for url in resources["queues"]},
    }


# ---- the file ----------------------------------------------------------------------


def write(path: Path, state: dict, *, clean: bool, taken_at: float) -> None:
    """`taken_at` is when the snapshot began: a change after it may be missing from it."""
    saved = {
        **state,
        "saved_at": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(taken_at)),
        "taken_at": taken_at,
        "clean": clean,
    }
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(saved))
    os.replace(partial, path)


def read(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None


# ---- loading a save into a fresh stack ---------------------------------------------


def restore(saved: dict) -> dict[str, int]:
    """Writes a save into the freshly deployed stack; returns what it put back."""
    dynamodb = boto3.client("dynamodb")
    items = 0
    for name, table_items in saved.get("tables", {}).items():
        for start in range(0, len(table_items), 25):
            chunk = table_items[start : start + 25]
            batch = [{"PutRequest": {"Item": _from_json(item)}} for item in chunk]
            _write_batch(dynamodb, name, batch)
        items += len(table_items)
    ssm = boto3.client("ssm")
    for parameter in saved.get("parameters", []):
        ssm.put_parameter(**parameter, Overwrite=True)
    messages = sum(_send_all(name, kept) for name, kept in saved.get("queues", {}).items())
    return {"items": items, "secrets": len(saved.get("parameters", [])), "messages": messages}


def _write_batch(dynamodb, table: str, batch: list[dict]) -> None:
    pending = {table: batch}
    while pending:
        pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def _send_all(queue_name: str, messages: list[dict]) -> int:
    if not messages:
        return 0
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
    for message in messages:
        sqs.send_message(
            QueueUrl=url,
            MessageBody=message["body"],
            DelaySeconds=message["delay"],
            **({"MessageAttributes": message["attributes"]} if message["attributes"] else {}),
        )
    return len(messages)


def describe(saved: dict, restored: dict[str, int]) -> str:
    """The start's line about the state it resumed."""
    how = "stopped cleanly" if saved.get("clean") else "not stopped cleanly: later changes are lost"
    return (
        f"resumed the state saved at {saved['saved_at']} ({how}): "
        f"{restored['items']} table items, {restored['secrets']} channel secrets, "
        f"{restored['messages']} queued messages"
    )


class Saver:
    """Saves the running stack every few seconds, in a thread of the runner."""

    def __init__(self, path: Path, resources: dict[str, list[str]], *, tables: bool = True):
        self.path = path
        self.resources = resources
        self.tables = tables
        self.stopped = threading.Event()
        self._lock = threading.Lock()
        self._last = None

    def save(self, *, clean: bool = False) -> None:
        with self._lock:
            taken_at = time.time()
            state = snapshot(self.resources, tables=self.tables)
            if clean or state != self._last:
                write(self.path, state, clean=clean, taken_at=taken_at)
                self._last = state

    def run(self) -> None:
        wait = SAVE_EVERY
        while not self.stopped.wait(wait):
            started = time.monotonic()
            try:
                self.save()
            except Exception as error:  # moto going away at shutdown, a full disk...
                print(f"saving state failed: {error}", flush=True)
            wait = max(SAVE_EVERY, 2 * (time.monotonic() - started))
