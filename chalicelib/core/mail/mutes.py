"""Mutes: a recipient who asked (by the signed link in an alert) to get no more
alert mail about one monitor.

One core-table item per (monitor, address): pk MUTE#<monitor>, sk
MUTE#<address lower-cased>, so one BatchGetItem answers for every recipient
of a notice and one Query lists a monitor's muted recipients. Only mail is
muted: the monitor's other channels and other recipients are told as before.
"""

from chalicelib.core import aws, clock

_TABLE = "CORE_TABLE"


def _key(address: str, monitor: str) -> dict:
    return {"pk": f"MUTE#{monitor}", "sk": f"MUTE#{address.lower()}"}


def mute(address: str, monitor: str) -> None:
    """Idempotent: muting again keeps the first time."""
    aws.conditional(
        aws.table(_TABLE).put_item,
        Item={
            **_key(address, monitor),
            "address": address.lower(),
            "monitor": monitor,
            "since": clock.iso(clock.now()),
        },
        ConditionExpression="attribute_not_exists(pk)",
    )


def unmute(address: str, monitor: str) -> None:
    aws.table(_TABLE).delete_item(Key=_key(address, monitor))


def is_muted(address: str, monitor: str) -> bool:
    return bool(muted([address], monitor))


def muted(addresses: list[str], monitor: str) -> set[str]:
    """Which of addresses (lower-cased) are muted for the monitor: one request."""
    keys = list({address.lower(): _key(address, monitor) for address in addresses}.values())
    return {item["address"] for item in aws.batch_get(aws.table(_TABLE), keys)} if keys else set()


def of_monitor(monitor: str) -> list[dict]:
    """The monitor's muted recipients: [{"address", "since"}]."""
    from boto3.dynamodb.conditions import Key

    condition = Key("pk").eq(f"MUTE#{monitor}") & Key("sk").begins_with("MUTE#")
    items = aws.query_all(aws.table(_TABLE), KeyConditionExpression=condition)
    return [{"address": item["address"], "since": item["since"]} for item in items]
