"""Operator accounts for the dashboard: an e-mail address, admin or read-only.

An account is one item in the core table (pk ACCOUNT#<address>), listed
through gsi1 ("ACCOUNTS"). A password is optional and kept only as a scrypt
hash (hashlib's, no extra package: n=2**14, r=8, 16 MB, about 50 ms), so a
copy of the table cannot sign anyone in. `session_key` is part of every
session's signature (core/sessions.py): changing it ends all of an account's
sessions (sign out, password change, read-only change). With keep_an_admin,
delete() and change() refuse to remove the last admin, checked in the same
transaction as the write, so two admins demoting each other cannot both win.

Sign-in links are single use: the table keeps only an HMAC of the token, and
consuming it is one conditional delete, so two clicks (or a mail scanner and
a person) cannot both sign in with one link.
"""

import base64
import hashlib
import hmac
import secrets as random

from chalicelib.core import auth, aws, clock, errors, values

_TABLE = "CORE_TABLE"
LINK_SECONDS = 15 * 60
MIN_PASSWORD, MAX_PASSWORD = 10, 200
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32, "maxmem": 64 * 1024 * 1024}
# Compared against when an address has no account, so the answer takes as long.
_NO_HASH = "scrypt$" + "A" * 22 + "$" + "A" * 43


def _key(email: str) -> dict:
    return {"pk": f"ACCOUNT#{email.lower()}", "sk": "ACCOUNT"}


def address(value, field: str = "email") -> str:
    return values.email_address(value, field).lower()


def public(item: dict) -> dict:
    return {
        "email": item["email"],
        "read_only": bool(item.get("read_only")),
        "password": bool(item.get("password")),
        "created_at": item.get("created_at"),
    }


def create(email: str, *, read_only: bool = False, password: str | None = None) -> dict:
    email = address(email)
    item = {
        **_key(email),
        "gsi1pk": "ACCOUNTS",
        "gsi1sk": email,
        "email": email,
        "read_only": bool(read_only),
        "session_key": random.token_hex(16),
        "created_at": clock.iso(clock.now()),
    }
    if password is not None:
        item["password"] = hash_password(password)
    written = aws.conditional(
        aws.table(_TABLE).put_item, Item=item, ConditionExpression="attribute_not_exists(pk)"
    )
    if written is None:
        raise errors.Conflict(f"an account for {email} already exists", field="email")
    return public(item)


def get(email: str) -> dict | None:
    if not isinstance(email, str) or not 3 <= len(email) <= values.MAX_ADDRESS:
        return None
    return aws.table(_TABLE).get_item(Key=_key(email), ConsistentRead=True).get("Item")


def list_all() -> list[dict]:
    from boto3.dynamodb.conditions import Key

    condition = Key("gsi1pk").eq("ACCOUNTS")
    found = aws.query_all(aws.table(_TABLE), IndexName="gsi1", KeyConditionExpression=condition)
    return [public(item) for item in found]


def delete(email: str, *, keep_an_admin: bool = False) -> bool:
    """Delete the account; with keep_an_admin, Conflict if it is the last admin."""
    if keep_an_admin and _is_admin(email):
        write = {"Key": _key(email), "ConditionExpression": "attribute_exists(pk)"}
        _keeping_an_admin(email, {"Delete": write})
        return True
    reply = aws.table(_TABLE).delete_item(Key=_key(email), ReturnValues="ALL_OLD")
    return "Attributes" in reply


def change(
    email: str,
    *,
    read_only: bool | None = None,
    password: str | None = None,
    keep_an_admin: bool = False,
) -> dict:
    """Set read_only and/or a password; either ends the account's sessions.

    With keep_an_admin, making the last admin account read-only is a Conflict.
    """
    sets = {"session_key": random.token_hex(16)}
    if read_only is not None:
        sets["read_only"] = bool(read_only)
    if password is not None:
        sets["password"] = hash_password(password)
    names = {f"#f{i}": name for i, name in enumerate(sets)}
    update = {
        "Key": _key(email),
        "UpdateExpression": "SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(sets))),
        "ConditionExpression": "attribute_exists(pk)",
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": {f":v{i}": value for i, value in enumerate(sets.values())},
    }
    if keep_an_admin and read_only and _is_admin(email):
        _keeping_an_admin(email, {"Update": update})
        return public(get(email) or {"email": email})
    written = aws.conditional(aws.table(_TABLE).update_item, **update, ReturnValues="ALL_NEW")
    if written is None:
        raise errors.NotFound(f"no account for {email}")
    return public(written["Attributes"])


