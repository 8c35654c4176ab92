"""python and python_file hooks: code deployed in the bundle, loaded and run per event."""

import importlib
import json
import sys

import pytest


@pytest.fixture
def bundle(tmp_path, monkeypatch):
    """A hooks folder of the test's own: write(name, code) adds a module/file to it."""
    import chalicelib.hooks.bundled
    from chalicelib.hooks import python_hooks

    monkeypatch.setattr(python_hooks, "FOLDER", tmp_path)
    monkeypatch.setattr(chalicelib.hooks.bundled, "__path__", [str(tmp_path)])
    calls = tmp_path / "calls.jsonl"

    def write(name: str, code: str) -> None:
        (tmp_path / name).write_text(code.replace("CALLS", repr(str(calls))))
        importlib.invalidate_caches()
        # A changed bundle is a new deployment: a new process imports it afresh.
        sys.modules.pop(f"{python_hooks.PACKAGE}.{name.removesuffix('.py')}", None)

    def called() -> list[dict]:
        return (
            [json.loads(line) for line in calls.read_text().splitlines()] if calls.exists() else []
        )

    write.called = called
    return write


RECORDER = """
import json

def hook(event):
    with open(CALLS, "a") as out:
        out.write(json.dumps(event) + "\\n")

def other(event):
    hook({**event, "via": "other"})
"""


def deliveries(hook_id):
    from chalicelib.hooks import delivery as hook_delivery

    return hook_delivery.deliveries(hook_id)


def test_a_python_hook_gets_the_event(aws, bundle, make_hook, send_event, drain):
    bundle("recorder_a.py", RECORDER)
    make_hook("monitor.*", type_="python", arg="recorder_a")
    make_hook("monitor.down", type_="python", arg="chalicelib.hooks.bundled.recorder_a:other")
    event = send_event("monitor.down", "backups", {"name": "backups"})
    drain()
    called = sorted(bundle.called(), key=lambda e: e.get("via", ""))
    assert [e.get("via") for e in called] == [None, "other"]
    assert called[0] == event


def test_a_python_file_hook_gets_the_event(aws, bundle, make_hook, send_event, drain):
    bundle("recorder_b.py", RECORDER)
    hook, _ = make_hook(type_="python_file", arg="recorder_b.py")
    send_event()
    drain()
    assert len(bundle.called()) == 1
    assert deliveries(hook["id"])[0]["status"] == "success"


def test_the_shipped_example_hook_runs(aws, make_hook, send_event, drain):
    python, _ = make_hook(type_="python", arg="log_event")
    python_file, _ = make_hook(type_="python_file", arg="log_event.py")
    send_event()
    drain()
    assert deliveries(python["id"])[0]["status"] == "success"
    assert deliveries(python_file["id"])[0]["status"] == "success"


@pytest.mark.parametrize(
    "broken, reason",
    [
        (None, "no longer in the bundle"),
        ("def hook(event) oops\n", "SyntaxError"),
        ("x = 1\n", "defines no callable hook(event)"),
        ("raise ImportError('needs a package that is not there')\n", "ImportError"),
    ],
)
def test_a_hook_that_fails_to_load_is_disabled_and_says_why(
    client, api_key, bundle, make_hook, send_event, drain, tmp_path, broken, reason
):
    bundle("fragile.py", RECORDER)
    hook, _ = make_hook(type_="python_file", arg="fragile.py")
    if broken is None:
        (tmp_path / "fragile.py").unlink()
    else:
        bundle("fragile.py", broken)
    send_event()
    drain()
    listed = json.loads(client.http.get("/hooks", headers=api_key).body)["hooks"]
    assert listed[0]["enabled"] is False
    assert "failed to load" in listed[0]["disabled_reason"]
    assert reason in listed[0]["disabled_reason"]
    assert deliveries(hook["id"])[0]["status"] == "disabled"


def test_a_python_module_that_fails_to_load_is_disabled(aws, bundle, make_hook, send_event, drain):
    from chalicelib.hooks import store as hooks

    bundle("vanishing.py", RECORDER)
    hook, _ = make_hook(type_="python", arg="vanishing:other")
    bundle("vanishing.py", RECORDER.replace("def other", "def renamed"))
    send_event()
    drain()
    assert "no callable other" in hooks.get(hook["id"])["disabled_reason"]
    assert bundle.called() == []


def post_hook(client, api_key, arg):
    return client.http.post(
        "/hooks",
        headers={**api_key, "Content-Type": "application/json"},
        body=json.dumps({"node": "monitor.down", "type": "python", "arg": arg}),
    )


