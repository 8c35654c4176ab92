"""The house rules of the layout: where code lives, how big it may grow."""

import ast
from pathlib import Path

from herald import environment

ROOT = environment.ROOT
CAPABILITIES = {"core", "monitors", "sites", "subscriptions", "hooks"}
# The dashboard shows every capability: it may read them all, none may import it.
VIEWS = {"dashboard"}


def _modules():
    return sorted((ROOT / "chalicelib").rglob("*.py"))


def test_chalicelib_holds_core_and_the_capability_packages_only():
    entries = {p.name for p in (ROOT / "chalicelib").iterdir() if p.name != "__pycache__"}
    assert entries == CAPABILITIES | VIEWS | {"__init__.py"}


def test_no_module_is_over_300_lines_and_app_py_is_a_table_of_contents():
    long = {
        str(p.relative_to(ROOT)): n
        for p in _modules()
        if (n := len(p.read_text().splitlines())) > 300
    }
    assert long == {}
    assert len((ROOT / "app.py").read_text().splitlines()) < 125


def test_capability_packages_reach_each_other_only_through_core():
    """A capability may import core and itself; core imports no capability;
    the dashboard may import any of them."""
    crossing = []
    for path in _modules():
        package = path.relative_to(ROOT / "chalicelib").parts[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("chalicelib."):
                other = node.module.split(".")[1]
                allowed = {"core"} if package == "core" else {"core", package}
                if package in VIEWS:
                    allowed = CAPABILITIES | {package}
                if other not in allowed:
                    crossing.append(f"{path.relative_to(ROOT)} imports {node.module}")
    assert crossing == []


def test_http_replies_are_built_in_one_place():
    """Only core/http.py (and the pages that serve HTML) construct a chalice Response."""
    builders = {
        str(p.relative_to(ROOT))
        for p in _modules()
        if "Response(" in p.read_text() and p.name != "http.py"
    }
    # Ping replies are the original's plain text, not JSON.
    assert builders <= {
        "chalicelib/monitors/ping_forms.py",
        "chalicelib/monitors/testing_page.py",
        "chalicelib/dashboard/render.py",  # HTML, assets, redirects
        "chalicelib/dashboard/badges.py",  # SVG badges
        "chalicelib/core/mail/pages.py",  # the pages behind the links in mails
    }


def test_sqs_is_sent_to_in_one_place():
    senders = {
        str(p.relative_to(ROOT))
        for p in [*_modules(), ROOT / "app.py"]
        if "send_message_batch" in p.read_text()
    }
    assert senders == {"chalicelib/core/sqs.py"}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_outgoing_http_goes_through_the_one_client():
    callers = {
        str(p.relative_to(ROOT))
        for p in _modules()
        if _imports(p) & {"requests", "urllib3", "http", "socket", "urllib"} - {"urllib"}
    }
    assert callers == {"chalicelib/core/outgoing.py", "chalicelib/core/ssrf.py"}


def test_local_mode_is_read_in_one_place():
    readers = {str(p.relative_to(ROOT)) for p in _modules() if "HERALD_LOCAL" in p.read_text()}
    assert readers == {"chalicelib/core/settings.py"}
