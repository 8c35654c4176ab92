"""`make run`'s console: what reaches the terminal, and that the log file has it all.

The lines are the shapes a real `make run` printed (issue 16): powertools'
JSON records, EMF metric blobs, chalice local's access log, botocore's chatter.
"""

import io
import json
import subprocess
import sys
import time
import urllib.request

from herald.local.console import Console, route
from tests.herald.local_run import cli, start, stop, wait_for

EMF = (
    '{"_aws":{"Timestamp":1796278572542,"CloudWatchMetrics":[{"Namespace":"Herald/dev",'
    '"Dimensions":[["service"]],"Metrics":[{"Name":"ChannelDelivered","Unit":"Count"}]}]},'
    '"service":"herald","ChannelDelivered":[1.0]}'
)
MONITOR_NOTICE = (
    '{"level":"INFO","location":"_send:257","message":"monitor notice",'
    '"timestamp":"2026-12-03 06:16:11,939+0000","service":"herald","handler":"GET /ping/{a}/{b}",'
    '"request_id":"ce60ca01-0a06-4d10-a9e2-ca98e550ec26","monitor":"demo","kind":"fail"}'
)
SCHEDULE_FIRED = (
    '{"level":"INFO","location":"fire_logged:27","message":"schedule fired: check_monitors",'
    '"timestamp":"2026-12-03 06:16:48,732+0000","service":"herald"}'
)
MAIL_SENT = (
    '{"level":"INFO","location":"_announce:155","message":"mail.sent",'
    '"timestamp":"2026-12-03 06:17:13,787+0000","service":"herald",'
    '"mail_id":"mon-64aa93c5.20261203061608053770-1-0","kind":"monitor.down",'
    '"to":"pi-owner@example.com"}'
)
CHANNEL_ATTEMPT = (
    '{"level":"INFO","location":"send:52","message":"channel attempt",'
    '"timestamp":"2026-12-03 06:17:13,781+0000","service":"herald","channel_kind":"slack",'
    '"status":"sent","code":200}'
)
SITE_JOB_FAILED = (
    '{"level":"WARNING","location":"_failed:283","message":"site job failed",'
    '"timestamp":"2026-12-03 06:16:22,535+0000","service":"herald","handler":"SQSEvent",'
    '"request_id":"b9261606-6ad9-40e4-be73-0b88cc1cd484","run":"digest-sample-20261203T061622Z",'
    '"item":"example/broken","attempt":1,"error":"Internal Server Error (500 <127.0.0.1:8002>)"}'
)
JOB_FAILED = (
    '{"level":"ERROR","location":"report:259","message":"job.failed",'
    '"timestamp":"2026-12-03 06:16:53,495+0000","service":"herald","handler":"SQSEvent",'
    '"request_id":"853e2f9a","run":{"id":"digest-sample-20261203T061622Z","site":"sample",'
    '"job":"digest","period":"2026-12-03","state":"failed","counts":{"listed":4,"triggered":3,'
    '"skipped":0,"skipped_by_status":{},"failed":1,"duplicate":0}}}'
)
# As powertools' Logger.exception writes it (its exception, exception_name, stack_trace).
HOOK_RAISED = json.dumps(
    {
        "level": "ERROR",
        "location": "_run:159",
        "message": "hook raised",
        "timestamp": "2026-12-03 06:19:35,226+0000",
        "service": "herald",
        "hook": "9b7b154b36f37d9f",
        "arg": "boom",
        "exception": 'Traceback (most recent call last):\n  File "boom.py", line 2, in hook\n'
        "RuntimeError: boom",
        "exception_name": "RuntimeError",
        "stack_trace": {"type": "RuntimeError", "value": "boom", "frames": []},
    }
)
PING = '127.0.0.1 - - [03/Dec/2026 06:16:11] "GET /ping/55c4dfe9-4a01 HTTP/1.1" 200 -'
ORIGINAL_PING = (
    '127.0.0.1 - - [03/Dec/2026 06:16:11] "GET /ping?username=raspberry&key=K HTTP/1.1" 200 -'
)
HEALTH = '127.0.0.1 - - [03/Dec/2026 06:15:49] "GET /health HTTP/1.1" 200 -'
SERVER_ERROR = '127.0.0.1 - - [03/Dec/2026 06:16:12] "POST /monitors HTTP/1.1" 500 -'
MAIL = "mail: to=pi-owner@example.com subject='raspberry disconnection detected' file=/x/0001-a.eml"
RECEIVER = (
    "[receiver] POST /hook monitor.down webhook-id=msg_373d signature verified (bd9e99e1152fcbb8)"
)
NOISE = [
    "Found credentials in environment variables.",
    "Found endpoint for dynamodb via: environment_global.",
    "Connection pool is full, discarding connection: 127.0.0.1. Connection pool size: 10",
]


def _console(tmp_path, verbose=False):
    terminal = io.StringIO()
    return Console(tmp_path / "logs", verbose, terminal=terminal), terminal


def test_it_keeps_emf_metrics_in_the_file_only(tmp_path):
    console, terminal = _console(tmp_path, verbose=True)
    console.write(EMF + "\n")
    console.close()
    assert terminal.getvalue() == ""
    assert (tmp_path / "logs" / "herald.log").read_text() == EMF + "\n"


