"""The dashboard's other pages, one per section of the navigation.

Each section is a view(request, account) in the module that owns it; this
table is the only place that names them, so /dashboard/<section> for any
other name is a 404 page.
"""

import importlib

from chalicelib.core import errors, settings

SECTIONS = {
    "channels": ("operations_pages", "channels"),
    "runs": ("operations_pages", "runs"),
    "subscriptions": ("operations_pages", "subscriptions"),
    "hooks": ("operations_pages", "hooks"),
    "status-pages": ("status_pages", "section"),
    "keys": ("access_pages", "keys"),
    "accounts": ("access_pages", "accounts"),
    "mail": ("operations_pages", "mail"),
}
LOCAL_ONLY = {"mail"}
# Captured mail holds sign-in links for every account: a read-only account
# that could read them could sign in as an admin.
ADMIN_ONLY = {"mail"}
_MAIL_FOR_ADMINS = "captured mail is for admins: it holds every account's sign-in links"


def show(request, account, section: str):
    if section not in SECTIONS or (section in LOCAL_ONLY and not settings.local_mode()):
        raise errors.NotFound(f"no dashboard page {section!r}")
    if section in ADMIN_ONLY and account["read_only"]:
        raise errors.Forbidden(_MAIL_FOR_ADMINS)
    module, function = SECTIONS[section]
    view = getattr(importlib.import_module(f"chalicelib.dashboard.{module}"), function)
    return view(request, account)


def mail_message(request, account, message: str):
    if not settings.local_mode():
        raise errors.NotFound("captured mail is shown in local mode only")
    if account["read_only"]:
        raise errors.Forbidden(_MAIL_FOR_ADMINS)
    from chalicelib.dashboard import operations_pages

    return operations_pages.mail_message(request, account, message)


def mail_simulate(request, account, message: str):
    """POST: a simulated bounce or complaint for a captured mail (admins, local mode)."""
    if not settings.local_mode():
        raise errors.NotFound("captured mail is shown in local mode only")
    if account["read_only"]:
        raise errors.Forbidden(_MAIL_FOR_ADMINS)
    from chalicelib.dashboard import mail_pages

    return mail_pages.simulate(request, account, message)