@pytest.mark.parametrize(
    "arg, words",
    [
        ("log_event:logger", "defines no callable logger"),  # an object, not a function
        ("log_event:__class__", "private name"),
        ("log_event:__getattribute__", "private name"),
        ("log_event:_private", "defines no callable _private"),
        ("log_event:no_such_function", "defines no callable no_such_function"),
    ],
)
def test_create_refuses_anything_but_a_public_function_of_the_module(client, api_key, arg, words):
    reply = post_hook(client, api_key, arg)
    assert reply.status_code == 400, reply.body
    assert words in json.loads(reply.body)["Message"]
    assert json.loads(client.http.get("/hooks", headers=api_key).body)["hooks"] == []


IMPORTER = """
import json
from json import dumps

def hook(event):
    pass

def _helper(event):
    pass

class Hook:
    pass
"""


@pytest.mark.parametrize(
    "arg, words",
    [
        ("importer:dumps", "not a function defined in that module"),
        ("importer:json", "defines no callable json"),
        ("importer:_helper", "private name"),
        ("importer:Hook", "not a function defined in that module"),
    ],
)
def test_create_refuses_imported_private_and_class_names(client, api_key, bundle, arg, words):
    bundle("importer.py", IMPORTER)
    reply = post_hook(client, api_key, arg)
    assert reply.status_code == 400, reply.body
    assert words in json.loads(reply.body)["Message"]


@pytest.mark.parametrize("arg", ["log_event", "log_event:hook"])
def test_create_accepts_the_modules_own_hook_function(client, api_key, arg):
    reply = post_hook(client, api_key, arg)
    assert reply.status_code == 201, reply.body
    assert json.loads(reply.body)["arg"] == "log_event"


def test_a_hook_that_stops_being_a_public_function_is_disabled_at_load(
    aws, bundle, make_hook, send_event, drain
):
    from chalicelib.hooks import store as hooks

    bundle("turncoat.py", RECORDER)
    hook, _ = make_hook(type_="python", arg="turncoat:other")
    bundle("turncoat.py", "from json import dumps as other\n")
    send_event()
    drain()
    stored = hooks.get(hook["id"])
    assert stored["enabled"] is False
    assert "not a function defined in that module" in stored["disabled_reason"]
    assert deliveries(hook["id"])[0]["status"] == "disabled"


FLAKY = """
import json, os

def hook(event):
    with open(CALLS, "a") as out:
        out.write(json.dumps(event) + "\\n")
    if sum(1 for _ in open(CALLS)) == 1:
        raise RuntimeError("the first call fails")
"""


def test_a_hook_that_raises_is_logged_retried_and_kept(
    aws, bundle, make_hook, send_event, drain, clock
):
    from chalicelib.hooks import store as hooks

    bundle("flaky.py", FLAKY)
    hook, _ = make_hook(type_="python", arg="flaky")
    send_event()
    drain()
    (first,) = deliveries(hook["id"])
    assert first["status"] == "retrying"
    assert first["error"] == "RuntimeError: the first call fails"
    assert hooks.get(hook["id"])["enabled"] is True
    clock.shift(60)
    drain()
    assert [d["status"] for d in deliveries(hook["id"])] == ["success", "retrying"]
    assert len(bundle.called()) == 2


STUCK = """
import threading

def hook(event):
    try:
        threading.Event().wait(30)
    except Exception:
        pass  # a hook that swallows errors must still be stopped
    raise AssertionError("not stopped at its deadline")
"""


def test_a_hook_past_its_deadline_is_stopped_and_retried(
    aws, bundle, make_hook, send_event, drain, monkeypatch
):
    from chalicelib.hooks import python_hooks
    from chalicelib.hooks import store as hooks

    monkeypatch.setattr(python_hooks, "TIMEOUT", 0.2)
    bundle("stuck.py", STUCK)
    hook, _ = make_hook(type_="python_file", arg="stuck.py")
    send_event()
    drain()
    (first,) = deliveries(hook["id"])
    assert first["status"] == "retrying"
    assert first["error"] == "Overrun: still running after 0.2 s: stopped"
    assert hooks.get(hook["id"])["enabled"] is True


def test_the_deadline_leaves_no_alarm_behind(aws):
    import signal

    from chalicelib.hooks import python_hooks

    before = signal.getsignal(signal.SIGALRM)
    assert python_hooks.call(lambda event: event["n"] + 1, {"n": 1}, 5) == 2
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before
