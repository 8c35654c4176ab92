"""Operator access over HTTP: /api-keys and /accounts (changes need a read-write caller).

A caller signed in through the dashboard may not delete or demote their own
account, and no caller may delete or demote the last admin account: either
would let one click lock every operator out (the CLI, with AWS access, is the
way back in, and it is not reachable from a browser).
"""

from chalice import Blueprint

from chalicelib.core import errors, http

blueprint = Blueprint(__name__)
MAX_LABEL = 100


def _fields(body: dict, allowed: set[str]) -> dict:
    """body, refusing unknown fields and a read_only that is not true or false."""
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise errors.Invalid.at(unknown[0][:100], "unknown field")
    if "read_only" in body and not isinstance(body["read_only"], bool):
        raise errors.Invalid.at("read_only", "must be true or false")
    if "password" in body and not isinstance(body["password"], str):
        raise errors.Invalid.at("password", "must be text")
    return body


def _path(value: str) -> str:
    from urllib.parse import unquote

    return unquote(value)


# ---- API keys --------------------------------------------------------------------


@http.route(blueprint, "/api-keys", methods=["GET"])
def api_keys_list():
    from chalicelib.core import auth

    http.caller(blueprint.current_request)
    keys = sorted(auth.list_keys(), key=lambda key: (key.get("created_at") or "", key["key_id"]))
    return {"api_keys": keys}


@http.route(blueprint, "/api-keys", methods=["POST"])
def api_keys_create():
    from chalicelib.core import auth, values

    request = blueprint.current_request
    http.caller(request, write=True)
    body = _fields(http.json_object(request), {"read_only", "label"})
    label = body.get("label", "")
    # printable() refuses "" (no line at all); no label is fine.
    if (
        not isinstance(label, str)
        or len(label) > MAX_LABEL
        or (label and not values.printable(label))
    ):
        raise errors.Invalid.at("label", f"must be one line of at most {MAX_LABEL} characters")
    created = auth.create(read_only=body.get("read_only", False), label=label)
    return http.reply(201, created)


@http.route(blueprint, "/api-keys/{key_id}", methods=["DELETE"])
def api_keys_revoke(key_id):
    from chalicelib.core import auth

    http.caller(blueprint.current_request, write=True)
    key_id = _path(key_id)
    # Only 12 hex digits name a key; anything else would reach DynamoDB as a
    # key it may refuse (a 500), so it is simply not found.
    if not (auth.KEY_ID.fullmatch(key_id) and auth.revoke(key_id)):
        raise errors.NotFound(f"no API key {key_id[:40]!r}")
    return {"revoked": key_id}


# ---- accounts --------------------------------------------------------------------


def _account(email: str) -> dict:
    from chalicelib.core import accounts

    item = accounts.get(email)
    if item is None:
        raise errors.NotFound(f"no account for {email[:100]!r}")
    return item


def _not_yourself(caller: dict, email: str, doing: str) -> None:
    """Refuse a dashboard session's change that would shut its own account out."""
    if caller.get("email") == email:
        raise errors.Conflict(
            f"you cannot {doing} your own account while signed in with it; "
            "another admin (or `herald users` on the command line) can"
        )


@http.route(blueprint, "/accounts", methods=["GET"])
def accounts_list():
    from chalicelib.core import accounts

    http.caller(blueprint.current_request)
    return {"accounts": accounts.list_all()}


@http.route(blueprint, "/accounts", methods=["POST"])
def accounts_create():
    from chalicelib.core import accounts

    request = blueprint.current_request
    http.caller(request, write=True)
    body = _fields(http.json_object(request), {"email", "read_only", "password"})
    created = accounts.create(
        body.get("email"), read_only=body.get("read_only", False), password=body.get("password")
    )
    return http.reply(201, created)


@http.route(blueprint, "/accounts/{email}", methods=["PATCH"])
def accounts_update(email):
    """read_only and/or a new password; either ends the account's sessions."""
    from chalicelib.core import accounts

    request = blueprint.current_request
    caller = http.caller(request, write=True)
    body = _fields(http.json_object(request), {"read_only", "password"})
    item = _account(_path(email))
    changes = dict(body)
    # Setting read_only to what it is already changes nothing: it must not
    # end the account's sessions as a real change does.
    if changes.get("read_only") == bool(item.get("read_only")):
        del changes["read_only"]
    if not changes:
        return accounts.public(item)
    if changes.get("read_only"):
        _not_yourself(caller, item["email"], "make read-only")
    return accounts.change(item["email"], **changes, keep_an_admin=True)


@http.route(blueprint, "/accounts/{email}", methods=["DELETE"])
def accounts_delete(email):
    from chalicelib.core import accounts

    caller = http.caller(blueprint.current_request, write=True)
    item = _account(_path(email))
    _not_yourself(caller, item["email"], "delete")
    if not accounts.delete(item["email"], keep_an_admin=True):
        raise errors.NotFound(f"no account for {item['email']!r}")
    return {"deleted": item["email"]}
