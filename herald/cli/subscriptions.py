"""Command line: subscribers and their subscriptions.

herald subscriptions subscribers list|create|delete
herald subscriptions list|show|create|delete|due-now|feed-key
"""

import json

import click

from herald.cli import base


def target(ctx: click.Context):
    return base.target(ctx)


def _store():
    from chalicelib.subscriptions import store as subscriptions

    return subscriptions


@click.group("subscriptions")
def subscriptions() -> None:
    """Subscribers and their subscriptions."""


@subscriptions.group("subscribers")
def subscribers() -> None:
    """People and groups who receive notifications."""


@subscribers.command("list")
@click.pass_context
def subscribers_list(ctx: click.Context) -> None:
    """List subscribers with their best contact or members."""
    target(ctx)
    for person in _store().list_subscribers():
        if person["members"]:
            reach = "group: " + ", ".join(person["members"])
        else:
            best = min(person["contacts"], key=lambda c: c["priority"])
            reach = best["address"]
        click.echo(f"{person['id']:20} {person['name']:30} {reach}")


@subscribers.command("create")
@click.argument("subscriber_id")
@click.option("--name", required=True, help="Display name.")
@click.option(
    "--contact", "contacts", multiple=True, help="ADDRESS or ADDRESS:PRIORITY (lowest wins)."
)
@click.option("--member", "members", multiple=True, help="A member's subscriber id (groups).")
@click.pass_context
def subscribers_create(ctx, subscriber_id, name, contacts, members) -> None:
    """Create subscriber SUBSCRIBER_ID."""
    target(ctx)
    parsed = []
    for i, contact in enumerate(contacts):
        address, _, priority = contact.rpartition(":") if ":" in contact else (contact, "", "")
        if priority and not priority.isdigit():
            raise click.BadParameter("PRIORITY must be a whole number", param_hint="--contact")
        parsed.append({"address": address, "priority": int(priority) if priority else i + 1})
    body = {"id": subscriber_id, "name": name, "contacts": parsed, "members": list(members)}
    created = _store().save_subscriber(body)
    click.echo(json.dumps(created, indent=2))


@subscribers.command("delete")
@click.argument("subscriber_id")
@click.pass_context
def subscribers_delete(ctx, subscriber_id) -> None:
    """Delete a subscriber (refused while it has subscriptions)."""
    target(ctx)
    _store().delete_subscriber(subscriber_id)
    click.echo(f"deleted subscriber {subscriber_id}")


@subscriptions.command("list")
@click.option("--subscriber", default=None, help="Only this subscriber's subscriptions.")
@click.pass_context
def subscriptions_list(ctx, subscriber) -> None:
    """List subscriptions."""
    target(ctx)
    for item in _store().list_subscriptions(subscriber):
        names = ", ".join(r["name"] for r in item["resources"])
        kinds = "+".join(item["notify_on"])
        click.echo(
            f"{item['id']}  {item['subscriber']:16} {item['frequency']:11} {kinds:7} "
            f"{item['email_format']:4}  {names}"
        )


@subscriptions.command("show")
@click.argument("subscription_id")
@click.pass_context
def subscriptions_show(ctx, subscription_id) -> None:
    """Show a subscription with each resource's last and next check."""
    target(ctx)
    click.echo(json.dumps(_store().get_subscription(subscription_id), indent=2))


@subscriptions.command("create")
@click.option("--subscriber", required=True)
@click.option("--resource", "resources", multiple=True, required=True, help="NAME=URL")
@click.option("--filter", "filter_json", default="{}", help="A JSON object for the application.")
@click.option("--notify-on", default="new", help="new, upd or new,upd")
@click.option("--frequency", default="daily", help="immediately, hourly, daily, weekly, never")
@click.option("--format", "email_format", default=None, help="text or html")
@click.pass_context
def subscriptions_create(
    ctx, subscriber, resources, filter_json, notify_on, frequency, email_format
) -> None:
    """Subscribe SUBSCRIBER to one or more resources."""
    target(ctx)
    try:
        filter_value = json.loads(filter_json)
    except ValueError:
        raise click.BadParameter("must be JSON", param_hint="--filter") from None
    body = {
        "subscriber": subscriber,
        "resources": [dict(zip(("name", "url"), r.split("=", 1), strict=False)) for r in resources],
        "filter": filter_value,
        "notify_on": notify_on,
        "frequency": frequency,
    }
    if email_format:
        body["email_format"] = email_format
    click.echo(json.dumps(_store().save_subscription(body), indent=2))


@subscriptions.command("delete")
@click.argument("subscription_id")
@click.pass_context
def subscriptions_delete(ctx, subscription_id) -> None:
    """Delete a subscription."""
    target(ctx)
    _store().delete_subscription(subscription_id)
    click.echo(f"deleted subscription {subscription_id}")


@subscriptions.command("due-now")
@click.argument("subscription_id")
@click.pass_context
def subscriptions_due_now(ctx, subscription_id) -> None:
    """Make a subscription due at the next check (try it with `herald fire`)."""
    target(ctx)
    moved = _store().due_now(subscription_id)
    click.echo(f"{moved} resource(s) of {subscription_id} are due now")


@subscriptions.command("feed-key")
@click.argument("origin")
@click.pass_context
def subscriptions_feed_key(ctx, origin) -> None:
    """Print the key the feed at ORIGIN verifies Herald's tokens with.

    ORIGIN is scheme://host[:port], or any URL of the feed (its origin is
    taken). Give each application its own origin's key only: it can mint
    tokens for that origin, no other.
    """
    target(ctx)
    from chalicelib.subscriptions import tokens as feed_token

    try:
        normalised = feed_token.origin(origin)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="ORIGIN") from None
    click.echo(f"key for the feeds at {normalised}:", err=True)
    click.echo(feed_token.key_for(normalised).decode())
