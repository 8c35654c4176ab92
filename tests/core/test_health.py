import json


def test_it_reports_version_and_reachable_tables(client):
    reply = client.http.get("/health")
    assert reply.status_code == 200
    body = json.loads(reply.body)
    assert body["status"] == "ok"
    assert body["version"]
    assert set(body["tables"]) == {"core", "monitors", "sites", "subscriptions", "hooks"}
    assert set(body["tables"].values()) == {"reachable"}


def test_it_answers_503_when_a_table_is_gone(client, aws):
    import boto3

    boto3.client("dynamodb").delete_table(TableName=aws["HooksTable"])
    reply = client.http.get("/health")
    assert reply.status_code == 503
    assert json.loads(reply.body)["tables"]["hooks"].startswith("unreachable")


def test_an_unknown_route_is_a_json_4xx(client):
    reply = client.http.get("/no-such-thing")
    assert 400 <= reply.status_code < 500
