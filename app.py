"""Herald: the wiring of routes, schedules and queue handlers.

Each handler is a line or two that hands its event to chalicelib. Feature
modules are imported inside the handlers, so a cold start pays only for
chalice and the logging middleware, and each function only for what it uses.
"""

import os

from chalice import Chalice, Response

from chalicelib import observability

app = Chalice(app_name="herald", configure_logs=False)
app.register_middleware(
    observability.middleware(lambda: getattr(app, "lambda_context", None)), "all"
)


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

_PING = {
    "methods": ["GET", "POST", "HEAD"],
    "content_types": [
        "application/json",
        "application/octet-stream",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "text/plain",
    ],
}


@app.route("/ping", **_PING)
def ping_by_username():
    from chalicelib import pings

    return pings.handle_original(app.current_request)


@app.route("/ping/{a}", **_PING)
def ping_by_uuid(a):
    from chalicelib import pings

    return pings.handle_path(app.current_request, [a])


@app.route("/ping/{a}/{b}", **_PING)
def ping_two_parts(a, b):
    from chalicelib import pings

    return pings.handle_path(app.current_request, [a, b])


@app.route("/ping/{a}/{b}/{c}", **_PING)
def ping_three_parts(a, b, c):
    from chalicelib import pings

    return pings.handle_path(app.current_request, [a, b, c])


@app.route("/ping/{a}/{b}/{c}/{d}", **_PING)
def ping_four_parts(a, b, c, d):
    from chalicelib import pings

    # No ping form has four parts: a 400 saying so, not API Gateway's 403.
    return pings.handle_path(app.current_request, [a, b, c, d])


@app.route("/logs", methods=["GET"])
def ping_logs():
    from chalicelib import ping_log

    return json_response(200, ping_log.handle_logs(app.current_request))


@app.schedule(stage_schedule("check_monitors", "rate(1 minute)"), name="check_monitors")
def check_monitors(event):
    from chalicelib import checker

    return checker.run()


@app.route("/monitors", methods=["GET", "POST"])
def monitors_collection():
    from chalicelib import monitors_api

    request = app.current_request
    if request.method == "GET":
        return monitors_api.list_monitors(request)
    return monitors_api.put_monitor(request)


@app.route("/monitors/{name}", methods=["GET", "PUT", "DELETE"])
def monitors_item(name):
    from chalicelib import monitors_api

    request = app.current_request
    handler = {
        "GET": monitors_api.get_monitor,
        "PUT": monitors_api.put_monitor,
        "DELETE": monitors_api.delete_monitor,
    }[request.method]
    return handler(request, name)


@app.route("/monitors/{name}/pause", methods=["POST"])
def monitors_pause(name):
    from chalicelib import monitors_api

    return monitors_api.pause(app.current_request, name, True)


@app.route("/monitors/{name}/resume", methods=["POST"])
def monitors_resume(name):
    from chalicelib import monitors_api

    return monitors_api.pause(app.current_request, name, False)


@app.route("/monitors/{name}/pings", methods=["GET"])
def monitors_pings(name):
    from chalicelib import monitors_api

    return monitors_api.pings(app.current_request, name)


@app.route("/", methods=["GET"])
def testing_page():
    from chalicelib import testing_page

    return testing_page.page(app.current_request)


@app.route("/testing/login", methods=["POST"])
def testing_login():
    from chalicelib import testing_page

    return testing_page.login(app.current_request)


@app.route("/testing/monitors", methods=["GET"])
def testing_monitors():
    from chalicelib import testing_page

    return testing_page.monitor_list(app.current_request)


@app.route("/testing/monitors/{name}/ping", methods=["POST"])
def testing_ping(name):
    from chalicelib import testing_page

    return testing_page.ping_now(app.current_request, name)


# ---- site jobs (topic digests, profile status, runs) ---------------------------


@app.schedule(stage_schedule("send_digests", "cron(0 5 * * ? *)"), name="send_digests")
def send_digests(event):
    from chalicelib import site_jobs

    return site_jobs.start(site_jobs.DIGEST, event.to_dict())


