"""Command line: Subscribers and their subscriptions."""

import click


@click.group("subscriptions")
def subscriptions() -> None:
    """Subscribers and their subscriptions."""
