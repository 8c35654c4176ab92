"""Herald: the wiring of routes, schedules and queue handlers.

Each handler is a line or two that hands its event to chalicelib. Feature
modules are imported inside the handlers, so a cold start pays only for
chalice and the logging middleware, and each function only for what it uses.
"""

import os

from chalice import Chalice, Response

from chalicelib import observability

app = Chalice(app_name="herald", configure_logs=False)
app.register_middleware(observability.middleware(lambda: app.lambda_context), "all")


def stage_schedule(name: str, default: str) -> str:
    """A schedule expression a stage may override with SCHEDULE_<NAME>.

    Read when app.py is imported: by `chalice package` (herald/packaging.py
    runs it with the stage's variables), the local scheduler and the tests.
    """
    return os.environ.get(f"SCHEDULE_{name.upper()}", default)


def json_response(status: int, body) -> Response:
    return Response(body=body, status_code=status, headers={"Content-Type": "application/json"})


# ---- foundation ---------------------------------------------------------------


@app.route("/health", methods=["GET"])
def health():
    from chalicelib import health

    return json_response(*health.report())


@app.on_sqs_message(queue="outbox", batch_size=10, name="outbox_deliver")
def outbox_deliver(event):
    from chalicelib import outbox

    return outbox.handle(event.to_dict())


# ---- heartbeat monitoring (monitors, pings, logs, alerts, testing page) -------

# ---- site jobs (topic digests, profile status, runs) ---------------------------

# ---- subscriptions -------------------------------------------------------------

# ---- hooks and events ----------------------------------------------------------
