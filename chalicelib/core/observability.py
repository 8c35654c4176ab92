"""Structured logs and EMF metrics, wired once for every handler.

Chalice hands handlers a single event, so powertools' decorators (which
expect (event, context)) are replaced by one middleware: it tags the log
lines with the handler and request id, logs an unhandled error once, and
flushes the metrics after every invocation, HTTP or not.
"""

import os

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "herald")

logger = Logger(service=SERVICE)
metrics = Metrics(
    namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Herald"), service=SERVICE
)

__all__ = ["logger", "metrics", "count", "middleware", "MetricUnit"]


def count(name: str, value: float = 1, unit: str = MetricUnit.Count) -> None:
    metrics.add_metric(name=name, unit=unit, value=value)


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
            return response
        except Exception:
            logger.exception("handler failed")
            count("HandlerErrors")
            raise
        finally:
            # An empty flush only warns; skip it so quiet handlers stay quiet.
            if metrics.provider.metric_set:
                metrics.flush_metrics()
            logger.remove_keys(["handler", "request_id"])

    return observe
