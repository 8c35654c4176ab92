"""Command line: Heartbeat monitors: import, list, pause, resume, rotate-key, delete."""

import json
import sys

import click

from herald.cli import base


@click.group("monitors")
def monitors() -> None:
    """Heartbeat monitors: import, list, pause, resume, rotate-key, delete."""


def _connect(ctx: click.Context) -> None:
    base.target(ctx)


def _base() -> str:
    from chalicelib.core import settings

    return settings.public_url() or "https://<your API URL>"


@monitors.command("import")
@click.argument("config", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def import_(ctx: click.Context, config: str) -> None:
    """Create or update monitors from the original's CONFIG.json (never deletes)."""
    try:
        with open(config, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError) as error:
        raise click.ClickException(f"{config}: not a readable JSON file: {error}") from None
    _connect(ctx)
    from chalicelib.core.errors import Invalid
    from chalicelib.monitors import admin as monitor_admin
    from chalicelib.monitors import store as model

    try:
        outcomes, notes = monitor_admin.import_config(document)
    except Invalid as error:
        raise click.ClickException(f"{config}: {error} (nothing was changed)") from None
    for note in notes:
        click.echo(f"note: {note}", err=True)
    base = _base()
    for name, outcome in outcomes:
        click.echo(f"{name}: {outcome}")
        _print_urls(model.get(name), base)


def _print_urls(item: dict, base: str) -> None:
    from chalicelib.monitors import store as model

    for form, url in model.ping_urls(item, base).items():
        click.echo(f"  {form:9} {url}")


@monitors.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """List monitors with status, last ping and next deadline."""
    _connect(ctx)
    from chalicelib.monitors import store as model

    views = [model.view(item, None) for item in model.list_all()]
    views.sort(key=lambda view: view["name"])
    if as_json:
        click.echo(json.dumps(views, indent=2))
        return
    for view in views:
        click.echo(
            f"{view['name']:24} {view['status']:7} last ping {view['last_ping'] or '-':28} "
            f"deadline {view['next_deadline'] or '-'}"
        )


def _set_paused(ctx: click.Context, name: str, paused: bool) -> None:
    _connect(ctx)
    from chalicelib.monitors import admin as monitor_admin

    if monitor_admin.set_paused(name, paused) is None:
        raise click.ClickException(f"no monitor named {name!r}")
    click.echo(f"{name}: {'paused' if paused else 'resumed (alerts again after its next ping)'}")


@monitors.command("pause")
@click.argument("name")
@click.pass_context
def pause(ctx: click.Context, name: str) -> None:
    """Stop alerting for NAME (pings are still logged)."""
    _set_paused(ctx, name, True)


@monitors.command("resume")
@click.argument("name")
@click.pass_context
def resume(ctx: click.Context, name: str) -> None:
    """Alert for NAME again, from its next ping on."""
    _set_paused(ctx, name, False)


@monitors.command("rotate-key")
@click.argument("name")
@click.pass_context
def rotate_key(ctx: click.Context, name: str) -> None:
    """New ping URLs for NAME; the old ones stop working at once."""
    _connect(ctx)
    from chalicelib.monitors import admin as monitor_admin

    item = monitor_admin.rotate_key(name)
    if item is None:
        raise click.ClickException(f"no monitor named {name!r}")
    click.echo(f"{name}: new ping URLs (the old ones no longer work)")
    _print_urls(item, _base())


@monitors.command("delete")
@click.argument("name")
@click.pass_context
def delete(ctx: click.Context, name: str) -> None:
    """Delete NAME and its ping log."""
    _connect(ctx)
    from chalicelib.monitors import admin as monitor_admin

    if not monitor_admin.delete(name):
        raise click.ClickException(f"no monitor named {name!r}")
    click.echo(f"{name}: deleted")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(monitors())
