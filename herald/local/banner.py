"""What `make run` prints once it is up: where everything is, how to reach it."""

import shutil
from pathlib import Path

from herald import environment
from herald.environment import LOCAL_DIR, ROOT


def herald_command() -> str:
    """How to type `herald` from another terminal: bare only when PATH finds this one."""
    ours = ROOT / ".venv" / "bin" / "herald"
    found = shutil.which("herald")
    return "herald" if found and Path(found).resolve() == ours.resolve() else ".venv/bin/herald"


def started(api_url: str, endpoint: str, companions: list, standins, resumed: str) -> str:
    from herald.local.invoke import queue_handlers, schedules

    app = environment.import_app()
    herald = herald_command()
    return "\n".join(
        [
            f"Herald is running: {api_url}   (AWS on moto: {endpoint})",
            f"  state:     {resumed}",
            f"  schedules: {', '.join(f'{n} {e}' for n, e in schedules(app).items()) or 'none'}",
            f"  queues:    {', '.join(c.name for c in queue_handlers(app))}",
            f"  mail:      {LOCAL_DIR / 'mail'}",
            f"  logs:      {LOCAL_DIR / 'logs' / 'herald.log'}  (every line, metrics too; "
            "`make run V=1` shows all the log records and requests here)",
            f"  channels:  {standins.describe()}",
            *(f"  {c.name}: {c.url}" for c in companions),
            f"  from another terminal: `{herald} status`, `{herald} fire NAME`"
            + ("" if herald == "herald" else " (or `source .venv/bin/activate`, then `herald`)"),
            "  Ctrl-C stops everything; `make run` again resumes; `make reset` forgets it all.",
        ]
    )


def dashboard(api_url: str) -> str:
    """The dashboard's URL and a one-time sign-in link for a local admin account."""
    from herald.local import admin_account

    email, link = admin_account.sign_in_link()
    return (
        f"  dashboard: {api_url}/dashboard\n"
        f"  sign in:   {link}\n"
        f"             ({email}: works once, within 15 minutes; "
        f"`herald users link {email}` for another)"
    )
