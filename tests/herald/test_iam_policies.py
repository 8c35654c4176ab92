"""Each function's IAM policy allows every AWS call it makes, and nothing it never makes.

One scenario drives every function in-process on moto (the API through its
routes, each scheduled and queue handler as Lambda calls it) and records each
boto3 call under the function running it (tests/herald/iam_calls.py).
"""

import json
import re
from urllib.parse import urlencode

import pytest
from botocore.client import BaseClient
from moto import mock_aws

from herald import environment
from tests.herald import iam_calls

FUNCTIONS = [
    "api_handler",
    "outbox_deliver",
    "mail_events",
    "check_monitors",
    "send_digests",
    "send_profile_status",
    "site_jobs_trigger",
    "check_subscriptions",
    "notify_subscribers",
    "hooks_deliver",
    "wake_monitors",
    "ping_door",
]
SITE_TOKEN = "sample-token"


@pytest.fixture(scope="module")
def recorded():
    """Run the scenario once; the recorder holds each function's calls."""
    import time_machine

    from chalicelib.core import aws as clients
    from chalicelib.core import secrets
    from herald.local import invoke, stack, worker
    from herald.local.sample_feed import SampleFeed
    from herald.local.sample_site import SampleSite

    recorder, patch = iam_calls.Recorder(), pytest.MonkeyPatch()
    make_api_call, get_secret, run = BaseClient._make_api_call, secrets.get, invoke.invoke

    def api_call(self, operation, params):
        recorder.record(self.meta.service_model.service_name, operation, params)
        return make_api_call(self, operation, params)

    def secret(name, **options):
        recorder.secret(name)
        return get_secret(name, **options)

    def invoke_as_lambda(app, name, event):
        clients.reset()  # each function is its own process: nothing cached from another
        with recorder.running(name):
            return run(app, name, event)

    site, feed = SampleSite(token=SITE_TOKEN).__enter__(), SampleFeed(0).start()
    try:
        patch.setattr(BaseClient, "_make_api_call", api_call)
        patch.setattr(secrets, "get", secret)
        patch.setattr(invoke, "invoke", invoke_as_lambda)
        patch.setattr(worker, "invoke", invoke_as_lambda)
        for name, value in _environment(site, feed).items():
            patch.setenv(name, value)
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        with mock_aws(), time_machine.travel("2026-11-02 09:00:00+00:00", tick=False) as clock:
            clients.reset()
            stack.deploy("dev")
            _scenario(recorder, clock, feed)
            clients.reset()
    finally:
        patch.undo()
        site.__exit__(None, None, None)
        feed.stop()
    return recorder


def _environment(site, feed) -> dict:
    return {
        **environment.stage_env("dev"),
        **environment.fake_credentials(),
        "HERALD_LOCAL": "1",  # the sample site and feed are on loopback
        "HERALD_SECRET_KEY": "test-secret-key",
        "HERALD_TESTING_PASSWORD": "correct horse",
        # No feed key: feed tokens are then keyed from secret-key, so both reads show.
        "HERALD_SITE_SAMPLE_TOKEN": SITE_TOKEN,
        "HERALD_PUBLIC_URL": "http://herald.test",
        "SUBSCRIPTIONS_ALLOW_PRIVATE_FEEDS": "1",
        "SITES": json.dumps(
            [{"name": "sample", "url": site.url, "jobs": ["digest", "profile-status"]}]
        ),
    }


