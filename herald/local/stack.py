"""Herald's resources on moto, built from infra/resources.yaml.

The same template a real deployment merges into its SAM template is deployed
here through CloudFormation, so tests and local mode can never drift from
production's tables and queues. What moto's CloudFormation leaves out is
applied through the ordinary API (see apply_ttl).
"""

import os
from pathlib import Path

import boto3
import yaml

from herald.environment import ROOT

TEMPLATE = ROOT / "infra" / "resources.yaml"


def load_template(path: Path = TEMPLATE) -> dict:
    return yaml.safe_load(path.read_text())


def deploy(stage: str = "dev", *, visibility_seconds: int | None = None) -> dict[str, str]:
    """Create the stack herald-<stage>; returns its outputs by name."""
    cloudformation = boto3.client("cloudformation")
    parameters = [{"ParameterKey": "Stage", "ParameterValue": stage}]
    if visibility_seconds is not None:
        parameters.append(
            {"ParameterKey": "QueueVisibilitySeconds", "ParameterValue": str(visibility_seconds)}
        )
    cloudformation.create_stack(
        StackName=f"herald-{stage}", TemplateBody=TEMPLATE.read_text(), Parameters=parameters
    )
    stack = cloudformation.describe_stacks(StackName=f"herald-{stage}")["Stacks"][0]
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise RuntimeError(f"stack herald-{stage}: {stack['StackStatus']}")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    apply_ttl(load_template(), outputs)
    verify_sender()
    return outputs


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


def verify_sender() -> None:
    """SES refuses unverified senders, on moto as on AWS."""
    sender = os.environ.get("MAIL_SENDER")
    if sender:
        boto3.client("ses").verify_email_identity(EmailAddress=sender)
