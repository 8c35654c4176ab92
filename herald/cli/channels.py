"""Command line: alert channels (Slack, Teams, PagerDuty, ...): create, list, test.

herald channels create KIND NAME -c key=value ...   (secrets are shown once, as hints after)
herald channels update ID [--name NAME] [-c key=value ...]   (the given settings replaced)
herald channels list | test ID | deliveries ID | enable ID | disable ID | delete ID
herald channels default ID [--off]   (told by every monitor that names no channels)
herald channels quiet ID --window JSON | --off;  herald channels critical ID [--off]
"""

import click

from herald.cli import base


@click.group("channels")
def channels() -> None:
    """Alert channels: create, update, list, test, deliveries, enable, disable, default,
    quiet, critical, delete."""


def _config(pairs: tuple[str, ...]) -> dict:
    config = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r}: use key=value", param_hint="--config")
        if key == "recipients":
            config.setdefault(key, []).append(value)
        elif value.isdigit() and key == "priority":
            config[key] = int(value)
        else:
            config[key] = value
    return config


def _show(view: dict) -> None:
    state = "enabled" if view["enabled"] else f"DISABLED ({view['disabled_reason'] or 'by hand'})"
    if view["default"]:
        state += ", default"
    if view.get("critical"):
        state += ", critical"
    if view.get("quiet_hours"):
        state += f", {len(view['quiet_hours'])} quiet window(s)"
    settings = ", ".join(f"{key}={value}" for key, value in sorted(view["config"].items()))
    click.echo(f"{view['id']}  {view['kind']:9} {view['name']:24} {state}  {settings}")


def _record(ctx: click.Context, channel_id: str) -> dict:
    base.target(ctx)
    from chalicelib.core.channels import store

    record = store.get(channel_id)
    if record is None:
        raise click.ClickException(f"no channel {channel_id!r}")
    return record


@channels.command("create")
@click.argument("kind")
@click.argument("name")
@click.option("-c", "--config", "pairs", multiple=True, help="A setting: url=..., topic=...")
@click.option("--default", is_flag=True, help="Told by every monitor that names no channels.")
@click.pass_context
def create(ctx: click.Context, kind: str, name: str, pairs: tuple[str, ...], default: bool):
    """A channel of KIND (email, slack, teams, discord, telegram, ntfy, pagerduty,
    opsgenie, sns, webhook) named NAME."""
    config = _config(pairs)
    base.target(ctx)
    from chalicelib.core.channels import store
    from chalicelib.core.errors import Invalid

    try:
        record = store.create(kind, name, config, default=default)
    except Invalid as error:
        raise click.ClickException(str(error)) from None
    view = store.view(record)
    _show(view)
    # A secret Herald made (a web-hook's signing secret) exists nowhere else
    # the user can read: this is their one chance to copy it to the receiver.
    for key, value in sorted(view.get("shown_once", {}).items()):
        click.echo(f"{key}: {value}")
        click.echo(f"(the {key} is shown only now; afterwards only its last four characters)")


@channels.command("update")
@click.argument("channel_id")
@click.option("--name", default=None, help="A new name.")
@click.option("-c", "--config", "pairs", multiple=True, help="A setting to replace: url=...")
@click.pass_context
def update(ctx: click.Context, channel_id: str, name: str | None, pairs: tuple[str, ...]):
    """Rename the channel or replace some of its settings (the others are kept)."""
    changes = {"config": _config(pairs)} if pairs else {}
    if name is not None:
        changes["name"] = name
    if not changes:
        raise click.UsageError("give --name or -c key=value (or both)")
    _patch(ctx, channel_id, changes)


@channels.command("list")
@click.pass_context
def list_(ctx: click.Context) -> None:
    """Every channel, secrets shown as hints only."""
    base.target(ctx)
    from chalicelib.core.channels import store

    for record in store.list_all():
        _show(store.view(record))


@channels.command("test")
@click.argument("channel_id")
@click.pass_context
def test(ctx: click.Context, channel_id: str) -> None:
    """Send a test message now and print the service's answer."""
    record = _record(ctx, channel_id)
    from chalicelib.core.channels import sending

    outcome = sending.test(record)
    code = f" {outcome.code}" if outcome.code is not None else ""
    click.echo(f"{outcome.status}{code} in {outcome.duration_ms} ms: {outcome.answer}")
    if not outcome.ok:
        raise SystemExit(1)


@channels.command("deliveries")
@click.argument("channel_id")
@click.pass_context
def deliveries(ctx: click.Context, channel_id: str) -> None:
    """The channel's attempts, newest first (kept 30 days)."""
    record = _record(ctx, channel_id)
    from chalicelib.core.channels import sending

    for entry in sending.deliveries(record["id"]):
        code = entry["code"] if entry["code"] is not None else "-"
        click.echo(
            f"{entry['time']}  {entry['status']:7} {code!s:4} {entry['duration_ms']:5} ms  "
            f"{entry['notice']}  {entry['answer'][:60]}"
        )


def _patch(ctx: click.Context, channel_id: str, changes: dict) -> None:
    _record(ctx, channel_id)
    from chalicelib.core.channels import store
    from chalicelib.core.errors import Invalid

    try:
        _show(store.view(store.update(channel_id, changes)))
    except Invalid as error:
        raise click.ClickException(str(error)) from None


@channels.command("quiet")
@click.argument("channel_id")
@base.window_options
@click.pass_context
def quiet(ctx: click.Context, channel_id: str, windows: tuple[str, ...], off: bool) -> None:
    """The channel's quiet hours: monitor notices held, one message at their end,
    e.g. --window '{"days": "mon-fri", "from": "22:00", "to": "07:00", "tz": "Europe/Paris"}'."""
    _patch(ctx, channel_id, {"quiet_hours": base.windows(windows, off)})


@channels.command("critical")
@click.argument("channel_id")
@click.option("--off", is_flag=True, help="No longer critical.")
@click.pass_context
def critical(ctx: click.Context, channel_id: str, off: bool) -> None:
    """Tell the channel at once, whatever quiet hours a monitor has (a pager)."""
    _patch(ctx, channel_id, {"critical": not off})


@channels.command("enable")
@click.argument("channel_id")
@click.pass_context
def enable(ctx: click.Context, channel_id: str) -> None:
    """Deliver to the channel again."""
    _patch(ctx, channel_id, {"enabled": True})


@channels.command("disable")
@click.argument("channel_id")
@click.pass_context
def disable(ctx: click.Context, channel_id: str) -> None:
    """Stop delivering to the channel (its settings are kept)."""
    _patch(ctx, channel_id, {"enabled": False})


@channels.command("default")
@click.argument("channel_id")
@click.option("--off", is_flag=True, help="No longer a default channel.")
@click.pass_context
def default_(ctx: click.Context, channel_id: str, off: bool) -> None:
    """Make the channel one of the deployment's defaults, told by every monitor
    that names no channels (or, with --off, no longer)."""
    _patch(ctx, channel_id, {"default": not off})


@channels.command("delete")
@click.argument("channel_id")
@click.pass_context
def delete(ctx: click.Context, channel_id: str) -> None:
    """Delete the channel and its secrets."""
    base.target(ctx)
    from chalicelib.core.channels import store

    if not store.delete(channel_id):
        raise click.ClickException(f"no channel {channel_id!r}")
    click.echo(f"{channel_id}: deleted")
