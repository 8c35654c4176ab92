"""Structured logs and EMF metrics, wired once for every handler.

Chalice hands handlers a single event, so powertools' decorators (which
expect (event, context)) are replaced by one middleware: it tags the log
lines with the handler and request id, logs an unhandled error once, and
flushes the metrics after every invocation, HTTP or not.

powertools' Logger and Metrics are built on first use, not at import: a
plain ping logs and counts nothing, so a cold start that only answers pings
never imports powertools (a fifth of `import app`, bench/cold_start.py).
"""

import logging
import os

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "herald")

__all__ = ["logger", "count", "middleware"]  # and `metrics`, built on first use


class _Logger:
    """powertools' Logger once anything is logged; until then only its keys."""

    def __init__(self):
        self._real, self._keys = None, {}

    def append_keys(self, **keys) -> None:
        self._keys.update(keys)
        if self._real is not None:
            self._real.append_keys(**keys)

    def remove_keys(self, names) -> None:
        for name in names:
            self._keys.pop(name, None)
        if self._real is not None:
            self._real.remove_keys(names)

    def real(self):
        if self._real is None:
            from aws_lambda_powertools.logging import Logger

            logging.getLogger(SERVICE).removeHandler(_FIRST_RECORD)
            self._real = Logger(service=SERVICE)
            self._real.append_keys(**self._keys)
        return self._real

    def __getattr__(self, name):
        return getattr(self.real(), name)


class _FirstRecord(logging.Handler):
    """Chalice logs a route's unhandled error on the stdlib logger powertools
    configures ("herald"): the first such record builds it and goes through it."""

    def emit(self, record) -> None:
        logger.real()
        for handler in list(logging.getLogger(SERVICE).handlers):
            if handler is not self:
                handler.handle(record)


logger = _Logger()
_FIRST_RECORD = _FirstRecord()
logging.getLogger(SERVICE).addHandler(_FIRST_RECORD)
_metrics = None


def __getattr__(name: str):
    if name == "metrics":
        return _sink()
    raise AttributeError(name)


def _sink():
    global _metrics
    if _metrics is None:
        from aws_lambda_powertools import Metrics

        namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Herald")
        _metrics = Metrics(namespace=namespace, service=SERVICE)
    return _metrics


def count(name: str, value: float = 1, unit: str = "Count") -> None:
    _sink().add_metric(name=name, unit=unit, value=value)


def _handler_name(event) -> str:
    context = getattr(event, "context", None)
    if isinstance(context, dict) and "resourcePath" in context:
        return f"{context.get('httpMethod', '')} {context['resourcePath']}"
    return type(event).__name__


def middleware(lambda_context):
    """Build the middleware; lambda_context() returns the current context."""

    def observe(event, get_response):
        # HTTP requests carry API Gateway's context; the Lambda context is
        # on the app. Other events carry the Lambda context themselves.
        ctx = lambda_context()
        if ctx is None and not isinstance(getattr(event, "context", None), dict):
            ctx = getattr(event, "context", None)
        logger.append_keys(
            handler=_handler_name(event),
            request_id=getattr(ctx, "aws_request_id", None),
        )
        try:
            response = get_response(event)
            # Chalice turns an HTTP handler's exception into a 500 (and logs it
            # through the same "herald" logger) before it reaches us.
            if getattr(response, "status_code", 200) >= 500:
                count("HandlerErrors")
                if _handler_name(event).partition(" ")[2].startswith("/ping"):
                    count("PingErrors")  # what the checker's intake watch reads
            return response
        except Exception:
            logger.exception("handler failed")
            count("HandlerErrors")
            raise
        finally:
            # An empty flush only warns; skip it so quiet handlers stay quiet.
            if _metrics is not None and _metrics.provider.metric_set:
                _metrics.flush_metrics()
            logger.remove_keys(["handler", "request_id"])

    return observe
