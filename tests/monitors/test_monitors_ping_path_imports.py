"""The ping path stays light: no jinja2 or requests on a cold start."""

import subprocess
import sys


def test_the_ping_modules_import_neither_jinja2_nor_requests():
    code = (
        "import sys; import app; "
        "from chalicelib.monitors import ping_forms, pings, store, checker; "
        "print(','.join(m for m in ('jinja2', 'requests') if m in sys.modules))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, a fixed program
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_the_ping_modules_leave_the_wake_ups_unimported():
    code = (
        "import sys; import app; "
        "from chalicelib.monitors import ping_forms, pings, store, checker; "
        "print('chalicelib.monitors.wakeups' in sys.modules)"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, a fixed program
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
