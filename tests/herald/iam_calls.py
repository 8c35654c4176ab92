"""What a function's AWS calls need from IAM, and what its policy allows.

Used by test_iam_policies.py: every boto3 call a handler makes on moto is
recorded under the function running it, turned into the IAM actions and
resource ARNs AWS would check, and matched against that function's policy
file (.chalice/, named in config.json), its CloudFormation Fn::Sub resolved.
"""

import json
import os
import re
from collections import defaultdict
from contextlib import contextmanager

from herald import environment

REGION, ACCOUNT, PARTITION = "us-east-1", "123456789012", "aws"
# Batch calls are authorised as their single-message action (SQS's own rule).
_SQS_ACTIONS = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}
# A transaction is authorised item by item, as the single-item action.
_TRANSACT = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem"}
_TRANSACT |= {"ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}


def arn(service: str, resource: str) -> str:
    return f"arn:{PARTITION}:{service}:{REGION}:{ACCOUNT}:{resource}"


def needs(service: str, operation: str, params: dict) -> list[tuple[str, str]]:
    """The (action, resource) pairs IAM checks for one API call."""
    if service == "dynamodb":
        return _dynamodb(operation, params)
    if service == "sqs":
        queue = params.get("QueueName") or params["QueueUrl"].rstrip("/").rsplit("/", 1)[1]
        return [(f"sqs:{_SQS_ACTIONS.get(operation, operation)}", arn("sqs", queue))]
    if service == "events":
        buses = {e.get("EventBusName", "default") for e in params.get("Entries", [])}
        return [(f"events:{operation}", arn("events", f"event-bus/{bus}")) for bus in buses]
    if service == "ses":
        # A send naming a configuration set is authorised on the set too (AWS
        # checks both; a policy on the identity alone refuses every such send).
        sender = os.environ["MAIL_SENDER"]
        pairs = [(f"ses:{operation}", arn("ses", f"identity/{sender}"))]
        if params.get("ConfigurationSetName"):
            resource = f"configuration-set/{params['ConfigurationSetName']}"
            pairs.append((f"ses:{operation}", arn("ses", resource)))
        return pairs
    if service == "ssm" and "Name" in params:
        return [(f"ssm:{operation}", arn("ssm", f"parameter{params['Name']}"))]
    return [(f"{service}:{operation}", "*")]


def _dynamodb(operation: str, params: dict) -> list[tuple[str, str]]:
    if operation in ("TransactWriteItems", "TransactGetItems"):
        pairs = []
        for item in params["TransactItems"]:
            ((kind, body),) = item.items()
            pairs.append(
                (f"dynamodb:{_TRANSACT[kind]}", arn("dynamodb", f"table/{body['TableName']}"))
            )
        return pairs
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [
            (f"dynamodb:{operation}", arn("dynamodb", f"table/{t}")) for t in params["RequestItems"]
        ]
    resource = f"table/{params['TableName']}"
    if params.get("IndexName"):
        resource += f"/index/{params['IndexName']}"
    return [(f"dynamodb:{operation}", arn("dynamodb", resource))]


class Recorder:
    """Calls made while a function runs, by function name."""

    def __init__(self):
        self.current: str | None = None
        self.calls: dict[str, set[tuple[str, str]]] = defaultdict(set)

    @contextmanager
    def running(self, function: str):
        outer, self.current = self.current, function
        try:
            yield
        finally:
            self.current = outer

    def record(self, service: str, operation: str, params: dict) -> None:
        if self.current is not None:
            self.calls[self.current].update(needs(service, operation, params))

    def secret(self, name: str) -> None:
        """In Lambda every secret is one SSM GetParameter (tests read the environment)."""
        if self.current is not None:
            stage = os.environ.get("HERALD_STAGE", "dev")
            parameter = arn("ssm", f"parameter/herald/{stage}/{name}")
            self.calls[self.current].add(("ssm:GetParameter", parameter))


# ---- the policies ---------------------------------------------------------------


def policy_file(function: str) -> str:
    config = environment.chalice_config()
    return config["lambda_functions"][function]["iam_policy_file"]


def policy(function: str, stage: str = "dev") -> dict:
    path = environment.ROOT / ".chalice" / policy_file(function)
    return resolve(json.loads(path.read_text()), stage)


def resolve(value, stage: str):
    """The document with each Fn::Sub filled in as CloudFormation would."""
    names = {"Stage": stage, "AWS::Region": REGION, "AWS::AccountId": ACCOUNT}
    names["AWS::Partition"] = PARTITION
    if isinstance(value, dict):
        if set(value) == {"Fn::Sub"}:
            return re.sub(r"\$\{([^}]+)\}", lambda m: names[m.group(1)], value["Fn::Sub"])
        return {k: resolve(v, stage) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, stage) for v in value]
    return value


def _glob(pattern: str) -> re.Pattern:
    return re.compile(
        "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    )


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def statements(document: dict) -> list[tuple[list[str], list[str]]]:
    found = []
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow", statement
        found.append((_as_list(statement["Action"]), _as_list(statement["Resource"])))
    return found


def allowed(document: dict, action: str, resource: str) -> bool:
    return any(
        any(_glob(a).fullmatch(action) for a in actions)
        and any(_glob(r).fullmatch(resource) for r in resources)
        for actions, resources in statements(document)
    )


def unused(document: dict, used: set[tuple[str, str]], excused: set[str]) -> list[str]:
    """Each granted action, and each granted resource, that no call needed
    (an excused action counts as used on each resource of its statement)."""
    waste = []
    for actions, resources in statements(document):
        used = used | {(a, r) for a in actions if a in excused for r in resources}
        for action in actions:
            if not any(
                _glob(action).fullmatch(a) and any(_glob(r).fullmatch(res) for r in resources)
                for a, res in used
            ):
                waste.append(f"{action} on {resources}")
        for resource in resources:
            if not any(
                _glob(resource).fullmatch(res) and any(_glob(a).fullmatch(act) for a in actions)
                for act, res in used
            ):
                waste.append(f"{resource} for {actions}")
    return waste
