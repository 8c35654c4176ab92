"""A web-hook receiver that prints what arrives and verifies signatures."""


def start(env: dict):
    """Start the server; returns a Companion, or None when there is nothing to run."""
    return None
