"""A sample change feed (incidents) for subscriptions."""


def start(env: dict):
    """Start the server; returns a Companion, or None when there is nothing to run."""
    return None
