"""Herald: the table of contents.

The app, its middleware, one Blueprint per capability (chalicelib/*/routes.py) and the
dashboard's, the scheduled and queue handlers and the pings' function URL (ping_door).
Handlers stay here: Lambda imports the module that declares one, and only app.py registers
the middleware (aws/chalice issue 1566). Each imports its code when it runs, so a cold
start pays only for chalice, the middleware and the route declarations.
"""

import os

from chalice import Chalice

from chalicelib.core import observability
from chalicelib.core.access_routes import blueprint as access_routes
from chalicelib.core.channels.routes import blueprint as channel_routes
from chalicelib.core.mail.link_routes import blueprint as mail_link_routes
from chalicelib.core.mail.routes import blueprint as mail_routes
from chalicelib.core.routes import blueprint as core_routes
from chalicelib.dashboard.public_routes import blueprint as public_routes
from chalicelib.dashboard.routes import blueprint as dashboard_routes
from chalicelib.hooks.routes import blueprint as hook_routes
from chalicelib.monitors.hc_routes import blueprint as healthchecks_routes
from chalicelib.monitors.routes import blueprint as monitor_routes
from chalicelib.sites.routes import blueprint as site_routes
from chalicelib.subscriptions.routes import blueprint as subscription_routes

app = Chalice(app_name="herald", configure_logs=False)
app.register_middleware(
    observability.middleware(lambda: getattr(app, "lambda_context", None)), "all"
)
ROUTES = (core_routes, access_routes, monitor_routes, healthchecks_routes, channel_routes)
MORE = (site_routes, subscription_routes, hook_routes, mail_routes, mail_link_routes)
for blueprint in (*ROUTES, *MORE, dashboard_routes, public_routes):
    app.register_blueprint(blueprint)


def stage_schedule(name: str, default: str) -> str:
    """A schedule a stage may override with SCHEDULE_<NAME> (read at import)."""
    return os.environ.get(f"SCHEDULE_{name.upper()}", default)


# ---- the outbox: every mail ------------------------------------------------------
@app.on_sqs_message(queue="outbox", batch_size=10, name="outbox_deliver")
def outbox_deliver(event):
    from chalicelib.core import outbox

    return outbox.handle(event.to_dict(), event.context)


@app.on_sqs_message(queue="mail-events", batch_size=10, name="mail_events")
def mail_events(event):  # SES's bounces and complaints: the suppression list
    from chalicelib.core.mail import ses_events

    return ses_events.handle(event.to_dict(), event.context)


# ---- heartbeat monitoring --------------------------------------------------------
@app.schedule(stage_schedule("check_monitors", "rate(1 minute)"), name="check_monitors")
def check_monitors(event):
    from chalicelib.monitors import checker

    return checker.run()


@app.on_sqs_message(queue="wakeups", batch_size=10, name="wake_monitors")
def wake_monitors(event):
    from chalicelib.monitors import wakeups

    return wakeups.handle(event.to_dict(), event.context)


@app.lambda_function(name="ping_door")  # the pings' function URL: no API Gateway charge
def ping_door(event, context):
    from chalicelib.core import function_url

    return function_url.handle(app, event, context)


# ---- site jobs: topic digests, profile status ------------------------------------
@app.schedule(stage_schedule("send_digests", "cron(0 5 * * ? *)"), name="send_digests")
def send_digests(event):
    from chalicelib.sites import jobs

    return jobs.start(jobs.DIGEST, event.to_dict())


@app.schedule(
    stage_schedule("send_profile_status", "cron(0 6 1 * ? *)"), name="send_profile_status"
)
def send_profile_status(event):
    from chalicelib.sites import jobs

    return jobs.start(jobs.PROFILE, event.to_dict())


@app.on_sqs_message(queue="site-jobs", batch_size=10, name="site_jobs_trigger")
def site_jobs_trigger(event):
    from chalicelib.sites import jobs

    return jobs.handle(event.to_dict(), event.context)


# ---- subscriptions ---------------------------------------------------------------
@app.schedule(stage_schedule("check_subscriptions", "rate(5 minutes)"), name="check_subscriptions")
def check_subscriptions(event):
    from chalicelib.subscriptions import cycle

    return cycle.check_cycle()


@app.on_sqs_message(queue="notify", batch_size=10, name="notify_subscribers")
def notify_subscribers(event):
    from chalicelib.subscriptions import cycle

    return cycle.handle(event.to_dict(), event.context)


# ---- hooks -----------------------------------------------------------------------
@app.on_sqs_message(queue="hooks", batch_size=4, name="hooks_deliver")
def hooks_deliver(event):
    from chalicelib.hooks import delivery

    return delivery.handle(event.to_dict(), event.context)