def _scenario(recorder, clock, feed) -> None:
    from chalice.test import Client

    from app import app
    from chalicelib.core import auth
    from chalicelib.core import aws as clients
    from herald.local.invoke import fire, queue_handlers
    from herald.local.worker import QueueWorker

    def drain(name):
        config = next(c for c in queue_handlers(app) if c.name == name)
        QueueWorker(app, config, wait_seconds=0).drain()

    key = {"X-Api-Key": auth.create(label="iam")["key"], "Content-Type": "application/json"}
    with Client(app, stage_name="dev", project_dir=str(environment.ROOT)) as client:
        with recorder.running("api_handler"):
            _use_the_api(client.http, key, feed)
        clock.shift(400)  # the monitor is overdue; soon's deadline is 20 s away: handed off
        fire(app, "check_monitors")
        clock.shift(21)  # soon's wake-up: late, and its grace ends within the minute
        drain("wake_monitors")
        clock.shift(10)  # the next wake-up: down, mailed
        drain("wake_monitors")
        drain("hooks_deliver")
        drain("outbox_deliver")
        fire(app, "send_digests")
        fire(app, "send_profile_status")
        drain("site_jobs_trigger")
        feed.put({"title": "Bridge flooded", "severity": "high"})
        clock.shift(300)
        fire(app, "check_subscriptions")
        drain("notify_subscribers")
        drain("outbox_deliver")
        _bounce_and_deliver()
        drain("mail_events")
        with recorder.running("api_handler"):
            _read_and_delete(client.http, key)
            door_key = ok(client.http.post("/ping-keys", headers=key, body=b'{"label": "door"}'))
        # Last, so that the pings above drive the other functions as before.
        clients.reset()  # the ping door is a function of its own
        with recorder.running("ping_door"):
            _ping_through_the_door(client, door_key["key"])


def ok(reply):
    assert reply.status_code < 400, (reply.status_code, reply.body)
    try:
        return json.loads(reply.body)
    except ValueError:
        return reply.body


def _use_the_api(http, key, feed) -> None:
    from chalicelib.monitors import store as monitors

    def send(method, path, body=None):
        return ok(http.request(method, path, headers=key, body=json.dumps(body or {}).encode()))

    ok(http.get("/health"))
    # backup's alert also goes to a Slack channel (the feed's server stands in).
    hook = {"url": feed.url + "/slack-hook"}
    slack = send("POST", "/channels", {"kind": "slack", "name": "alerts", "config": hook})
    monitor = {"max_sleep": 300, "email_frequency": 3600, "device_email": ["ops@example.com"]}
    send("PUT", "/monitors/backup", {**monitor, "channels": [slack["id"]]})
    send("POST", "/monitors", {"name": "spare", **monitor})
    send("PUT", "/monitors/cellar", monitor)  # no channels: the checker reads the defaults
    ok(http.get(f"/ping/{monitors.uuid_for('cellar')}"))
    # Deadlines within the checker's next minute: woken by wake_monitors (one with
    # a channel of its own, so "alerts" sees no more refusals; one reading the defaults).
    own = send("POST", "/channels", {"kind": "slack", "name": "soon", "config": hook})
    soon = {"timeout": 420, "grace": 10, "device_email": ["ops@example.com"]}
    send("PUT", "/monitors/soon", {**soon, "channels": [own["id"]]})
    send("PUT", "/monitors/soon-too", {**monitor, "max_sleep": 420})
    ok(http.get(f"/ping/{monitors.uuid_for('soon')}"))
    ok(http.get(f"/ping/{monitors.uuid_for('soon-too')}"))
    ok(http.get("/monitors", headers=key))
    ok(http.get("/monitors/backup", headers=key))
    ok(http.get(f"/ping/{monitors.uuid_for('backup')}"))
    ok(http.get(f"/ping?username=backup&key={monitors.ping_key('backup')}"))
    ok(
        http.get(
            f"/logs?username=backup&key={monitors.ping_key('backup')}&year=2026&month=11&day=2"
        )
    )
    ok(http.get("/monitors/backup/pings?date=2026-11-02", headers=key))
    ok(http.get(f"/ping/{monitors.uuid_for('spare')}/fail"))  # news: mailed by the ping
    send("POST", "/monitors/spare/pause")
    send("POST", "/monitors/spare/resume")
    _use_schedules_and_shared_keys(http, key, send, slack["id"])
    person = {"id": "alice", "name": "Alice", "contacts": ["alice@example.org"]}
    send("POST", "/subscribers", person)
    send("PUT", "/subscribers/alice", person)
    resources = [{"name": "Incidents", "url": feed.changes_url}]
    created = send(
        "POST",
        "/subscriptions",
        {
            "subscriber": "alice",
            "frequency": "immediately",
            "resources": resources,
            "method": ["email", slack["id"]],  # the team's Slack as well
        },
    )
    ok(http.get(f"/subscriptions/{created['id']}", headers=key))
    hook = send(
        "POST", "/hooks", {"node": "monitor.*", "type": "webhook", "arg": feed.url + "/hook"}
    )
    send("PATCH", f"/hooks/{hook['id']}", {"enabled": True})
    send("POST", f"/hooks/{hook['id']}/rotate-secret")
    login = {"X-Herald-Testing": "1", "Content-Type": "application/json"}
    ok(http.post("/testing/login", headers=login, body=json.dumps({"password": "correct horse"})))
    _use_the_dashboard(http, send)


