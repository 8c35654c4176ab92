"""What test_api_fuzz.py needs around Schemathesis: the app as WSGI, a watch on
stored data, and the hostile values it mixes into generated requests."""

import json
from http import HTTPStatus

from hypothesis import strategies as st


class ChaliceWSGI:
    """The Chalice app as a WSGI callable, through chalice.local's gateway, as
    `chalice local` serves it (the raw path, header names lower-cased)."""

    def __init__(self, http):
        self.http = http

    def __call__(self, environ, start_response):
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").lower()] = environ[key]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        # Werkzeug's RAW_URI holds the path as given, without a separate query.
        path, query = environ["RAW_URI"].split("?", 1)[0], environ.get("QUERY_STRING")
        target = f"{path}?{query}" if query else path
        reply = self.http.request(environ["REQUEST_METHOD"], target, headers=headers, body=body)
        pairs = [
            (name, str(value))
            for name, values in reply.headers.items()
            for value in (values if isinstance(values, list) else [values])
        ]
        start_response(f"{reply.status_code} {HTTPStatus(reply.status_code).phrase}", pairs)
        return [reply.body]


class Watch:
    """Whether a request changed stored data. Data changes only through a
    DynamoDB write, so each item a write names is read just before the first
    write to it, and read again once the request is answered."""

    WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}

    def __init__(self):
        import boto3

        self.dynamodb, self.before = boto3.client("dynamodb"), {}

    def sending(self, event_name: str, request) -> None:
        """Called by moto's stub before each AWS request it answers."""
        service, operation = event_name.split(".")[1:3]
        if service != "dynamodb" or operation not in self.WRITES:
            return
        for table, key in _written_keys(operation, json.loads(request.body)):
            # A refused login is meant to be counted: that is how guessing is slowed.
            if key["pk"].get("S", "").startswith("TESTLOGIN#"):
                continue
            name = (table, json.dumps(key, sort_keys=True))
            if name not in self.before:
                self.before[name] = self._read(table, key)

    def changed(self) -> list[str]:
        return [
            f"{table} {key}"
            for (table, key), image in self.before.items()
            if self._read(table, json.loads(key)) != image
        ]

    def _read(self, table: str, key: dict):
        return self.dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def _written_keys(operation: str, body: dict):
    """(table, key) of every item a DynamoDB write request names."""

    def key(item):
        return {name: item[name] for name in ("pk", "sk") if name in item}

    if operation == "PutItem":
        yield body["TableName"], key(body["Item"])
    elif operation in ("UpdateItem", "DeleteItem"):
        yield body["TableName"], body["Key"]
    elif operation == "BatchWriteItem":
        for table, requests in body["RequestItems"].items():
            for request in requests:
                if "PutRequest" in request:
                    yield table, key(request["PutRequest"]["Item"])
                else:
                    yield table, request["DeleteRequest"]["Key"]
    else:
        for entry in body["TransactItems"]:
            ((kind, action),) = entry.items()
            if kind == "Put":
                yield action["TableName"], key(action["Item"])
            elif kind != "ConditionCheck":
                yield action["TableName"], action["Key"]


# ---- hostile values -------------------------------------------------------------

# What broke services like this one: sizes past every key limit, bytes that
# split headers or paths, other scripts' digits, numbers DynamoDB cannot store.
HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "a\r\nX-Injected: 1",
    "\u2028",
    "..",
    "../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "é" * 300,
    "x" * 3000,
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "${jndi:ldap://127.0.0.1/x}",
    "１２３",
    "²",
]
# A path segment is never empty, "..", nor holds a "/": clients resolve those away.
HOSTILE_PATH = [text for text in HOSTILE_TEXT if text not in ("", "..") and "/" not in text]
HOSTILE_NUMBERS = [-1, 0, 1.5, 1e-300, 1e308, 2**63, -(2**63), 10**40]
# Lone surrogates ("\ud800", which only JSON can spell) are among the near
# misses only: schemathesis cannot judge a case that holds one.
HOSTILE_BODY = [*HOSTILE_TEXT, *HOSTILE_NUMBERS, None, [], {}, [[[[[[]]]]]], True]
# A valid value made just invalid: where a check is loose, it shows.
NEAR_MISSES = {
    "a trailing newline": lambda text: text + "\n",
    "a leading space": lambda text: " " + text,
    "a NUL": lambda text: text + "\x00",
    "200 times over": lambda text: text * 200,
    "upper case": lambda text: text.upper(),
}
NEAR_MISSES_IN_JSON = {**NEAR_MISSES, "a lone surrogate": lambda text: text + "\ud800"}


def steer(case, known: dict, data) -> None:
    """Swap some generated values for ones that name seeded resources, and for
    hostile ones; schemathesis notices the edits and judges the case again."""
    for where in ("path_parameters", "query", "headers"):
        values = getattr(case, where) or {}
        for name in list(values):
            # Headers stay as generated or known: HTTP cannot carry most hostile text there.
            choices = ["generated", "known"] + (["hostile"] if where != "headers" else [])
            choice = data.draw(st.sampled_from(choices))
            if choice == "known" and name in known:
                values[name] = data.draw(st.sampled_from(known[name]))
            elif choice == "hostile":
                hostile = HOSTILE_PATH if where == "path_parameters" else HOSTILE_TEXT
                values[name] = data.draw(st.sampled_from(hostile))
            if isinstance(values[name], dict):
                # Transports disagree on an object in a query (one drops it, one
                # sends it empty); send it empty, as a client would.
                values[name] = ""
    leaves = list(string_leaves(case.body))
    if leaves and data.draw(st.booleans()):
        parent, key = data.draw(st.sampled_from(leaves))
        if data.draw(st.booleans()):
            parent[key] = data.draw(st.sampled_from(list(NEAR_MISSES.values())))(parent[key])
        else:
            parent[key] = data.draw(st.sampled_from(HOSTILE_BODY))


def string_leaves(value):
    """(container, key) of every string inside a JSON value."""
    if isinstance(value, dict):
        items = value.items()
    else:
        items = enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(item, str):
            yield value, key
        else:
            yield from string_leaves(item)
