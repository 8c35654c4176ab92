"""Command line: Hooks that run on Herald's events."""

import click


@click.group("hook")
def hook() -> None:
    """Hooks that run on Herald's events."""