def _use_the_dashboard(http, send) -> None:
    """Issue 14's routes: accounts, a signed-in session's pages and API calls,
    API keys, a mailed sign-in link, status pages and their badges."""
    from types import SimpleNamespace

    from tests.dashboard.conftest import PASSWORD, sign_in

    send("POST", "/accounts", {"email": "admin@example.com", "password": PASSWORD})
    send("POST", "/accounts", {"email": "second@example.com"})
    session = sign_in(SimpleNamespace(http=http), "admin@example.com")
    for page in ("", "/monitors/backup", "/channels", "/runs", "/subscriptions", "/hooks"):
        assert session.get(f"/dashboard{page}").status_code == 200, page
    for page in ("/status-pages", "/keys", "/accounts", "/mail"):
        assert session.get(f"/dashboard{page}").status_code == 200, page
    assert session.api("GET", "/dashboard/status.json").status_code == 200
    ok(session.api("PATCH", "/accounts/second%40example.com", {"read_only": True}))
    created = send("POST", "/api-keys", {"label": "dashboard"})
    send("DELETE", f"/api-keys/{created['key_id']}")
    page = send("POST", "/status-pages", {"tag": "db"})
    for suffix in ("", "/badge.svg", "/badge.json", "/shields.json"):
        assert http.get(f"/status/{page['token']}{suffix}").status_code == 200
    send("DELETE", f"/status-pages/{page['token']}")
    form = http.get("/dashboard/sign-in")
    fields = {"csrf": re.search(r'name="csrf" value="([^"]+)"', form.body.decode()).group(1)}
    cookie = form.headers["Set-Cookie"].split(";")[0]
    body = urlencode({**fields, "email": "second@example.com", "how": "link"})
    headers = {"cookie": cookie, "content-type": "application/x-www-form-urlencoded"}
    assert http.post("/dashboard/sign-in", headers=headers, body=body).status_code == 200
    session.post_form("/dashboard/sign-out", {})
    send("DELETE", "/accounts/second%40example.com")


def _ping_through_the_door(client, shared_key: str) -> None:
    """The ping forms again, through the pings' function URL (ping_door)."""
    from chalicelib.monitors import store as monitors
    from tests.ping_door import through_the_ping_door

    http = through_the_ping_door(client).http
    backup, rid = monitors.uuid_for("backup"), "0d7c5a3e-8f1b-4c2d-9e6a-1b2c3d4e5f60"
    ok(http.get(f"/ping?username=backup&key={monitors.ping_key('backup')}"))  # down: recovers
    ok(http.post(f"/ping/{backup}/fail", body=b"disk full"))  # news: told by the ping
    ok(http.get(f"/ping/{backup}"))  # and its recovery
    cellar = monitors.uuid_for("cellar")  # no channels of its own: the defaults are read
    ok(http.post(f"/ping/{cellar}/1"))
    ok(http.head(f"/ping/{cellar}"))
    ok(http.get(f"/ping/{shared_key}/made-by-door?create=1"))
    ok(http.get(f"/ping/{shared_key}/made-by-door/start?rid={rid}"))
    ok(http.get(f"/ping/{shared_key}/made-by-door?rid={rid}"))
    assert http.get("/ping/nobody/knows/this/one").status_code == 400


