"""`make run`'s console: the lines a person wants on the terminal, all in the log file.

Everything Herald prints under `make run` (the runner's threads, and the API
child's output, which the runner reads from a pipe) comes here a line at a
time. Every line is appended to .local/logs/herald.log as it came; the
terminal gets the `mail:`, `channel:` and receiver lines, warnings and errors
made readable, and a short line for the few events worth seeing (an alert
queued, a hook or a channel tried, a site job finished). With --verbose
(`make run V=1`) it also gets the other log records and the API's requests.
"""

import json
import re
import sys
import threading
from pathlib import Path

# chalice local's access log (BaseHTTPRequestHandler's format), e.g.
# 127.0.0.1 - - [03/Dec/2026 06:16:11] "GET /ping/55c4... HTTP/1.1" 200 -
ACCESS = re.compile(r'^\S+ - \S+ \[[^\]]*\] "(\S+) (\S+)(?: \S+)?" (\d{3}) \S+$')
# botocore's and urllib3's chatter: true, and of no use to whoever watches.
NOISE = (
    "Found credentials in ",
    "Found endpoint for ",
    "Connection pool is full, discarding connection",
)
# powertools' own keys, the same on every record: they would drown the rest.
STANDARD_KEYS = {
    "level",
    "location",
    "message",
    "timestamp",
    "service",
    "handler",
    "request_id",
    "xray_trace_id",
    "exception",
    "exception_name",
    "stack_trace",
}
# The original ping form's key, a secret, kept out of the terminal and the log file.
PING_KEY = re.compile(r"([?&]key=)[^&\s\"]+")
SHOWN_LEVELS = {"WARNING", "ERROR", "CRITICAL"}
LONGEST_VALUE = 120  # a value's characters on the terminal; the log file has it whole


def _value(value) -> str:
    if isinstance(value, (dict, list)):
        text = json.dumps(value, separators=(",", ":"), default=str)
    else:
        text = str(value)
        if not text or any(c.isspace() for c in text):
            text = repr(text)
    return text if len(text) <= LONGEST_VALUE else text[: LONGEST_VALUE - 3] + "..."


def readable(record: dict) -> str:
    """LEVEL message (key=value ...), and an error's traceback in full below it."""
    extra = " ".join(f"{k}={_value(v)}" for k, v in record.items() if k not in STANDARD_KEYS)
    line = f"{record['level']} {record['message']}" + (f" ({extra})" if extra else "")
    if record.get("exception"):
        line += "\n" + str(record["exception"])
    return line


def _run(run) -> str:
    # job.finished / job.failed carry runs.summary(): site, job, state, counts.
    if not isinstance(run, dict):
        return str(run)
    counts = run.get("counts") or {}
    done = ", ".join(
        f"{name} {n}" for name, n in counts.items() if isinstance(n, int) and n
    )  # the non-zero ones: listed 4, triggered 3, failed 1
    return f"{run.get('site')}/{run.get('job')} {run.get('id', '')}" + (
        f" ({done})" if done else ""
    )


def _subscriptions(record: dict) -> str | None:
    # Every five minutes, mostly "nothing due": only a cycle that queued
    # notifications is news.
    queued = record.get("queued") or 0
    return f"subscriptions: {queued} notification job(s) queued" if queued else None


# The INFO records shown without --verbose, each as one short line (the
# messages are chalicelib's own: grep logger.info there). mail.sent is not
# one: the mailbox prints its own `mail:` line for every message.
NOTABLE = {
    "monitor notice": lambda r: f"alert queued: {r.get('monitor')} {r.get('kind')}",
    "monitor notice muted: flapping": lambda r: f"alert muted (flapping): {r.get('monitor')}",
    "channel attempt": lambda r: (
        f"channel attempt: {r.get('channel_kind')} {r.get('status')} {r.get('code', '')}".rstrip()
    ),
    "hook attempt": lambda r: (
        f"hook attempt: {r.get('event_type')} ({r.get('source')}) #{r.get('attempt')} "
        f"{r.get('status')} {r.get('code', '')}".rstrip()
    ),
    "hook log_event": lambda r: f"hook log_event: {r.get('event_type')} ({r.get('source')})",
    "job.finished": lambda r: f"site run finished: {_run(r.get('run'))}",
    "subscriptions checked": _subscriptions,
}
# Errors with a line of their own in place of the record's dump.
NOTABLE_ERRORS = {"job.failed": lambda r: f"ERROR site run failed: {_run(r.get('run'))}"}


