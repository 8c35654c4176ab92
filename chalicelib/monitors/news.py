"""Whether a ping is news: asked on every ping, so it imports nothing.

The alert rule itself (alert_rule.py, with the policy and flapping rules it
reads) is loaded only when a ping is news: most pings, and most cold starts
that answer one, never pay for it.
"""


def is_news(kind: str, old: dict) -> bool:
    """Whether a ping may have made a notice due, judged from the monitor before it.

    A failure that opens an outage, a success that may end one, or a notice the
    checker left unfinished: the ping then settles the monitor itself, as the
    checker would (one more read and the claim), so its news goes out at once.
    Anything else (most pings) costs nothing more.
    """
    if kind not in ("success", "fail") or old.get("paused") or not old.get("monitor", True):
        return False
    if old.get("outgoing"):
        return True
    if kind == "fail":
        # News when it opens an outage, or when this one reaches the threshold.
        threshold = int(old.get("failure_threshold") or 1)
        reached = threshold > 1 and int(old.get("fail_streak", 0)) + 1 == threshold
        return old.get("status") != "down" or reached
    return old.get("status") == "down" or old.get("outage_start") is not None