@app.schedule(
    stage_schedule("send_profile_status", "cron(0 6 1 * ? *)"), name="send_profile_status"
)
def send_profile_status(event):
    from chalicelib import site_jobs

    return site_jobs.start(site_jobs.PROFILE, event.to_dict())


@app.on_sqs_message(queue="site-jobs", batch_size=10, name="site_jobs_trigger")
def site_jobs_trigger(event):
    from chalicelib import site_jobs

    return site_jobs.handle(event.to_dict())


@app.route("/runs", methods=["GET"])
def runs_list():
    from chalicelib import auth, runs

    auth.require(app.current_request)
    return json_response(200, runs.api_list(app.current_request.query_params))


@app.route("/runs/{run_id}", methods=["GET"])
def runs_get(run_id):
    from chalicelib import auth, runs

    auth.require(app.current_request)
    return json_response(200, runs.api_get(run_id, app.current_request.query_params))


# ---- subscriptions -------------------------------------------------------------


@app.route("/subscribers", methods=["GET", "POST"])
def subscribers():
    from chalicelib import subscriptions_api

    return subscriptions_api.subscribers(app.current_request)


@app.route("/subscribers/{subscriber_id}", methods=["GET", "PUT", "DELETE"])
def subscriber(subscriber_id):
    from chalicelib import subscriptions_api

    return subscriptions_api.subscriber(app.current_request, subscriber_id)


@app.route("/subscriptions", methods=["GET", "POST"])
def subscription_list():
    from chalicelib import subscriptions_api

    return subscriptions_api.subscription_list(app.current_request)


@app.route("/subscriptions/{subscription_id}", methods=["GET", "PUT", "DELETE"])
def subscription(subscription_id):
    from chalicelib import subscriptions_api

    return subscriptions_api.subscription(app.current_request, subscription_id)


@app.schedule(stage_schedule("check_subscriptions", "rate(5 minutes)"), name="check_subscriptions")
def check_subscriptions(event):
    from chalicelib import notify

    return notify.check_cycle()


@app.on_sqs_message(queue="notify", batch_size=10, name="notify_subscribers")
def notify_subscribers(event):
    from chalicelib import notify

    return notify.handle(event.to_dict())


# ---- hooks and events ----------------------------------------------------------


@app.route("/hooks", methods=["POST"])
def hooks_create():
    from chalicelib import hooks_api

    return json_response(*hooks_api.create(app.current_request))


@app.route("/hooks", methods=["GET"])
def hooks_list():
    from chalicelib import hooks_api

    return json_response(*hooks_api.list_all(app.current_request))


@app.route("/hooks", methods=["DELETE"])
def hooks_delete_matching():
    from chalicelib import hooks_api

    return json_response(*hooks_api.delete_matching(app.current_request))


@app.route("/hooks/{hook_id}", methods=["GET"])
def hooks_show(hook_id):
    from chalicelib import hooks_api

    return json_response(*hooks_api.show(app.current_request, hook_id))


@app.route("/hooks/{hook_id}", methods=["PATCH"])
def hooks_update(hook_id):
    from chalicelib import hooks_api

    return json_response(*hooks_api.update(app.current_request, hook_id))


@app.route("/hooks/{hook_id}", methods=["DELETE"])
def hooks_delete(hook_id):
    from chalicelib import hooks_api

    return json_response(*hooks_api.delete_one(app.current_request, hook_id))


@app.route("/hooks/{hook_id}/rotate-secret", methods=["POST"])
def hooks_rotate_secret(hook_id):
    from chalicelib import hooks_api

    return json_response(*hooks_api.rotate(app.current_request, hook_id))


@app.route("/hooks/{hook_id}/deliveries", methods=["GET"])
def hooks_deliveries(hook_id):
    from chalicelib import hooks_api

    return json_response(*hooks_api.deliveries(app.current_request, hook_id))


@app.on_sqs_message(queue="hooks", batch_size=4, name="hooks_deliver")
def hooks_deliver(event):
    from chalicelib import hook_delivery

    return hook_delivery.handle(event.to_dict())
