"""Command line: Topic digests of a GroupServer site."""

import click


@click.group("digest")
def digest() -> None:
    """Topic digests of a GroupServer site."""


@click.group("profile-status")
def profile_status() -> None:
    """Monthly profile-status notifications of a GroupServer site."""
