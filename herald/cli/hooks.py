"""Command line: Hooks that run on Herald's events.

herald hook create -n NODE [-s SERVICE] -t TYPE [-P/--persistent] [--ttl 2h] ARG
herald hook delete [-n NODE] [-t TYPE] [-a ARG]     (empty values match all)
herald hook list [-O json]
herald hook rotate HOOK_ID | enable HOOK_ID | deliveries HOOK_ID [-O json]
"""

import json

import click

from herald.cli import base


def _target(ctx):
    return base.target(ctx)


@click.group("hook")
def hook() -> None:
    """Hooks that run on Herald's events."""


@hook.command("create")
@click.option("-n", "--node", required=True, help="Event type or pattern (monitor.down, job.*).")
@click.option("-s", "--service", default=None, help="Only events from this source.")
@click.option(
    "-t",
    "--type",
    "type_",
    required=True,
    type=click.Choice(["webhook", "python", "python_file", "python_code"]),
    help="webhook (ARG: URL), python (ARG: module[:function]), python_file (ARG: file.py).",
)
@click.option("-P", "--persistent", is_flag=True, help="Keep the hook until deleted.")
@click.option("--ttl", callback=base.seconds, help="Life of a temporary hook (default 24h).")
@click.argument("arg")
@click.pass_context
def create(ctx, node, service, type_, persistent, ttl, arg) -> None:
    """Create a hook on NODE running ARG; temporary (24 h) unless --persistent."""
    where = _target(ctx)
    from chalicelib.core import errors
    from chalicelib.hooks import store as hooks

    try:
        created, secret = hooks.create(
            node, type_, arg, service=service, persistent=persistent, ttl=ttl
        )
    except errors.HeraldError as error:
        raise click.ClickException(str(error)) from None
    shown = hooks.public(created)
    click.echo(f"created hook {shown['id']}: {_describe(shown)}")
    if secret:
        click.echo(secret)
        click.echo("the signing secret above is shown once: store it now.", err=True)
        _share_with_receiver(where, shown["id"], secret)


def _share_with_receiver(where, hook_id: str, secret: str) -> None:
    if where.local:
        from herald.local import receiver

        receiver.remember_secret(hook_id, secret)
        click.echo(f"(also written to {receiver.SECRETS_FILE} for the local receiver)", err=True)


@hook.command("delete")
@click.option("-n", "--node", default="", help="Only hooks on this node (empty: any).")
@click.option("-t", "--type", "type_", default="", help="Only hooks of this type (empty: any).")
@click.option("-a", "--arg", default="", help="Only hooks with this argument (empty: any).")
@click.pass_context
def delete(ctx, node, type_, arg) -> None:
    """Delete the hooks matching every given value; prints how many were removed."""
    _target(ctx)
    from chalicelib.hooks import store as hooks

    removed = hooks.delete_matching(node or None, type_ or None, arg or None)
    click.echo(f"{removed} hook{'' if removed == 1 else 's'} deleted")


@hook.command("list")
@click.option("-O", "--output", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def list_(ctx, output) -> None:
    """List hooks: service, node, type, argument, persistent, expiry, state."""
    _target(ctx)
    from chalicelib.hooks import store as hooks

    shown = [hooks.public(h) for h in hooks.all_hooks()]
    if output == "json":
        click.echo(json.dumps(shown, indent=2))
        return
    if not shown:
        click.echo("no hooks")
        return
    for item in shown:
        click.echo(f"{item['id']}  {_describe(item)}")


def _describe(item: dict) -> str:
    life = "persistent" if item["persistent"] else f"temporary until {item['expires']}"
    state = "enabled" if item["enabled"] else f"DISABLED: {item['disabled_reason']}"
    service = item["service"] or "any service"
    return f"{item['node']} ({service}) {item['type']} {item['arg']}  [{life}; {state}]"


@hook.command("rotate")
@click.argument("hook_id")
@click.pass_context
def rotate(ctx, hook_id) -> None:
    """A new signing secret; the old one also signs for 24 hours."""
    where = _target(ctx)
    from chalicelib.core import errors
    from chalicelib.hooks import store as hooks

    try:
        rotated = hooks.rotate_secret(hook_id)
    except errors.HeraldError as error:
        raise click.ClickException(str(error)) from None
    if rotated is None:
        raise click.ClickException(f"no hook {hook_id}")
    shown, secret = rotated
    click.echo(secret)
    until = hooks.public(shown)["rotation_until"]
    click.echo(f"shown once; the previous secret also signs until {until}", err=True)
    _share_with_receiver(where, hook_id, secret)


@hook.command("enable")
@click.argument("hook_id")
@click.pass_context
def enable(ctx, hook_id) -> None:
    """Enable a hook again (after a 410 or a load failure was fixed)."""
    _target(ctx)
    from chalicelib.hooks import store as hooks

    if hooks.get(hook_id) is None or hooks.set_enabled(hook_id, True) is None:
        raise click.ClickException(f"no hook {hook_id}")
    click.echo(f"enabled {hook_id}")


@hook.command("deliveries")
@click.argument("hook_id")
@click.option("--status", type=click.Choice(["success", "retrying", "dead", "disabled"]))
@click.option("-O", "--output", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def deliveries(ctx, hook_id, status, output) -> None:
    """The hook's recorded delivery attempts, newest first."""
    _target(ctx)
    from chalicelib.hooks import delivery as hook_delivery
    from chalicelib.hooks import store as hooks

    hook = hooks.get(hook_id)
    if hook is None:
        raise click.ClickException(f"no hook {hook_id}")
    shown = hook_delivery.deliveries(hook_id, status, since=hook["created_at"])
    if output == "json":
        click.echo(json.dumps(shown, indent=2, default=str))
        return
    for d in shown:
        click.echo(
            f"{d['at']}  {d['event_type']:22} attempt {d['attempt']:>2}  {d['status']:9} "
            f"{d.get('code') or '-':>4}  {d['duration_ms']:>5} ms  {d.get('error') or ''}"
        )
