"""DynamoDB Local's tables come from infra/resources.yaml, as moto's stack does."""

import pytest

from herald.local import dynamodb_local, stack
from tests.helpers import free_port

pytestmark = pytest.mark.skipif(
    dynamodb_local.java() is None, reason="DynamoDB Local needs Java (openjdk-17-jre-headless)"
)


@pytest.fixture(scope="module")
def kept(tmp_path_factory):
    """DynamoDB Local keeping its data in a directory, as `make run` does
    (one for the module: a start costs a JVM's second or two)."""
    data = tmp_path_factory.mktemp("dynamodb")
    server = dynamodb_local.start(free_port(), data)
    yield server
    server.stop()


def described(endpoint: str, name: str) -> dict:
    return dynamodb_local.client(endpoint).describe_table(TableName=name)["Table"]


def test_every_table_of_the_template_is_created_with_its_keys_and_indexes(kept):
    template = stack.load_template()
    outputs = dynamodb_local.create_tables("test", kept.endpoint)

    tables = dynamodb_local.table_resources(template)
    assert outputs == {logical: f"herald-test-{logical[:-5].lower()}" for logical in tables}
    for logical, resource in tables.items():
        properties, table = resource["Properties"], described(kept.endpoint, outputs[logical])
        assert table["KeySchema"] == properties["KeySchema"]
        assert sorted(table["AttributeDefinitions"], key=str) == sorted(
            properties["AttributeDefinitions"], key=str
        )
        assert table["BillingModeSummary"]["BillingMode"] == properties["BillingMode"]
        indexes = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}
        for index in properties["GlobalSecondaryIndexes"]:
            assert indexes[index["IndexName"]]["KeySchema"] == index["KeySchema"]
            assert indexes[index["IndexName"]]["Projection"] == index["Projection"]
        assert len(indexes) == len(properties["GlobalSecondaryIndexes"])


def test_the_keys_only_due_index_stays_keys_only(kept):
    outputs = dynamodb_local.create_tables("test", kept.endpoint)
    indexes = described(kept.endpoint, outputs["MonitorsTable"])["GlobalSecondaryIndexes"]
    assert {i["IndexName"]: i["Projection"]["ProjectionType"] for i in indexes} == {
        "gsi1": "ALL",
        "due": "KEYS_ONLY",
    }


def test_time_to_live_is_on_expires_at(kept):
    outputs = dynamodb_local.create_tables("test", kept.endpoint)
    client = dynamodb_local.client(kept.endpoint)
    for name in outputs.values():
        ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_a_second_create_on_a_kept_directory_keeps_the_tables_and_their_items(tmp_path):
    data = tmp_path / "dynamodb"
    server = dynamodb_local.start(free_port(), data)
    try:
        first = dynamodb_local.create_tables("test", server.endpoint)
        item = {"pk": {"S": "MON#1"}, "sk": {"S": "META"}}
        dynamodb_local.client(server.endpoint).put_item(TableName=first["MonitorsTable"], Item=item)
    finally:
        server.stop()

    server = dynamodb_local.start(free_port(), data)
    try:
        assert dynamodb_local.create_tables("test", server.endpoint) == first
        client = dynamodb_local.client(server.endpoint)
        kept_item = client.get_item(TableName=first["MonitorsTable"], Key=item)
        assert kept_item["Item"] == item
    finally:
        server.stop()


def test_the_stack_without_tables_drops_only_what_refers_to_them():
    template = stack.load_template()
    tables = set(dynamodb_local.table_resources(template))
    rest = stack.without(template, tables)

    assert set(rest["Resources"]) == set(template["Resources"]) - tables
    assert set(rest["Outputs"]) == set(template["Outputs"]) - tables


def test_it_refuses_a_port_another_server_holds(kept):
    taken = int(kept.endpoint.rsplit(":", 1)[1])
    with pytest.raises(RuntimeError, match="in use"):
        dynamodb_local.start(taken)
