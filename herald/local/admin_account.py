"""The local admin account `make run` creates, and a one-time sign-in link for it.

moto starts empty on every `make run`, so the account is created each time
(HERALD_LOCAL_ADMIN, default admin@example.com); the link is printed, not
mailed, so the first look at the dashboard needs no mail at all.
"""

import os

DEFAULT_ADMIN = "admin@example.com"


def sign_in_link() -> tuple[str, str]:
    from chalicelib.core import accounts, errors, settings

    email = accounts.address(os.environ.get("HERALD_LOCAL_ADMIN") or DEFAULT_ADMIN)
    try:
        accounts.create(email)
    except errors.Conflict:
        pass  # made by an earlier start against the same moto
    token = accounts.issue_link(email)
    return email, f"{settings.public_url()}/dashboard/sign-in/{token}"