def _use_schedules_and_shared_keys(http, key, send, channel_id) -> None:
    """Issue 11's routes: a cron monitor joining a shared key's group (a
    transaction), ?create=1, a run with its id, flips, Healthchecks' API."""
    shared = send("POST", "/ping-keys", {"label": "iam"})
    cron = {"schedule": "*/5 * * * *", "tz": "Europe/Berlin", "group_key": shared["key_id"]}
    cron["channels"] = [channel_id]
    send("PUT", "/monitors/nightly", cron)
    rid = "5b0c2b5e-1d1e-4a8e-9a57-0a8b8d6a1f00"
    ok(http.get(f"/ping/{shared['key']}/nightly/start?rid={rid}"))
    ok(http.get(f"/ping/{shared['key']}/nightly?rid={rid}"))
    ok(http.get(f"/ping/{shared['key']}/made-by-ping?create=1"))
    ok(http.get(f"/ping/{shared['key']}/nightly/fail"))  # news: queued for its channel
    ok(http.get("/monitors/nightly/flips", headers=key))
    ok(http.get("/monitors/nightly/downtime?period=week&count=2", headers=key))
    ok(http.get("/ping-keys", headers=key))
    ok(http.get("/api/v3/checks/", headers=key))
    _use_channels(send)


def _use_channels(send) -> None:
    """Issue 12's channels: a secret goes to SSM; a test goes out; delete drops it."""
    hook = {"url": "https://hooks.slack.com/services/T0/B0/iamiamiamiamiamiam"}
    slack = send("POST", "/channels", {"kind": "slack", "name": "iam", "config": hook})
    send("PATCH", f"/channels/{slack['id']}", {"config": hook})
    mail = {"recipients": ["ops@example.com"]}
    email = send("POST", "/channels", {"kind": "email", "name": "ops", "config": mail})
    send("POST", f"/channels/{email['id']}/test")
    send("GET", f"/channels/{email['id']}/deliveries")
    send("GET", "/channels")
    send("DELETE", f"/channels/{slack['id']}")


def _bounce_and_deliver() -> None:
    """Issue 17: SES's events through the topic (a bounce suppresses, a delivery resets)."""
    from herald.local import bounces

    bounces.publish(bounces.event("gone@example.com", "iam-1", kind="bounce"))
    bounces.publish(bounces.event("ops@example.com", "iam-2", kind="delivery"))


def _read_and_delete(http, key) -> None:
    ok(http.get("/suppressions", headers=key))
    ok(http.delete("/suppressions/gone%40example.com", headers=key))
    runs = ok(http.get("/runs", headers=key))
    ok(http.get(f"/runs/{runs['runs'][0]['id']}", headers=key))
    ok(http.get("/subscribers", headers=key))
    subscriptions = ok(http.get("/subscriptions", headers=key))["subscriptions"]
    hooks = ok(http.get("/hooks", headers=key))["hooks"]
    ok(http.get(f"/hooks/{hooks[0]['id']}/deliveries", headers=key))
    for path in (
        f"/hooks/{hooks[0]['id']}",
        f"/subscriptions/{subscriptions[0]['id']}",
        "/subscribers/alice",
        "/monitors/spare",
    ):
        ok(http.delete(path, headers=key))


