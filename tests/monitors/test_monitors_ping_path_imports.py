"""The ping path stays light: no jinja2 or requests on a cold start, through either door."""

import ast
import subprocess
import sys

from herald import environment

HEAVY = (
    "jinja2",
    "requests",
    "chalicelib.monitors.wakeups",
    "chalicelib.dashboard.guard",
    "chalicelib.dashboard.render",
    "cron_descriptor",
)


def _loaded_after(code: str) -> str:
    """Which HEAVY modules a fresh interpreter holds after running code."""
    program = f"import sys; {code}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run(  # noqa: S603 - our own interpreter, a fixed program
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_the_ping_modules_import_neither_jinja2_nor_requests_nor_the_wake_ups_nor_the_dashboard():
    code = "import app; from chalicelib.monitors import ping_forms, pings, store, checker"
    assert _loaded_after(code) == ""


def test_the_ping_doors_cold_start_imports_nothing_heavy_either():
    """ping_door's cold start: app.py, the door's module, one request turned into
    the app's event and one 404 (no AWS needed for either), then the ping modules."""
    event = {"rawPath": "/ping/x", "requestContext": {"http": {"method": "GET"}}}
    code = (
        "import app; from chalicelib.core import function_url; "
        f"assert function_url.rest_event(app.app, {event!r}); "
        "assert function_url.handle(app.app, {'rawPath': '/nowhere'}, None)['statusCode'] == 404; "
        "from chalicelib.monitors import ping_forms, pings, store"
    )
    assert _loaded_after(code) == ""


def test_the_door_module_imports_the_standard_library_and_core_only():
    path = environment.ROOT / "chalicelib" / "core" / "function_url.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add(node.module)
    assert found == {"functools", "urllib.parse", "chalicelib.core"}
