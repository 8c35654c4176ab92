"""Command line: Herald's mail: the suppression list, and bounces simulated locally.

herald mail suppressions [-O json] [--lift ADDRESS]
herald mail lift ADDRESS
herald mail mutes [MONITOR]
herald mail bounce FILE|ID [--complaint | --transient]     (local `make run` only)
"""

import json

import click

from herald.cli import base


@click.group("mail")
def mail() -> None:
    """Herald's mail: the suppression list; bounces simulated locally."""


@mail.command("suppressions")
@click.option("-O", "--output", type=click.Choice(["text", "json"]), default="text")
@click.option("--lift", "address", default=None, help="Lift this address's suppression.")
@click.pass_context
def suppressions_list(ctx, output, address) -> None:
    """The addresses Herald no longer mails, and why."""
    if address:
        ctx.invoke(lift, address=address)
        return
    base.target(ctx)
    from chalicelib.core.mail import suppressions

    entries = sorted(suppressions.all_entries(), key=lambda item: item["address"])
    shown = [suppressions.public(item) for item in entries]
    if output == "json":
        click.echo(json.dumps({"suppressions": shown}, indent=2, default=str))
        return
    if not shown:
        click.echo("no address is suppressed")
    for entry in shown:
        click.echo(
            f"{entry['address']}  since {entry['since']}  {entry['kind']}: {entry['reason']}"
            f"  (mail {entry['mail_id']})"
        )


@mail.command("lift")
@click.argument("address")
@click.pass_context
def lift(ctx, address) -> None:
    """Lift ADDRESS's suppression: the next mail to it is sent."""
    base.target(ctx)
    from chalicelib.core import values
    from chalicelib.core.mail import suppressions

    checked = values.email_address(address, "address")
    if suppressions.lift(checked) is None:
        raise click.ClickException(f"{checked} is not suppressed")
    click.echo(f"lifted: {checked}")


@mail.command("mutes")
@click.argument("monitor", required=False)
@click.pass_context
def mutes_list(ctx, monitor) -> None:
    """Who muted a monitor's alert mail (every monitor's without MONITOR)."""
    base.target(ctx)
    from chalicelib.core.mail import mutes
    from chalicelib.monitors import store

    # No index lists every mute: one Query per monitor (an operator's command).
    names = [monitor] if monitor else sorted(item["name"] for item in store.list_all())
    found = [(name, entry) for name in names for entry in mutes.of_monitor(name)]
    if not found:
        click.echo("nobody muted " + (monitor or "any monitor"))
    for name, entry in found:
        click.echo(f"{name}  {entry['address']}  since {entry['since']}")


@mail.command("bounce")
@click.argument("reference", metavar="FILE|ID")
@click.option("--complaint", is_flag=True, help="A complaint instead of a bounce.")
@click.option("--transient", is_flag=True, help="A transient bounce (3 in a row suppress).")
@click.pass_context
def bounce(ctx, reference, complaint, transient) -> None:
    """Have SES (moto) report a bounce or complaint for a captured mail."""
    where = base.target(ctx)
    if not where.local:
        raise click.ClickException(
            "herald mail bounce simulates SES locally only: run it against `make run`, "
            "without --stage (on AWS, SES reports real bounces itself)"
        )
    if complaint and transient:
        raise click.BadParameter("--complaint or --transient, not both")
    from herald.environment import LOCAL_DIR
    from herald.local import bounces

    try:
        recipient, mail_id = bounces.captured(reference, LOCAL_DIR / "mail")
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    kind = "complaint" if complaint else "transient" if transient else "bounce"
    sns_id = bounces.publish(bounces.event(recipient, mail_id, kind=kind))
    click.echo(f"published {kind} for {recipient} (mail {mail_id}, SNS message {sns_id})")
