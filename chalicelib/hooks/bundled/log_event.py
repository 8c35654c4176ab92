"""An example hook: writes each event it receives to the log.

Use it with `herald hook create -n 'monitor.*' -t python log_event` or
`-t python_file log_event.py`. A hook that raises is retried like a web-hook.
"""

from chalicelib.core.observability import logger


def hook(event: dict) -> None:
    logger.info(
        "hook log_event",
        extra={"event_type": event["type"], "source": event["source"], "data": event["data"]},
    )
