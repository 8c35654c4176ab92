"""Commands about Herald as a whole: status, fire, API keys."""

import json
import sys

import click

from herald.cli.base import app as _app
from herald.cli.base import main, target


@main.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """What is running, its endpoint and its resources."""
    from herald import environment

    stage = ctx.obj["stage"]
    if stage is None and environment.read_state() is None:
        click.echo("Herald is not running locally (start it with `make run`).")
        sys.exit(1)
    where = target(ctx)
    if where.local:
        state = where.state
        click.echo(
            f"local Herald, pid {state['pid']}, stage {state['stage']}, since {state['started']}"
        )
        click.echo(f"  API:        {state['api']}")
        click.echo(f"  AWS (moto): {state['endpoint']}")
        for name, url in state.get("companions", {}).items():
            click.echo(f"  {name}: {url}")
        resources = state["resources"]
    else:
        import boto3

        stack = boto3.client("cloudformation").describe_stacks(StackName=f"herald-{where.stage}")
        outputs = stack["Stacks"][0].get("Outputs", [])
        resources = {o["OutputKey"]: o["OutputValue"] for o in outputs}
        click.echo(f"AWS stack herald-{where.stage}: {stack['Stacks'][0]['StackStatus']}")
    from herald.local.invoke import queue_handlers, schedules

    app = _app()
    click.echo("  resources:")
    for name, value in sorted(resources.items()):
        click.echo(f"    {name:20} {value}")
    click.echo("  schedules:")
    for name, expression in schedules(app).items():
        click.echo(f"    {name:20} {expression}")
    click.echo("  queue handlers:")
    for config in queue_handlers(app):
        click.echo(f"    {config.name:20} queue {config.queue}")


@main.command()
@click.argument("handler")
@click.pass_context
def fire(ctx: click.Context, handler: str) -> None:
    """Run the scheduled handler HANDLER now."""
    where = target(ctx)
    from herald.local.invoke import fire as fire_locally
    from herald.local.invoke import schedules

    app = _app()
    if handler not in schedules(app):
        raise click.BadParameter(
            f"no scheduled handler {handler!r}; known: {', '.join(sorted(schedules(app)))}",
            param_hint="HANDLER",
        )
    if where.local:
        result = fire_locally(app, handler)
    else:
        result = _fire_on_aws(where.stage, handler)
    click.echo(f"fired {handler} on {where.describe()}: {json.dumps(result, default=str)}")


def _fire_on_aws(stage: str, handler: str):
    import boto3

    logical = "".join(part.capitalize() for part in handler.split("_"))
    resource = boto3.client("cloudformation").describe_stack_resource(
        StackName=f"herald-{stage}", LogicalResourceId=logical
    )
    function = resource["StackResourceDetail"]["PhysicalResourceId"]
    from herald.local.invoke import scheduled_event

    reply = boto3.client("lambda").invoke(
        FunctionName=function, Payload=json.dumps(scheduled_event(handler)).encode()
    )
    return json.loads(reply["Payload"].read() or b"null")


@main.group("api-keys")
def api_keys() -> None:
    """API keys for the HTTP management API (X-Api-Key)."""


@api_keys.command("create")
@click.option("--read-only", is_flag=True, help="The key can read but not change anything.")
@click.option("--label", default="", help="A note saying who or what uses the key.")
@click.pass_context
def api_keys_create(ctx: click.Context, read_only: bool, label: str) -> None:
    """Create a key; it is shown once and stored only as a keyed hash."""
    target(ctx)
    from chalicelib.core import auth

    created = auth.create(read_only=read_only, label=label)
    click.echo(created["key"])
    click.echo(
        f"key id {created['key_id']}, {'read-only' if read_only else 'read-write'}; "
        "store it now: it cannot be shown again.",
        err=True,
    )


@api_keys.command("list")
@click.pass_context
def api_keys_list(ctx: click.Context) -> None:
    """List keys (ids and labels; the keys themselves are not stored)."""
    target(ctx)
    from chalicelib.core import auth

    for key in auth.list_keys():
        mode = "read-only" if key["read_only"] else "read-write"
        click.echo(f"{key['key_id']}  {mode:10}  {key['created_at']}  {key['label']}")


@api_keys.command("revoke")
@click.argument("key_id")
@click.pass_context
def api_keys_revoke(ctx: click.Context, key_id: str) -> None:
    """Revoke the key with id KEY_ID."""
    target(ctx)
    from chalicelib.core import auth

    if not auth.revoke(key_id):
        raise click.ClickException(f"no API key with id {key_id}")
    click.echo(f"revoked {key_id}")
