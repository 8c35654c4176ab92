"""`herald hook create | delete | list` as in the seed."""

import json

import pytest
from click.testing import CliRunner


@pytest.fixture
def herald(aws, resolver):
    from herald.cli import main

    runner = CliRunner()

    def run(*args):
        result = runner.invoke(main, ["--stage", "dev", "hook", *args], catch_exceptions=False)
        return result

    return run


def test_create_prints_the_hook_and_its_secret_once(herald):
    result = herald(
        "create", "-n", "monitor.down", "-s", "backups", "-t", "webhook", "https://hooks.example/in"
    )
    assert result.exit_code == 0, result.output
    assert "monitor.down (backups) webhook https://hooks.example/in" in result.stdout
    assert "temporary until" in result.stdout
    assert any(line.startswith("whsec_") for line in result.stdout.splitlines())
    listed = herald("list").stdout
    assert "whsec_" not in listed and "https://hooks.example/in" in listed


def test_create_persistent_and_with_a_ttl(herald):
    assert herald("create", "-n", "job.*", "-t", "python", "-P", "log_event").exit_code == 0
    assert (
        herald(
            "create", "-n", "mail.*", "-t", "python_file", "--ttl", "2h", "log_event.py"
        ).exit_code
        == 0
    )
    listed = json.loads(herald("list", "-O", "json").stdout)
    by_node = {h["node"]: h for h in listed}
    assert by_node["job.*"]["persistent"] is True and by_node["job.*"]["expires"] is None
    assert by_node["mail.*"]["persistent"] is False and by_node["mail.*"]["expires"]


def test_create_refuses_python_code_with_the_reason(herald):
    result = herald("create", "-n", "monitor.down", "-t", "python_code", "print(1)")
    assert result.exit_code != 0
    assert "python_code hooks are refused" in result.output


def test_list_json_is_valid_json_with_the_seed_fields(herald):
    assert json.loads(herald("list", "-O", "json").stdout) == []
    herald("create", "-n", "monitor.down", "-t", "webhook", "https://hooks.example/in")
    (shown,) = json.loads(herald("list", "-O", "json").stdout)
    assert {"service", "node", "type", "arg", "persistent", "expires"} <= set(shown)


def test_delete_with_empty_values_removes_all_and_prints_the_count(herald):
    herald("create", "-n", "monitor.down", "-t", "webhook", "https://a.example/")
    herald("create", "-n", "monitor.up", "-t", "webhook", "https://a.example/")
    herald("create", "-n", "monitor.up", "-t", "python", "log_event")
    assert herald("delete", "-n", "monitor.up", "-t", "python").stdout == "1 hook deleted\n"
    assert herald("delete", "-t", "", "-a", "").stdout == "2 hooks deleted\n"
    assert herald("delete").stdout == "0 hooks deleted\n"
    assert json.loads(herald("list", "-O", "json").stdout) == []


def test_delete_by_type_and_arg_as_in_the_seed(herald):
    herald("create", "-n", "monitor.down", "-t", "python_file", "log_event.py")
    herald("create", "-n", "monitor.down", "-t", "webhook", "https://a.example/")
    result = herald("delete", "-n", "monitor.down", "-t", "python_file", "--arg", "log_event.py")
    assert result.stdout == "1 hook deleted\n"


def test_a_local_create_hands_the_secret_to_the_receiver(aws, resolver, monkeypatch, tmp_path):
    from herald.cli import base as cli
    from herald.local import receiver
    from herald.target import Target

    monkeypatch.setattr(cli, "target", lambda ctx: Target(stage="dev", local=True))
    monkeypatch.setattr(receiver, "SECRETS_FILE", tmp_path / "receiver-secrets.json")
    result = CliRunner().invoke(
        cli.main, ["hook", "create", "-n", "monitor.down", "-t", "webhook", "https://a.example/"]
    )
    secret = next(line for line in result.stdout.splitlines() if line.startswith("whsec_"))
    assert secret in receiver.known_secrets(tmp_path / "receiver-secrets.json").values()
    assert (tmp_path / "receiver-secrets.json").stat().st_mode & 0o077 == 0


def test_deliveries_lists_the_attempts(herald, aws):
    from chalicelib.hooks import delivery as hook_delivery
    from chalicelib.hooks import store as hooks
    from chalicelib.hooks import webhooks

    hook, _ = hooks.create("monitor.down", "webhook", "https://a.example/", persistent=True)
    message = {
        "delivery_id": "msg_1",
        "attempt": 1,
        "event": {"id": "e1", "type": "monitor.down", "source": "backups", "time": "t"},
    }
    hook_delivery.record(hook["id"], message, webhooks.Outcome("failed", 503), "retrying", None)
    result = herald("deliveries", hook["id"])
    assert "monitor.down" in result.stdout and "retrying" in result.stdout
    assert "503" in result.stdout
    assert json.loads(herald("deliveries", hook["id"], "-O", "json").stdout)[0]["code"] == 503
    assert herald("deliveries", "ffff").exit_code != 0
