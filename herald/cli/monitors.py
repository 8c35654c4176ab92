"""Command line: Heartbeat monitors: create, import, list, get, urls, flips, pause, resume,
snooze, rotate-key, delete; maintenance windows per tag."""

import json
import sys

import click

from herald.cli import base


@click.group("monitors")
def monitors() -> None:
    """Heartbeat monitors: create, import, list, get, urls, flips, pause, resume, snooze,
    rotate-key, delete; maintenance windows per tag."""


def _connect(ctx: click.Context) -> None:
    base.target(ctx)


def _found(ctx: click.Context, name: str) -> dict:
    _connect(ctx)
    from chalicelib.monitors import store as model

    item = model.get(name)
    if item is None:
        raise click.ClickException(f"no monitor named {name!r}")
    return item


def _base() -> str:
    from herald.target import ping_url

    return ping_url()


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
    from chalicelib.monitors import seed_config
    from chalicelib.monitors import store as model

    try:
        outcomes, notes = seed_config.import_config(document)
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
            f"deadline {view['next_deadline'] or '-':28} {view['schedule_text']}"
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


@monitors.command("snooze")
@click.argument("name")
@click.option("--for", "seconds", callback=base.seconds, help="How long: 30m, 2h, 1d.")
@click.option("--off", is_flag=True, help="Lift the snooze (what it held goes out now).")
@click.pass_context
def snooze(ctx: click.Context, name: str, seconds: int | None, off: bool) -> None:
    """Hold NAME's notices for a while, as quiet hours do: told when it ends."""
    if off == (seconds is not None):
        raise click.UsageError("give --for DURATION or --off")
    _connect(ctx)
    from chalicelib.core import clock
    from chalicelib.core.errors import Invalid
    from chalicelib.monitors import policy_routes

    try:
        until = None if off else policy_routes.until_of({"seconds": seconds}, clock.epoch())
        item = policy_routes.snooze(name, until)
    except Invalid as error:
        raise click.ClickException(str(error)) from None
    if item is None:
        raise click.ClickException(f"no monitor named {name!r}")
    click.echo(
        f"{name}: snoozed until {clock.iso(clock.from_epoch(until))}"
        if until
        else f"{name}: snooze lifted"
    )


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


def _flapping(ctx, param, value):
    """off, or CHANGES/WINDOW[/STABLE] (the durations as --grace takes them)."""
    if value is None or value == "off":
        return None if value is None else False
    parts = value.split("/")
    if not 2 <= len(parts) <= 3 or not parts[0].isdigit():
        raise click.BadParameter("off, or CHANGES/WINDOW[/STABLE] such as 10/1h/30m")
    found = {"changes": int(parts[0])}
    for key, text in zip(("window", "stable"), parts[1:], strict=False):
        found[key] = base.seconds(ctx, param, text)
    return found