def test_it_hides_plain_info_records_unless_verbose(tmp_path):
    for line in (SCHEDULE_FIRED, MAIL_SENT):
        assert route(line) is None
    assert route(SCHEDULE_FIRED, verbose=True) == "INFO schedule fired: check_monitors"
    assert route(MAIL_SENT, verbose=True) == (
        "INFO mail.sent (mail_id=mon-64aa93c5.20261203061608053770-1-0 kind=monitor.down "
        "to=pi-owner@example.com)"
    )


def test_it_rewrites_notable_info_records_to_one_short_line(tmp_path):
    assert route(MONITOR_NOTICE) == "alert queued: demo fail"
    assert route(CHANNEL_ATTEMPT) == "channel attempt: slack sent 200"
    assert route(JOB_FAILED) == (
        "ERROR site run failed: sample/digest digest-sample-20261203T061622Z "
        "(listed 4, triggered 3, failed 1)"
    )


def test_it_shows_a_warning_readably(tmp_path):
    assert route(SITE_JOB_FAILED) == (
        "WARNING site job failed (run=digest-sample-20261203T061622Z item=example/broken "
        "attempt=1 error='Internal Server Error (500 <127.0.0.1:8002>)')"
    )


def test_it_shows_an_error_with_its_traceback(tmp_path):
    console, terminal = _console(tmp_path)
    console.write(HOOK_RAISED + "\n")
    console.close()
    assert terminal.getvalue() == (
        "ERROR hook raised (hook=9b7b154b36f37d9f arg=boom)\n"
        "Traceback (most recent call last):\n"
        '  File "boom.py", line 2, in hook\n'
        "RuntimeError: boom\n"
    )


def test_it_hides_requests_unless_verbose_and_then_rewrites_them(tmp_path):
    for line in (PING, ORIGINAL_PING, HEALTH):
        assert route(line) is None
    assert route(PING, verbose=True) == "ping: GET /ping/55c4dfe9-4a01 200"
    assert route(ORIGINAL_PING, verbose=True) == "ping: GET /ping?username=raspberry&key=K 200"
    assert route(HEALTH, verbose=True) == "api: GET /health 200"


def test_it_hides_the_original_pings_key_on_the_terminal_and_in_the_file(tmp_path):
    console, terminal = _console(tmp_path, verbose=True)
    console.write(ORIGINAL_PING + "\n")
    console.close()
    assert terminal.getvalue() == "ping: GET /ping?username=raspberry&key=[hidden] 200\n"
    logged = (tmp_path / "logs" / "herald.log").read_text()
    assert "key=[hidden]" in logged and "key=K" not in logged


def test_it_always_shows_a_server_error(tmp_path):
    assert route(SERVER_ERROR) == "api: POST /monitors 500"


def test_it_keeps_library_chatter_in_the_file_only(tmp_path):
    for line in NOISE:
        assert route(line, verbose=True) is None


def test_it_passes_mail_receiver_and_other_lines_as_they_are(tmp_path):
    for line in (MAIL, RECEIVER, '           {"data":{}}', "Serving on http://127.0.0.1:8000"):
        assert route(line) == line
    assert route("{not json") == "{not json"


def test_it_writes_every_line_to_the_log_file_in_pieces_and_from_a_pipe(tmp_path):
    lines = [EMF, MONITOR_NOTICE, SCHEDULE_FIRED, PING, SERVER_ERROR, *NOISE, MAIL, RECEIVER]
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "herald.log").write_text("last run\n")  # appended to, not replaced
    console, terminal = _console(tmp_path)
    for line in lines[:5]:
        console.write(line[:10])  # print() and logging hand over pieces
        console.write(line[10:] + "\n")
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdout.write(sys.stdin.read())"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    console.follow(child.stdout)
    child.stdin.write("\n".join(lines[5:]) + "\n")
    child.stdin.close()  # the child's output ends, the follower reads it to the end
    child.wait(timeout=10)
    console.say("stopping Herald")
    console.close()
    logged = (tmp_path / "logs" / "herald.log").read_text().splitlines()
    assert logged[0] == "last run"
    assert sorted(logged[1:]) == sorted([*lines, "stopping Herald"])
    assert terminal.getvalue().splitlines() == [
        "alert queued: demo fail",
        "api: POST /monitors 500",
        MAIL,
        RECEIVER,
        "stopping Herald",
    ]


def test_it_keeps_a_real_runs_metrics_off_the_console(run_env, tmp_path):
    output = tmp_path / "console.txt"
    runner = start(run_env, output)
    try:
        api = f"http://127.0.0.1:{run_env['HERALD_PORT']}"
        wait_for(f"{api}/health", runner)
        created = cli(run_env, "monitors", "create", "demo", "--timeout", "60", "--grace", "0")
        assert created.returncode == 0, created.stderr
        uuid_url = next(w for w in created.stdout.split() if "/ping/" in w)
        # A fail ping queues a notice and counts it: a log record and a metric.
        with urllib.request.urlopen(f"{uuid_url}/fail", timeout=10) as reply:
            assert reply.status == 200
        log_file = tmp_path / "local" / "logs" / "herald.log"
        wait_for_text(log_file, '"_aws"', runner)
    finally:
        stop(runner)
    console = output.read_text()
    assert "alert queued: demo fail" in console
    assert '"_aws"' not in console and '"level"' not in console
    assert "logs:      " in console and "stopping Herald" in console


def wait_for_text(path, text, runner, seconds=30):
    """Polls the log file until text is there; the pause also notices an early exit."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text():
            return
        try:
            runner.wait(timeout=0.2)
            raise AssertionError("the runner exited")
        except subprocess.TimeoutExpired:
            pass
    raise AssertionError(f"{text} not in {path} within {seconds} s")