# Granted for paths the scenario does not walk (failures, retries, redeliveries).
NOT_EXERCISED = {
    "claims": {"dynamodb:GetItem", "dynamodb:DeleteItem"},  # is_done, release after a failure
    "retries": {"sqs:ChangeMessageVisibility", "sqs:GetQueueUrl", "sqs:SendMessage"},
}
UNWALKED = {
    "api_handler": {
        "dynamodb:UpdateItem",  # the testing page's failed-login counter, a monitor's key
        "dynamodb:BatchWriteItem",  # deleting a monitor with a ping log
        "dynamodb:BatchGetItem",
        "dynamodb:ConditionCheckItem",
        "kms:Decrypt",
        "sns:Publish",  # testing an SNS channel: the account's own topics
    },
    "outbox_deliver": NOT_EXERCISED["claims"] | NOT_EXERCISED["retries"],
    # a claim's read-back and release; the operator's notice (no OPERATOR_EMAIL here)
    "mail_events": {"dynamodb:GetItem", "sqs:GetQueueUrl", "sqs:SendMessage"},
    # the intake watch reads CloudWatch in Lambda only (intake.enabled)
    "check_monitors": {"dynamodb:GetItem", "kms:Decrypt", "cloudwatch:GetMetricData"},
    "send_digests": {"dynamodb:GetItem", "events:PutEvents", "sqs:GetQueueUrl", "kms:Decrypt"},
    "send_profile_status": {
        "dynamodb:GetItem",
        "events:PutEvents",
        "sqs:GetQueueUrl",
        "kms:Decrypt",
    },
    "site_jobs_trigger": NOT_EXERCISED["claims"]
    | NOT_EXERCISED["retries"]
    | {"dynamodb:ConditionCheckItem", "kms:Decrypt"},
    "check_subscriptions": {"kms:Decrypt"},
    "notify_subscribers": {"dynamodb:GetItem", "sqs:ChangeMessageVisibility", "kms:Decrypt"},
    "hooks_deliver": NOT_EXERCISED["claims"]
    | NOT_EXERCISED["retries"]
    # a hook's own writes; a channel's operator mail when disabled; SNS channels
    | {"dynamodb:UpdateItem", "kms:Decrypt", "sns:Publish"},
    "wake_monitors": {"kms:Decrypt", "cloudwatch:GetMetricData"},
    "ping_door": {"kms:Decrypt"},
}


def _needed(recorded, function: str) -> set[tuple[str, str]]:
    """Its recorded calls, plus what Lambda does with the function's role."""
    from app import app
    from chalicelib.core import aws
    from herald.local.invoke import queue_handlers

    log_stream = iam_calls.arn("logs", f"log-group:/aws/lambda/herald-dev-{function}:log-stream:x")
    needed = set(recorded.calls[function])
    needed |= {("logs:CreateLogStream", log_stream), ("logs:PutLogEvents", log_stream)}
    for config in queue_handlers(app):
        if config.name == function:  # the event source mapping polls with the role
            queue = iam_calls.arn("sqs", environment.stage_env("dev")[aws.QUEUES[config.queue]])
            for action in ("ReceiveMessage", "DeleteMessage", "GetQueueAttributes"):
                needed.add((f"sqs:{action}", queue))
    return needed


def test_the_scenario_exercises_every_function(recorded):
    assert set(recorded.calls) == set(FUNCTIONS)
    assert set(environment.chalice_config()["lambda_functions"]) == set(FUNCTIONS)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_its_policy_allows_every_call_it_makes(recorded, function):
    policy = iam_calls.policy(function)
    refused = sorted(
        (action, resource)
        for action, resource in _needed(recorded, function)
        if not iam_calls.allowed(policy, action, resource)
    )
    assert refused == [], f"{iam_calls.policy_file(function)} refuses these calls"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_its_policy_grants_nothing_it_never_uses(recorded, function):
    policy = iam_calls.policy(function)
    assert iam_calls.unused(policy, _needed(recorded, function), UNWALKED[function]) == []


@pytest.mark.parametrize("function", FUNCTIONS)
def test_only_the_outbox_sends_mail_and_no_one_lists_parameters(function):
    text = json.dumps(iam_calls.policy(function))
    assert ("ses:SendRawEmail" in text) == (function == "outbox_deliver")
    for never in ("ses:SendEmail", "ssm:GetParametersByPath", "cloudwatch:PutMetricData", '"*:*"'):
        assert never not in text
    assert "logs:CreateLogGroup" not in text  # the template creates each log group