def _record(record: dict, verbose: bool) -> str | None:
    level, message = str(record["level"]), str(record["message"])
    if level in SHOWN_LEVELS:
        rewrite = NOTABLE_ERRORS.get(message)
        return rewrite(record) if rewrite and not record.get("exception") else readable(record)
    rewrite = NOTABLE.get(message)
    shown = rewrite(record) if rewrite else None
    if shown is None and verbose:
        shown = readable(record)
    return shown


def _access(match: re.Match, verbose: bool) -> str | None:
    method, path, status = match.groups()
    if not verbose and int(status) < 500:  # a server error is news; a request is not
        return None
    kind = "ping" if path == "/ping" or path.startswith(("/ping/", "/ping?")) else "api"
    return f"{kind}: {method} {path} {status}"


def route(line: str, verbose: bool = False) -> str | None:
    """What the terminal shows for one line of output: its text, or None for none."""
    if line.startswith("{"):
        try:
            data = json.loads(line)
        except ValueError:
            data = None
        if isinstance(data, dict):
            if "_aws" in data:  # an EMF metric blob: CloudWatch's input, not a person's
                return None
            if "level" in data and "message" in data:
                return _record(data, verbose)
    match = ACCESS.match(line)
    if match:
        return _access(match, verbose)
    if line.startswith(NOISE):
        return None
    return line


class Console:
    """A file-like object for sys.stdout and sys.stderr that routes whole lines."""

    def __init__(self, log_dir: Path, verbose: bool = False, terminal=sys.__stdout__):
        log_dir.mkdir(parents=True, exist_ok=True)
        self.path = log_dir / "herald.log"
        self.verbose = verbose
        self.terminal = terminal
        self._log = self.path.open("a", encoding="utf-8")
        self._lock = threading.Lock()
        # Per thread: print() writes its text and its newline in two calls, and
        # the workers print at the same time; one buffer would mix their lines.
        self._pieces: dict[int, str] = {}
        self._followers: list[threading.Thread] = []

    # ---- the file-like part -----------------------------------------------------

    def write(self, text: str) -> int:
        thread = threading.get_ident()
        *lines, rest = (self._pieces.pop(thread, "") + text).split("\n")
        if rest:
            self._pieces[thread] = rest
        for line in lines:
            self.line(line)
        return len(text)

    def flush(self) -> None:
        with self._lock:
            if not self._log.closed:
                self._log.flush()
            self.terminal.flush()

    @property
    def encoding(self) -> str:
        return "utf-8"  # what the log file is written in; some libraries ask

    def isatty(self) -> bool:
        return False  # colours and progress bars would reach the log file too

    # ---- lines --------------------------------------------------------------------

    def line(self, line: str) -> None:
        """One line of output: always to the log file, to the terminal as routed."""
        line = line.rstrip("\r")
        if "key=" in line and ACCESS.match(line):
            line = PING_KEY.sub(r"\1[hidden]", line)
        try:
            shown = route(line, self.verbose)
        except Exception:  # noqa: BLE001 - a line the router cannot read is shown as is
            shown = line
        with self._lock:
            if not self._log.closed:
                self._log.write(line + "\n")
                self._log.flush()  # a crash or kill -9 still leaves the file whole
            if shown is not None:
                self.terminal.write(shown + "\n")
                self.terminal.flush()

    def say(self, text: str) -> None:
        """The runner's own lines (the banner, "stopping Herald"): always shown."""
        with self._lock:
            if not self._log.closed:
                self._log.write(text + "\n")
                self._log.flush()
            self.terminal.write(text + "\n")
            self.terminal.flush()

    def follow(self, stream) -> threading.Thread:
        """Routes a child's output (a text pipe) line by line until it closes."""

        def read() -> None:
            for line in stream:
                self.line(line.rstrip("\n"))

        thread = threading.Thread(target=read, name="console", daemon=True)
        thread.start()
        self._followers.append(thread)
        return thread

    def close(self, seconds: float = 5) -> None:
        """Waits for the followed pipes' last lines, then closes the log file."""
        for thread in self._followers:
            thread.join(timeout=seconds)
        for thread in list(self._pieces):  # a last line without its newline
            self.line(self._pieces.pop(thread))
        with self._lock:
            self._log.close()
