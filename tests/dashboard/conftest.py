"""Signed-in dashboard sessions for the Chalice test client.

`admin` and `reader` are Session objects: .get/.post_form/.api send the
session cookie (and, for .api, the CSRF header the dashboard's script sends).
"""

import re
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest

# The monitors' fixtures: make_monitor(name, **settings), ping(monitor, suffix),
# run_checker(), deliver_outbox() and sent_mail() (what SES accepted).
from tests.monitors.conftest import (  # noqa: F401
    deliver_outbox,
    make_monitor,
    ping,
    run_checker,
    sent_mail,
)

FORM = {"content-type": "application/x-www-form-urlencoded"}
PASSWORD = "correct horse battery"


def set_cookie(reply) -> str:
    """The name=value part of the reply's Set-Cookie."""
    return reply.headers["Set-Cookie"].split(";")[0]


def csrf_field(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


@dataclass
class Session:
    client: object
    cookie: str
    csrf: str
    email: str

    def get(self, path: str, headers: dict | None = None):
        return self.client.http.get(path, headers={"cookie": self.cookie, **(headers or {})})

    def post_form(self, path: str, fields: dict):
        body = urlencode({"csrf": self.csrf, **fields})
        return self.client.http.post(path, body=body, headers={**FORM, "cookie": self.cookie})

    def api(self, method: str, path: str, body=None, *, csrf: str | None = None):
        import json

        headers = {"cookie": self.cookie, "x-csrf-token": self.csrf if csrf is None else csrf}
        if body is not None:
            headers["content-type"] = "application/json"
        call = getattr(self.client.http, method.lower())
        return call(path, headers=headers, body=None if body is None else json.dumps(body))


def sign_in(client, email: str, password: str = PASSWORD) -> Session:
    """Sign in through the sign-in form, as a browser does."""
    form = client.http.get("/dashboard/sign-in")
    pre = set_cookie(form)
    fields = {"csrf": csrf_field(form.body.decode()), "email": email, "password": password}
    reply = client.http.post(
        "/dashboard/sign-in",
        body=urlencode({**fields, "how": "password"}),
        headers={**FORM, "cookie": pre},
    )
    assert reply.status_code == 303, reply.body
    cookie = set_cookie(reply)
    page = client.http.get("/dashboard", headers={"cookie": cookie})
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.body.decode()).group(1)
    return Session(client, cookie, token, email)


@pytest.fixture
def admin(client, clock):
    from chalicelib.core import accounts

    accounts.create("admin@example.com", password=PASSWORD)
    return sign_in(client, "admin@example.com")


@pytest.fixture
def reader(client, clock):
    from chalicelib.core import accounts

    accounts.create("reader@example.com", password=PASSWORD, read_only=True)
    return sign_in(client, "reader@example.com")


@pytest.fixture
def monitor(aws, clock):
    """A monitor named backup, tagged db, expecting a ping every 10 minutes."""
    from chalicelib.monitors import admin as monitors

    settings = {"max_sleep": 600, "email_frequency": 600, "device_email": "o@example.com"}
    monitors.upsert("backup", {**settings, "tags": ["db"]})
    return "backup"
