"""Schemathesis, driven by chalicelib/core/openapi.json, against the in-process app.

Every operation gets generated requests, valid and invalid by the document,
with hostile strings and numbers mixed in, each sent with a read-write key,
a read-only key, a made-up key or none; path and query values are often
swapped for ones naming the seeded monitor, subscriber, subscription, hook
and run, so that bodies reach real resources. A run fails on any 5xx, on a
reply the document does not describe (status, content type, required
headers, body schema), on invalid data accepted, and on any change to stored
data by a refused (4xx) request. Bounded and reproducible: derandomized, a
fixed number of examples per operation (HERALD_FUZZ_EXAMPLES), on moto.
"""

import collections
import contextlib
import copy
import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from herald import environment
from tests.core import fuzz_harness

EXAMPLES = int(os.environ.get("HERALD_FUZZ_EXAMPLES", "20"))
# Unset: derandomized, the same cases every run (CI); a number: another search.
SEED = os.environ.get("HERALD_FUZZ_SEED")
PASSWORD = "fuzz-testing-password"
DOCUMENT = json.loads((environment.ROOT / "chalicelib" / "core" / "openapi.json").read_text())
MONITOR = {"max_sleep": 60, "email_frequency": 300, "device_email": "ops@example.com"}
SUBSCRIPTION = {
    "subscriber": "duty",
    "resources": [{"name": "incidents", "url": "https://app.example.org/feed"}],
}
HOOKS = [
    {"node": "monitor.*", "type": "webhook", "arg": "https://hooks.example.org/in"},
    {"node": "monitor.down", "type": "python", "arg": "log_event", "persistent": True},
]
RUN_ID = "example-digest-20261102T050000Z"
# Bodies the app takes, for the near misses: (method, path template, body).
VALID = [
    ("POST", "/monitors", {**MONITOR, "name": "near miss", "device_email": ["a@example.com"]}),
    ("PUT", "/monitors/{name}", {**MONITOR, "monitor": "yes", "require_key": True}),
    ("POST", "/subscribers", {"id": "near", "name": "Near", "contacts": ["n@example.com"]}),
    (
        "PUT",
        "/subscribers/{subscriber_id}",
        {"name": "Duty", "contacts": [{"address": "d@example.com", "priority": 2}]},
    ),
    ("POST", "/subscriptions", {**SUBSCRIPTION, "notify_on": "new,upd", "frequency": "hourly"}),
    ("PUT", "/subscriptions/{subscription_id}", {**SUBSCRIPTION, "email_format": "html"}),
    (
        "POST",
        "/hooks",
        {"node": "site.*", "service": "herald", "type": "python", "arg": "log_event"},
    ),
]


@pytest.fixture(scope="module")
def herald():
    """Herald on moto (the stack from infra/), the testing page on, a fake
    resolver (no DNS), API keys made as `herald api-keys create` makes them."""
    from chalice.test import Client
    from moto import mock_aws
    from moto.core.botocore_stubber import BotocoreStubber

    from chalicelib.core import aws as clients
    from chalicelib.core import ssrf
    from herald.local import stack

    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_ENDPOINT_URL", "HERALD_LOCAL", "AWS_PROFILE"):
            patch.delenv(name, raising=False)
        for name, value in {
            **environment.stage_env("dev"),
            **environment.fake_credentials(),
            "HERALD_SECRET_KEY": "fuzz-secret-key",
            "HERALD_PUBLIC_URL": "http://herald.test",
            "HERALD_TESTING_PASSWORD": PASSWORD,
        }.items():
            patch.setenv(name, value)
        patch.setattr(ssrf, "resolve", lambda host, port: [_literal(host) or "93.184.215.14"])
        fuzz, send = None, BotocoreStubber.__call__

        def sending(self, event_name, request, **kwargs):
            if fuzz is not None and fuzz.watch is not None:
                fuzz.watch.sending(event_name, request)
            return send(self, event_name, request, **kwargs)

        patch.setattr(BotocoreStubber, "__call__", sending)
        with mock_aws():
            clients.reset()
            stack.deploy("dev")
            from app import app
            from chalicelib.core import auth

            keys = {
                "read-write": auth.create(label="fuzz")["key"],
                "read-only": auth.create(read_only=True, label="fuzz")["key"],
                "made-up": "hk_0123456789ab_" + "x" * 43,
                "none": None,
            }
            with Client(app, stage_name="dev", project_dir=str(environment.ROOT)) as client:
                fuzz = Fuzz(fuzz_harness.ChaliceWSGI(client.http), keys)
                yield fuzz
            # Seen with -s: how far the requests got.
            print("\nreplies by status:", dict(sorted(fuzz.statuses.items())))
            clients.reset()


