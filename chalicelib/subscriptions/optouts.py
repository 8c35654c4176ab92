"""Who left a subscription by the unsubscribe link in its mail.

One item per (subscription, address) in the subscription's own partition
(SUBSCRIPTION#<id> / UNSUBSCRIBED#<address lower-cased>), so store.load()
reads them with the settings and pairs in its one Query, a replacement of
the subscription (PUT) keeps them, and deleting it takes them along.

Unsubscribing removes that address from that subscription's mail, nothing
more: the subscription stays (an operator made it; it may tell channels and
other people too), the person's other subscriptions still mail them, and
the link's page offers to undo it.
"""

from chalicelib.core import aws, clock

_PREFIX = "UNSUBSCRIBED#"


def key(subscription_id: str, address: str) -> dict:
    return {"pk": f"SUBSCRIPTION#{subscription_id}", "sk": f"{_PREFIX}{address.lower()}"}


def is_one(item: dict) -> bool:
    return item["sk"].startswith(_PREFIX)


def _table():
    from chalicelib.subscriptions import store

    return aws.table(store.TABLE)


def unsubscribe(subscription_id: str, address: str) -> bool | None:
    """True when the address left now, False when it had already; None when
    there is no such subscription (deleted since the mail went out)."""
    from chalicelib.subscriptions import store

    loaded = store.load(subscription_id)
    if loaded is None:
        return None
    if address.lower() in loaded["subscription"]["unsubscribed"]:
        return False
    item = {**key(subscription_id, address), "address": address.lower()}
    item["since"] = clock.iso(clock.now())
    # attribute_not_exists: a second click at the same moment keeps the first time.
    aws.conditional(_table().put_item, Item=item, ConditionExpression="attribute_not_exists(pk)")
    return True


def resubscribe(subscription_id: str, address: str) -> None:
    _table().delete_item(Key=key(subscription_id, address))


def is_unsubscribed(subscription_id: str, address: str) -> bool:
    item = _table().get_item(Key=key(subscription_id, address), ConsistentRead=True)
    return "Item" in item
