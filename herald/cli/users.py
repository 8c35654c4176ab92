"""Command line: dashboard accounts (operators), each an e-mail address, admin or read-only.

herald users create EMAIL [--read-only] [--password-prompt]   (prints a one-time sign-in link)
herald users list | delete EMAIL | read-only EMAIL --on|--off | link EMAIL | password EMAIL

These act on the table directly, as `herald api-keys` does: they are the way
back in when no admin can sign in, so they keep none of the API's rules
against removing the last admin.
"""

import click

from herald.cli import base


@click.group("users")
def users() -> None:
    """Dashboard accounts: create, list, delete, read-only, link, password."""


def _show(account: dict) -> None:
    role = "read-only" if account["read_only"] else "admin"
    password = "password" if account["password"] else "no password"
    click.echo(f"{account['email']}  {role:9}  {password:11}  created {account['created_at']}")


def _account(ctx: click.Context, email: str) -> dict:
    """The account for EMAIL (its address checked and lowercased), or a refusal."""
    base.target(ctx)
    from chalicelib.core import accounts

    item = accounts.get(accounts.address(email, "EMAIL"))
    if item is None:
        raise click.ClickException(f"no account for {email}")
    return item


def _link(email: str) -> None:
    """Print a fresh one-time sign-in link; printing it is the only way it leaves here."""
    from chalicelib.core import accounts
    from herald.target import public_url

    base_url = public_url()
    token = accounts.issue_link(email)
    click.echo(f"sign-in link (works once, within 15 minutes; not mailed to {email}):")
    click.echo(f"  {base_url}/dashboard/sign-in/{token}")


def _new_password() -> str:
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command("create")
@click.argument("email")
@click.option("--read-only", is_flag=True, help="The account can look but not change anything.")
@click.option("--password-prompt", is_flag=True, help="Ask for a password (else links only).")
@click.pass_context
def create(ctx: click.Context, email: str, read_only: bool, password_prompt: bool) -> None:
    """Create an account for EMAIL and print a one-time sign-in link for it."""
    base.target(ctx)
    from chalicelib.core import accounts

    address = accounts.address(email, "EMAIL")
    # Asked before anything is written: a mistyped confirmation leaves no account behind.
    password = _new_password() if password_prompt else None
    account = accounts.create(address, read_only=read_only, password=password)
    _show(account)
    _link(account["email"])


@users.command("list")
@click.pass_context
def list_(ctx: click.Context) -> None:
    """Every account: address, admin or read-only, whether it has a password."""
    base.target(ctx)
    from chalicelib.core import accounts

    for account in accounts.list_all():
        _show(account)


@users.command("delete")
@click.argument("email")
@click.pass_context
def delete(ctx: click.Context, email: str) -> None:
    """Delete the account for EMAIL; its sessions end at once."""
    from chalicelib.core import accounts

    item = _account(ctx, email)
    if not accounts.delete(item["email"]):
        raise click.ClickException(f"no account for {email}")
    click.echo(f"deleted {item['email']}")


@users.command("read-only")
@click.argument("email")
@click.option("--on/--off", "on", default=None, help="Make the account read-only, or admin.")
@click.pass_context
def read_only(ctx: click.Context, email: str, on: bool | None) -> None:
    """Make EMAIL read-only (--on) or admin (--off); a change ends its sessions."""
    if on is None:
        raise click.UsageError("give --on (read-only) or --off (admin)")
    from chalicelib.core import accounts

    item = _account(ctx, email)
    if bool(item.get("read_only")) == on:
        _show(accounts.public(item))  # nothing to change: its sessions go on
        return
    _show(accounts.change(item["email"], read_only=on))


@users.command("link")
@click.argument("email")
@click.pass_context
def link(ctx: click.Context, email: str) -> None:
    """Print a fresh one-time sign-in link for EMAIL (not mailed)."""
    item = _account(ctx, email)
    _link(item["email"])


@users.command("password")
@click.argument("email")
@click.pass_context
def password(ctx: click.Context, email: str) -> None:
    """Set EMAIL's password (asked twice, not shown); its sessions end."""
    from chalicelib.core import accounts

    item = _account(ctx, email)
    _show(accounts.change(item["email"], password=_new_password()))
    click.echo("password set; the account's sessions have ended")
