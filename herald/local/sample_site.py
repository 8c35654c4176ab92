"""A sample GroupServer site (web-hooks for digests and profile status)."""


def start(env: dict):
    """Start the server; returns a Companion, or None when there is nothing to run."""
    return None
