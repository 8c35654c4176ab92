"""Command line: shared ping keys, one key for a group of monitors (/ping/KEY/NAME)."""

import click

from herald.cli import base


@click.group("ping-keys")
def ping_keys() -> None:
    """Shared ping keys: create, list, revoke."""


@ping_keys.command("create")
@click.option("--label", default="", help="What the key is for.")
@click.option(
    "--cap", type=int, default=100, show_default=True, help="Monitors it may create (?create=1)."
)
@click.pass_context
def create(ctx: click.Context, label: str, cap: int) -> None:
    """A new shared key: printed once, stored only as a keyed hash."""
    base.target(ctx)
    from chalicelib.core.errors import Invalid
    from chalicelib.monitors import ping_keys as keys
    from herald.target import ping_url

    try:
        created = keys.create(label=label, cap=cap)
    except Invalid as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"key id {created['key_id']} (give monitors --group {created['key_id']})")
    click.echo(f"key    {created['key']}   (shown once)")
    base_url = ping_url()
    click.echo(f"ping   {base_url}/ping/{created['key']}/<name>[?create=1]")


@ping_keys.command("list")
@click.pass_context
def list_(ctx: click.Context) -> None:
    """Shared keys with their label, hint and how many monitors they made."""
    base.target(ctx)
    from chalicelib.monitors import ping_keys as keys

    for key in keys.list_keys():
        click.echo(
            f"{key['key_id']}  ...{key['hint']}  created {key['created']}/{key['cap']}  "
            f"{key['label']}"
        )


@ping_keys.command("revoke")
@click.argument("key_id")
@click.pass_context
def revoke(ctx: click.Context, key_id: str) -> None:
    """Revoke KEY_ID: its monitors keep their own URLs only."""
    base.target(ctx)
    from chalicelib.monitors import ping_keys as keys

    if not keys.revoke(key_id):
        raise click.ClickException(f"no shared ping key {key_id!r}")
    click.echo(f"{key_id}: revoked")