@monitors.command("create")
@click.argument("name")
@click.option("--schedule", help='A cron expression: "0 2 * * 1-5", "*/15 * * * *", "@daily".')
@click.option("--tz", help="The cron schedule's IANA time zone (default UTC).")
@click.option("--timeout", callback=base.seconds, help="A simple schedule: the expected period.")
@click.option("--grace", callback=base.seconds, help="How late a ping may be (default 1h).")
@click.option("--max-sleep", callback=base.seconds, help="The seed's rule: longest silence.")
@click.option("--email-frequency", callback=base.seconds, help="Remind this often while down.")
@click.option("--max-runtime", callback=base.seconds, help="Alert when a run takes longer.")
@click.option("--email", "emails", multiple=True, help="A recipient (repeat for more).")
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for more).")
@click.option("--desc", help="A description.")
@click.option("--group", "group_key", help="A shared ping key's id (herald ping-keys list).")
@click.option("--failure-threshold", type=int, help="Failures (or missed pings) in a row.")
@click.option("--recovery-threshold", type=int, help="Successes in a row to recover.")
@click.option("--realert-limit", type=int, help="At most this many reminders per outage.")
@click.option("--depends-on", help="A parent monitor: while it is down this one tells nobody.")
@click.option("--flapping", callback=_flapping, help="off, or CHANGES/WINDOW[/STABLE]: 10/1h/1h.")
@click.option("--channel", "channels", multiple=True, help="An alert channel's id (repeat).")
@click.option("--no-channels", is_flag=True, help="Tell no channel (not even the defaults).")
@click.option("--default-channels", is_flag=True, help="Tell the default channels again.")
@click.pass_context
def create(ctx: click.Context, name: str, no_channels: bool, default_channels: bool, **options):
    """Create NAME, or change the given settings of NAME, and print its ping URLs.
    A monitor naming no --channel tells the deployment's default channels."""
    settings = {field: value for field, value in options.items() if value not in (None, ())}
    if no_channels + default_channels + bool(settings.get("channels")) > 1:
        raise click.UsageError("--channel, --no-channels and --default-channels exclude each other")
    if "emails" in settings:
        settings["recipients"] = list(settings.pop("emails"))
    for listed in ("tags", "channels"):
        if listed in settings:
            settings[listed] = list(settings[listed])
    if no_channels or default_channels:
        settings["channels"] = [] if no_channels else None
    _connect(ctx)
    from chalicelib.core.errors import Invalid
    from chalicelib.monitors import admin as monitor_admin
    from chalicelib.monitors import schedule
    from chalicelib.monitors import store as model

    if not {"schedule", "timeout", "max_sleep"} & set(settings) and model.get(name) is None:
        settings["schedule_kind"] = "simple"  # Healthchecks' defaults: a day, an hour's grace

    try:
        outcome, item = monitor_admin.upsert(name, settings, merge=True)
    except Invalid as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{name}: {outcome} ({schedule.describe(item)})")
    _print_urls(item, _base())


@monitors.command("get")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (as GET /monitors/NAME).")
@click.pass_context
def get(ctx: click.Context, name: str, as_json: bool) -> None:
    """NAME's state, and warnings about its mail (suppressed or muted addresses)."""
    item = _found(ctx, name)
    from chalicelib.monitors import mail_warnings, store

    view = {**store.view(item, None), **mail_warnings.shown(item)}
    if as_json:
        click.echo(json.dumps(view, indent=2, default=str))
        return
    head = f"{view['name']}: {view['status']}, last ping {view['last_ping'] or '-'}"
    click.echo("\n".join([head, *(f"  warning: {w}" for w in view["mail_warnings"])]))


@monitors.command("urls")
@click.argument("name")
@click.pass_context
def urls(ctx: click.Context, name: str) -> None:
    """Print NAME's ping URLs (all three forms)."""
    _print_urls(_found(ctx, name), _base())


@monitors.command("flips")
@click.argument("name")
@click.option("--days", type=int, default=30, show_default=True, help="How far back.")
@click.pass_context
def flips_(ctx: click.Context, name: str, days: int) -> None:
    """NAME's state changes (up, late, down, paused...) with their reasons."""
    item = _found(ctx, name)
    from chalicelib.core import clock
    from chalicelib.monitors import flips

    for entry in flips.entries(item, start=clock.epoch() - days * 86400):
        shown = flips.public(entry)
        click.echo(f"{shown['time']}  {shown['status']:7} {shown['reason']}")


@monitors.command("maintenance")
@click.argument("tag")
@base.window_options
@click.pass_context
def maintenance(ctx: click.Context, tag: str, windows: tuple[str, ...], off: bool) -> None:
    """Maintenance windows for every monitor tagged TAG, e.g. --window
    '{"days": "sun", "from": "02:00", "to": "04:00", "tz": "Europe/Berlin"}'."""
    parsed = base.windows(windows, off)
    _connect(ctx)
    from chalicelib.core.errors import Invalid
    from chalicelib.monitors import tag_windows

    try:
        stored = tag_windows.put(tag, parsed)
    except Invalid as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{tag}: {len(stored or [])} maintenance window(s)")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(monitors())