def _literal(host):
    import ipaddress

    with contextlib.suppress(ValueError):
        return str(ipaddress.ip_address(host))
    return None


class Fuzz:
    """The app, its keys, the seeded resources, the watch on stored data."""

    def __init__(self, wsgi, keys):
        from werkzeug.test import Client

        self.wsgi, self.keys, self.known = wsgi, keys, {}
        self.watch, self.dirty, self.statuses = None, True, collections.Counter()
        self.client = Client(wsgi)
        reply = self.client.post(
            "/testing/login", json={"password": PASSWORD}, headers={"X-Herald-Testing": "1"}
        )
        assert reply.status_code == 200, reply.get_data()
        self.cookie = reply.headers["Set-Cookie"].split(";")[0]

    def call(self, method, path, body=None, key="read-write"):
        data = None if body is None else json.dumps(body)
        reply = self.client.open(
            path,
            method=method,
            headers={"X-Api-Key": self.keys[key]},
            data=data,
            content_type="application/json",
        )
        return reply.status_code, reply.get_json(silent=True)

    def seed(self):
        """The resources the known values name, made again after any request
        that may have changed or deleted them."""
        from chalicelib.sites import runs

        if not self.dirty:
            return
        self.dirty = False
        status, monitor = self.call("PUT", "/monitors/backup", MONITOR)
        assert status in (200, 201), monitor
        self.call("POST", "/monitors/backup/resume")
        self.call("POST", "/subscribers", {"id": "duty", "name": "Duty", "contacts": ["d@x.org"]})
        if not self.call("GET", "/subscriptions")[1]["subscriptions"]:
            self.call("POST", "/subscriptions", SUBSCRIPTION)
        for hook in HOOKS:
            self.call("POST", "/hooks", hook)
        runs.create(RUN_ID, site="example", job="digest", period="2026-11-02")
        slug = monitor["ping_urls"]["slug"].split("/")
        self.known = {
            "name": ["backup"],
            "username": ["backup"],
            "X-Ping-Key": [slug[-2]],
            "key": [slug[-2]],
            "a": [monitor["ping_urls"]["uuid"].rsplit("/", 1)[1], slug[-2]],
            "b": ["backup", "fail", "start", "3"],
            "c": ["fail", "log", "0", "256"],
            "subscriber_id": ["duty"],
            "subscriber": ["duty"],
            "subscription_id": [
                s["id"] for s in self.call("GET", "/subscriptions")[1]["subscriptions"]
            ],
            "hook_id": [h["id"] for h in self.call("GET", "/hooks")[1]["hooks"]] or ["0"],
            "run_id": [RUN_ID],
            "year": ["2026"],
            "month": ["11"],
            "day": ["2"],
        }

    @contextlib.contextmanager
    def watching(self):
        """What the request's DynamoDB writes changed (see fuzz_harness.Watch)."""
        self.watch = fuzz_harness.Watch()
        try:
            yield self.watch
        finally:
            self.watch = None


