"""Herald's resources on moto, built from infra/resources.yaml.

The same template a real deployment merges into its SAM template is deployed
here through CloudFormation, so tests and local mode can never drift from
production's tables and queues. What moto's CloudFormation leaves out is
applied through the ordinary API (see apply_ttl, apply_mail_events).

With dynamodb_endpoint (DynamoDB Local, herald/local/dynamodb_local.py) the
tables are created there from the same template, and moto gets the template
without them and without whatever refers to them.
"""

import json
import os
import re
from pathlib import Path

import boto3
import yaml

from herald.environment import ROOT

TEMPLATE = ROOT / "infra" / "resources.yaml"
# Types moto's CloudFormation skips (with a warning) that Herald needs there:
# taken out of the template and made through their APIs (apply_mail_events).
BY_API = {
    "AWS::SES::ConfigurationSet",
    "AWS::SES::ConfigurationSetEventDestination",
    "AWS::SNS::Subscription",
}


def load_template(path: Path = TEMPLATE) -> dict:
    return yaml.safe_load(path.read_text())


def deploy(
    stage: str = "dev",
    *,
    visibility_seconds: int | None = None,
    dynamodb_endpoint: str | None = None,
) -> dict[str, str]:
    """Create the stack herald-<stage>; returns its outputs by name.

    dynamodb_endpoint: the tables go to DynamoDB Local there, the rest to moto.
    """
    template = load_template()
    tables: dict[str, str] = {}
    if dynamodb_endpoint is not None:
        from herald.local import dynamodb_local

        tables = dynamodb_local.create_tables(stage, dynamodb_endpoint, template)
        template = without(template, set(tables))
    by_api = {name for name, body in template["Resources"].items() if body["Type"] in BY_API}
    outputs = {**_create_stack(stage, without(template, by_api), visibility_seconds), **tables}
    if dynamodb_endpoint is None:
        apply_ttl(template, outputs)
    apply_mail_events(template, outputs)
    verify_sender()
    return outputs


def _create_stack(stage: str, template: dict, visibility_seconds: int | None) -> dict[str, str]:
    cloudformation = boto3.client("cloudformation")
    parameters = [{"ParameterKey": "Stage", "ParameterValue": stage}]
    if visibility_seconds is not None:
        parameters.append(
            {"ParameterKey": "QueueVisibilitySeconds", "ParameterValue": str(visibility_seconds)}
        )
    # The file itself when nothing was taken out: moto parses its YAML tags.
    body = TEMPLATE.read_text() if template == load_template() else json.dumps(template)
    cloudformation.create_stack(
        StackName=f"herald-{stage}", TemplateBody=body, Parameters=parameters
    )
    stack = cloudformation.describe_stacks(StackName=f"herald-{stage}")["Stacks"][0]
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise RuntimeError(f"stack herald-{stage}: {stack['StackStatus']}")
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def without(template: dict, logical_ids: set[str]) -> dict:
    """template less those resources, and every resource or output that
    refers to one of them (Ref, Fn::GetAtt, ${...} in Fn::Sub, DependsOn),
    repeatedly, so nothing left points at a missing resource."""
    resources = dict(template["Resources"])
    outputs = dict(template.get("Outputs", {}))
    gone = set(logical_ids)
    while True:
        for logical in gone:
            resources.pop(logical, None)
        more = {name for name, body in resources.items() if _refers(body, gone)}
        if not more:
            break
        gone |= more
    outputs = {name: body for name, body in outputs.items() if not _refers(body, gone)}
    return {**template, "Resources": resources, "Outputs": outputs}


def _refers(node, logical_ids: set[str]) -> bool:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and value in logical_ids:
                return True
            if key == "Fn::GetAtt" and _getatt_target(value) in logical_ids:
                return True
            if key == "Fn::Sub" and _sub_refers(value, logical_ids):
                return True
            if key == "DependsOn" and set(_as_list(value)) & logical_ids:
                return True
            if _refers(value, logical_ids):
                return True
        return False
    if isinstance(node, list):
        return any(_refers(value, logical_ids) for value in node)
    return False


def _getatt_target(value) -> str:
    return value[0] if isinstance(value, list) else str(value).split(".")[0]


def _sub_refers(value, logical_ids: set[str]) -> bool:
    text = value[0] if isinstance(value, list) else value
    names = {name.split(".")[0] for name in re.findall(r"\$\{([^}!]+)\}", str(text))}
    return bool(names & logical_ids)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def apply_ttl(template: dict, outputs: dict[str, str]) -> None:
    # moto's CloudFormation ignores TimeToLiveSpecification; set it through the
    # DynamoDB API so the tables match the template (moto never expires items).
    dynamodb = boto3.client("dynamodb")
    for logical, resource in template["Resources"].items():
        ttl = resource.get("Properties", {}).get("TimeToLiveSpecification")
        if resource["Type"] == "AWS::DynamoDB::Table" and ttl:
            dynamodb.update_time_to_live(
                TableName=outputs[logical],
                TimeToLiveSpecification={
                    "AttributeName": ttl["AttributeName"],
                    "Enabled": ttl["Enabled"],
                },
            )


def apply_mail_events(template: dict, outputs: dict[str, str]) -> None:
    """The configuration set, its event destination and the topic's queue
    subscription, as the template has them (moto's CloudFormation has none)."""
    resources = template["Resources"]
    destination = resources["MailEventsDestination"]["Properties"]["EventDestination"]
    ses, sns, sqs = boto3.client("ses"), boto3.client("sns"), boto3.client("sqs")
    name = outputs["MailConfigurationSet"]
    ses.create_configuration_set(ConfigurationSet={"Name": name})
    ses.create_configuration_set_event_destination(
        ConfigurationSetName=name,
        EventDestination={
            "Name": destination["Name"],
            "Enabled": destination["Enabled"],
            "MatchingEventTypes": destination["MatchingEventTypes"],
            "SNSDestination": {"TopicARN": outputs["MailEventsTopic"]},
        },
    )
    subscription = resources["MailEventsSubscription"]["Properties"]
    url = sqs.get_queue_url(QueueName=outputs["MailEventsQueue"])["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    sns.subscribe(
        TopicArn=outputs["MailEventsTopic"],
        Protocol=subscription["Protocol"],
        Endpoint=arn["QueueArn"],
        Attributes={"RawMessageDelivery": str(subscription["RawMessageDelivery"]).lower()},
    )


def verify_sender() -> None:
    """SES refuses unverified senders, on moto as on AWS."""
    sender = os.environ.get("MAIL_SENDER")
    if sender:
        boto3.client("ses").verify_email_identity(EmailAddress=sender)
