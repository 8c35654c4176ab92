"""The access pages: API keys and operator accounts, as their JSON routes list them.

Pages read through auth.list_keys() and accounts.list_all(), which hold no
secret (a key is kept only as a keyed hash, a password only as a scrypt
hash, and neither function returns those). Changes go through /api-keys and
/accounts (core/access_routes.py), so the dashboard's rules are the API's.
"""

from chalicelib.dashboard import guard, render


def keys(request, account):
    from chalicelib.core import auth

    found = sorted(auth.list_keys(), key=lambda key: (key.get("created_at") or "", key["key_id"]))
    return render.html("keys.html", **guard.context(account, "/keys", keys=found))


def accounts(request, account):
    from chalicelib.core import accounts as store

    context = guard.context(account, "/accounts", accounts=store.list_all())
    return render.html("accounts.html", **context)