@pytest.fixture(scope="module")
def schema(herald):
    """The document as the app serves it (GET /openapi.json)."""
    return schemathesis.openapi.from_wsgi("/openapi.json", herald.wsgi)


def _checks():
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi import checks

    return [
        not_a_server_error,
        checks.status_code_conformance,
        checks.content_type_conformance,
        checks.response_headers_conformance,
        checks.response_schema_conformance,
        checks.negative_data_rejection,
    ]


# Mostly a key that gets past the door, so that most requests reach the handlers.
KEY_CHOICES = ["read-write"] * 3 + ["read-only", "made-up", "none", "as generated"]
BODIES = {
    **{f"{method} {template}": body for method, template, body in VALID},
    "PATCH /hooks/{hook_id}": {"enabled": True},
    "POST /testing/login": {"password": PASSWORD},
}
OPERATIONS = [
    f"{method.upper()} {path}" for path, item in DOCUMENT["paths"].items() for method in item
]


@pytest.mark.parametrize("label", OPERATIONS)
def test_it_survives_hostile_requests(herald, schema, label):
    from schemathesis import GenerationMode

    operation = schema.find_operation_by_label(label)
    herald.seed()
    modes = list(GenerationMode)
    strategies = {mode: operation.as_strategy(generation_mode=mode) for mode in modes}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=SEED is None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data):
        case = data.draw(strategies[data.draw(st.sampled_from(modes))])
        if label in BODIES and data.draw(st.booleans()):
            case.body = copy.deepcopy(BODIES[label])  # to be spoilt at one place, or not
        fuzz_harness.steer(case, herald.known, data)
        key = data.draw(st.sampled_from(KEY_CHOICES))
        if key != "as generated":
            headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "x-api-key"}
            case.headers = {
                **headers,
                **({"X-Api-Key": herald.keys[key]} if herald.keys[key] else {}),
            }
        if label.split()[1].startswith("/testing") and data.draw(st.booleans()):
            case.headers = {**(case.headers or {}), "Cookie": herald.cookie}
        with herald.watching() as writes:
            response = case.call()
        herald.statuses[response.status_code] += 1
        case.validate_response(response, checks=_checks())
        if 400 <= response.status_code < 500:
            changed = writes.changed()
            assert not changed, f"{label} answered {response.status_code}, yet changed {changed}"
        elif case.method != "GET":
            herald.dirty = True

    (seed(int(SEED))(run) if SEED else run)()


def _allowed(validator, body) -> bool:
    try:
        return validator.is_valid(body)
    except UnicodeError:  # a lone surrogate is no Unicode text: nothing allows it
        return False


def test_it_refuses_near_misses_of_valid_bodies(herald):
    """Each string of a valid body made just invalid (a trailing newline, a NUL,
    200 times as long...): never a 5xx, never taken when the document forbids
    it, and nothing stored when refused."""
    import jsonschema_rs

    herald.seed()
    taken = []
    for method, template, valid in VALID:
        path = template.format(**{name: values[0] for name, values in herald.known.items()})
        operation = DOCUMENT["paths"][template][method.lower()]
        schema = {
            **operation["requestBody"]["content"]["application/json"]["schema"],
            "components": DOCUMENT["components"],
        }
        validator = jsonschema_rs.validator_for(schema)
        for index in range(len(list(fuzz_harness.string_leaves(valid)))):
            for miss, spoil in fuzz_harness.NEAR_MISSES_IN_JSON.items():
                body = copy.deepcopy(valid)
                parent, key = list(fuzz_harness.string_leaves(body))[index]
                parent[key] = spoil(parent[key])
                with herald.watching() as writes:
                    status, reply = herald.call(method, path, body)
                assert status < 500, (method, path, body, reply)
                if status < 400 and not _allowed(validator, body):
                    taken.append(f"{method} {template} took {key!r} with {miss}: {body}")
                if status >= 400:
                    assert writes.changed() == [], (method, path, body)
        herald.dirty = True
    assert taken == []
