"""The resources template and the stage configuration agree, on moto."""

import json

import boto3
import pytest
from moto import mock_aws

from herald import environment
from herald.local import stack


def _camel(env_name: str) -> str:
    return "".join(part.capitalize() for part in env_name.lower().split("_"))


@pytest.mark.parametrize("stage", environment.stages())
def test_it_names_every_resource_as_the_stage_config_does(aws_env, monkeypatch, stage):
    env = environment.stage_env(stage)
    monkeypatch.setenv("MAIL_SENDER", env["MAIL_SENDER"])
    with mock_aws():
        outputs = stack.deploy(stage)
    named = {k: v for k, v in env.items() if k.endswith(("_TABLE", "_QUEUE")) or k == "EVENT_BUS"}
    assert named, "the stage names no resources"
    assert named == {k: outputs[_camel(k)] for k in named}


def test_it_sets_ttl_that_moto_cloudformation_ignores(aws):
    dynamodb = boto3.client("dynamodb")
    for output in ("CoreTable", "MonitorsTable", "SitesTable", "SubscriptionsTable", "HooksTable"):
        ttl = dynamodb.describe_time_to_live(TableName=aws[output])["TimeToLiveDescription"]
        assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_every_queue_has_a_dead_letter_queue(aws):
    from chalicelib.core.aws import QUEUES

    sqs = boto3.client("sqs")
    for output in (_camel(variable) for variable in QUEUES.values()):
        url = sqs.get_queue_url(QueueName=aws[output])["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        redrive = json.loads(attributes["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"].endswith(aws[output] + "-dlq")
        assert int(redrive["maxReceiveCount"]) == 5


def test_the_sender_is_verified_for_ses(aws):
    identities = boto3.client("ses").list_identities()["Identities"]
    assert environment.stage_env("dev")["MAIL_SENDER"] in identities


def test_every_table_has_the_sparse_due_index_or_not_by_design(aws):
    dynamodb = boto3.client("dynamodb")
    table = dynamodb.describe_table(TableName=aws["MonitorsTable"])["Table"]
    due = next(i for i in table["GlobalSecondaryIndexes"] if i["IndexName"] == "due")
    assert [k["AttributeName"] for k in due["KeySchema"]] == ["due_pk", "due_at"]


def test_every_table_outlives_a_deleted_or_replaced_stack():
    import yaml

    from herald import environment

    template = yaml.safe_load((environment.ROOT / "infra" / "resources.yaml").read_text())
    tables = {
        name: resource
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::DynamoDB::Table"
    }
    assert len(tables) == 5
    for name, resource in tables.items():
        assert resource.get("DeletionPolicy") == "Retain", name
        assert resource.get("UpdateReplacePolicy") == "Retain", name
