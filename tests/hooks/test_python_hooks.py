"""python and python_file hooks: code deployed in the bundle, loaded and run per event."""

import importlib
import json

import pytest


@pytest.fixture
def bundle(tmp_path, monkeypatch):
    """A hooks folder of the test's own: write(name, code) adds a module/file to it."""
    import chalicelib.bundled_hooks
    from chalicelib import python_hooks

    monkeypatch.setattr(python_hooks, "FOLDER", tmp_path)
    monkeypatch.setattr(chalicelib.bundled_hooks, "__path__", [str(tmp_path)])
    calls = tmp_path / "calls.jsonl"

    def write(name: str, code: str) -> None:
        (tmp_path / name).write_text(code.replace("CALLS", repr(str(calls))))
        importlib.invalidate_caches()

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
    from chalicelib import hook_delivery

    return hook_delivery.deliveries(hook_id)


def test_a_python_hook_gets_the_event(aws, bundle, make_hook, send_event, drain):
    bundle("recorder_a.py", RECORDER)
    make_hook("monitor.*", type_="python", arg="recorder_a")
    make_hook("monitor.down", type_="python", arg="chalicelib.bundled_hooks.recorder_a:other")
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
    from chalicelib import hooks

    bundle("vanishing.py", RECORDER)
    hook, _ = make_hook(type_="python", arg="vanishing:missing_function")
    send_event()
    drain()
    assert "no callable missing_function" in hooks.get(hook["id"])["disabled_reason"]


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
    from chalicelib import hooks

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
    from chalicelib import hooks, python_hooks

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

    from chalicelib import python_hooks

    before = signal.getsignal(signal.SIGALRM)
    assert python_hooks.call(lambda event: event["n"] + 1, {"n": 1}, 5) == 2
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before
