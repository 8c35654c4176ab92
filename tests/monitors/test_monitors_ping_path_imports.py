"""The ping path stays light: no jinja2 or requests on a cold start."""

import subprocess
import sys


def test_the_ping_modules_import_neither_jinja2_nor_requests_nor_the_wake_ups_nor_the_dashboard():
    heavy = (
        "jinja2",
        "requests",
        "chalicelib.monitors.wakeups",
        "chalicelib.dashboard.guard",
        "chalicelib.dashboard.render",
        "cron_descriptor",
    )
    code = (
        "import sys; import app; "
        "from chalicelib.monitors import ping_forms, pings, store, checker; "
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, a fixed program
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
