"""Command line: Heartbeat monitors: import, list, pause, resume."""

import click


@click.group("monitors")
def monitors() -> None:
    """Heartbeat monitors: import, list, pause, resume."""
