"""API keys: shown once, stored as a keyed hash, checked in constant time."""

import boto3
import pytest

from chalicelib.core import auth
from chalicelib.core.errors import Forbidden as ForbiddenError
from chalicelib.core.errors import Unauthorized as UnauthorizedError


class Request:
    def __init__(self, headers):
        self.headers = {k.lower(): v for k, v in headers.items()}


def test_it_accepts_the_key_it_created(aws):
    key = auth.create(label="ci")["key"]
    assert auth.require(Request({"X-Api-Key": key}), write=True)["label"] == "ci"


def test_it_stores_no_key_in_the_table(aws):
    key = auth.create()["key"]
    items = boto3.resource("dynamodb").Table(aws["CoreTable"]).scan()["Items"]
    assert items and all(key not in str(item) for item in items)


@pytest.mark.parametrize(
    "header", [{}, {"X-Api-Key": ""}, {"X-Api-Key": "hk_nope_nope"}, {"X-Api-Key": "not-a-key"}]
)
def test_it_refuses_missing_or_wrong_keys(aws, header):
    with pytest.raises(UnauthorizedError):
        auth.require(Request(header))


def test_it_refuses_a_right_id_with_a_wrong_secret(aws):
    key = auth.create()["key"]
    with pytest.raises(UnauthorizedError):
        auth.require(Request({"X-Api-Key": key[:-4] + "AAAA"}))


def test_a_read_only_key_reads_but_does_not_write(aws):
    key = auth.create(read_only=True)["key"]
    assert auth.require(Request({"X-Api-Key": key}))
    with pytest.raises(ForbiddenError):
        auth.require(Request({"X-Api-Key": key}), write=True)


def test_a_revoked_key_stops_working(aws):
    created = auth.create()
    assert auth.revoke(created["key_id"])
    with pytest.raises(UnauthorizedError):
        auth.require(Request({"X-Api-Key": created["key"]}))


@pytest.mark.parametrize(
    "key", ["hk_" + "a" * 5000 + "_x", "hk_" + "0" * 12 + "_" + "x" * 5000, "hk_ÄÖ_x", "hk__x"]
)
def test_an_oversized_or_odd_key_is_refused_before_it_reaches_dynamodb(client, key):
    reply = client.http.get("/monitors", headers={"X-Api-Key": key})
    assert reply.status_code == 401