def _is_admin(email: str) -> bool:
    item = get(email)
    if item is None:
        raise errors.NotFound(f"no account for {email[:100]}")
    return not item.get("read_only")


def _keeping_an_admin(email: str, write: dict) -> None:
    """write (one TransactWriteItems entry on email's account), done in one
    transaction with a check that some other account is still an admin: two
    admins demoting each other at the same moment cannot leave none."""
    name = aws.table(_TABLE).name
    write[next(iter(write))]["TableName"] = name
    others = [a["email"] for a in list_all() if not a["read_only"] and a["email"] != email]
    # The index may be a moment behind: each candidate is checked in the
    # transaction itself, the next one tried when it is no admin any more.
    for other in others[:5]:
        check = {
            "TableName": name,
            "Key": _key(other),
            "ConditionExpression": "read_only = :no",
            "ExpressionAttributeValues": {":no": False},
        }
        # The resource's client takes plain Python values, as Table calls do.
        client = aws.dynamodb().meta.client
        done = aws.conditional(
            client.transact_write_items, TransactItems=[write, {"ConditionCheck": check}]
        )
        if done is not None:
            return
        if get(email) is None:
            raise errors.NotFound(f"no account for {email}")
    raise errors.Conflict(
        f"{email} is the last admin account: make another account an admin first", field="email"
    )


def end_sessions(email: str) -> None:
    aws.conditional(
        aws.table(_TABLE).update_item,
        Key=_key(email),
        UpdateExpression="SET session_key = :key",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues={":key": random.token_hex(16)},
    )


# ---- passwords -------------------------------------------------------------------


def hash_password(password) -> str:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise errors.Invalid.at(
            "password", f"must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long"
        )
    salt = random.token_bytes(16)
    return "scrypt$" + _b64(salt) + "$" + _b64(_scrypt(password, salt))


def password_matches(item: dict | None, given: str) -> bool:
    """Whether given is the account's password; as slow when there is no account."""
    stored = (item or {}).get("password") or _NO_HASH
    _, salt, expected = stored.split("$")
    # Hashed cut to the longest password there can be (so a huge one costs no
    # more), but never a match: a stored password's first 200 characters
    # followed by anything are not that password.
    actual = _scrypt(given[:MAX_PASSWORD], _unb64(salt))
    same = hmac.compare_digest(actual, _unb64(expected))
    return same and stored is not _NO_HASH and len(given) <= MAX_PASSWORD


def _scrypt(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode("utf-8", "surrogatepass"), salt=salt, **_SCRYPT)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# ---- single-use sign-in links ----------------------------------------------------


def _link_key(token: str) -> dict:
    return {"pk": f"SIGNINLINK#{auth.digest(token)}", "sk": "SIGNINLINK"}


def issue_link(email: str) -> str:
    """A new sign-in token for the account, valid LINK_SECONDS (TTL removes it).

    It is bound to the account's session_key, so signing out everywhere, or a
    change of password or role, voids links not yet used as it ends sessions.
    """
    account = get(email)
    if account is None:
        raise errors.NotFound(f"no account for {email}")
    token = random.token_urlsafe(32)
    expires = int(clock.epoch()) + LINK_SECONDS
    item = {**_link_key(token), "email": account["email"], "expires_at": expires}
    aws.table(_TABLE).put_item(Item={**item, "session_key": account["session_key"]})
    return token


def consume_link(token) -> dict | None:
    """The account the token signs in, once; None when used, expired or unknown."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    removed = aws.conditional(
        aws.table(_TABLE).delete_item,
        Key=_link_key(token),
        ConditionExpression="attribute_exists(pk) AND expires_at > :now",
        ExpressionAttributeValues={":now": int(clock.epoch())},
        ReturnValues="ALL_OLD",
    )
    if removed is None or "Attributes" not in removed:
        return None
    link, account = removed["Attributes"], get(removed["Attributes"]["email"])
    if account is None or link.get("session_key") != account["session_key"]:
        return None
    return account
