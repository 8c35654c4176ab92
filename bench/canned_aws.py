"""AWS answered from a recording: one ping's DynamoDB calls, replayed by a botocore stub.

record_ping() pings a monitor on moto (in-process) and keeps, for each
DynamoDB call the ping made, its low-level parameters (the JSON body sent)
and moto's raw reply (status, headers, body). install() then answers every
DynamoDB call of every botocore session made afterwards from those replies,
through a `before-send` handler: validation, serialisation, signing and
parsing all run, only the network does not. Saved as JSON, a fresh
interpreter can install the same answers (bench/cold_start.py).

    import canned_aws              # bench/ is on sys.path when a bench runs
    event, recording = canned_aws.steady_ping()  # inside harness.moto_stack()
    canned_aws.install(recording)               # after moto has stopped
"""

import json


def api_gateway_event(path: str, resource: str, parameters: dict) -> dict:
    """The REST API's proxy event for a GET, as API Gateway hands it to Lambda."""
    return {
        "resource": resource,
        "path": path,
        "httpMethod": "GET",
        "headers": {"Host": "herald.bench", "User-Agent": "bench"},
        "multiValueHeaders": {"Host": ["herald.bench"], "User-Agent": ["bench"]},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": parameters,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": "GET",
            "path": f"/api{path}",
            "stage": "api",
            "requestId": "bench",
            "identity": {"sourceIp": "192.0.2.1", "userAgent": "bench"},
        },
        "body": None,
        "isBase64Encoded": False,
    }


class LambdaContext:
    """What Lambda's Python runtime passes as the context (its own class, not
    chalice.local's, whose import of http.server and multiprocessing a
    deployed function never pays)."""

    function_name, memory_limit_in_mb = "api_handler", 256
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:api_handler"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def lambda_context():
    return LambdaContext()


def steady_ping() -> tuple[dict, list[dict]]:
    """A monitor's steady ping on moto (inside harness.moto_stack()): its event
    and its recorded calls. The first ping of a life also writes its first
    flip, so the second one is recorded."""
    from chalicelib.monitors import admin, store

    settings = {"max_sleep": 3600, "email_frequency": 3600, "device_email": "o@example.com"}
    admin.upsert("bench", settings)
    uuid = store.uuid_for("bench")
    event = api_gateway_event(f"/ping/{uuid}", "/ping/{a}", {"a": uuid})
    record_ping(event)
    return event, record_ping(event)


def record_ping(event: dict) -> list[dict]:
    """The DynamoDB calls one ping makes through app(event, context), with moto's replies."""
    from app import app
    from chalicelib.core import aws

    calls: list[dict] = []
    # The resource layer's client and the plain one: a ping may use either.
    clients = [aws.dynamodb().meta.client, aws.client("dynamodb")]

    def sent(model, params, **kwargs):
        calls.append({"operation": model.name, "params": json.loads(params["body"] or b"{}")})

    def answered(http_response, model, **kwargs):
        calls[-1]["reply"] = {
            "status": http_response.status_code,
            "headers": dict(http_response.headers),
            "body": http_response.content.decode(),
        }

    for client in clients:
        client.meta.events.register("before-call.dynamodb", sent)
        client.meta.events.register("after-call.dynamodb", answered)
    try:
        reply = app(event, lambda_context())
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.dynamodb", sent)
            client.meta.events.unregister("after-call.dynamodb", answered)
    assert reply["statusCode"] == 200, reply
    return calls


class _Raw:
    """What botocore reads an HTTP body from."""

    def __init__(self, body: bytes):
        self.body = body

    def stream(self, **kwargs):
        yield self.body


def install(recording: list[dict], parameters: dict[str, str] | None = None) -> None:
    """Answer DynamoDB from the recording in every botocore session made from now on,
    and SSM's GetParameter from `parameters` (name: value) when given."""
    import botocore.handlers
    from botocore.awsrequest import AWSResponse

    replies = {call["operation"]: call["reply"] for call in recording}

    def answer(request, **kwargs):
        target = request.headers.get("X-Amz-Target", b"")
        operation = (target.decode() if isinstance(target, bytes) else target).split(".")[-1]
        reply = replies[operation]
        body = reply["body"].encode()
        return AWSResponse(request.url, reply["status"], reply["headers"], _Raw(body))

    def parameter(request, **kwargs):
        name = json.loads(request.body)["Name"]
        found = {"Name": name, "Type": "SecureString", "Value": parameters[name], "Version": 1}
        headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "bench"}
        body = json.dumps({"Parameter": found}).encode()
        return AWSResponse(request.url, 200, headers, _Raw(body))

    botocore.handlers.BUILTIN_HANDLERS.append(("before-send.dynamodb", answer))
    if parameters:
        botocore.handlers.BUILTIN_HANDLERS.append(("before-send.ssm", parameter))
