"""The OpenAPI document (chalicelib/core/openapi.json) is valid and true to the app."""

import json
import subprocess
import sys

from herald import environment

DOCUMENT = environment.ROOT / "chalicelib" / "core" / "openapi.json"
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _document() -> dict:
    return json.loads(DOCUMENT.read_text())


def _documented() -> set[str]:
    return {
        f"{method.upper()} {path}"
        for path, item in _document()["paths"].items()
        for method in item
        if method in METHODS
    }


def _registered() -> set[str]:
    """Every route the app registers. The OPTIONS preflights API Gateway answers
    by itself for cors=True routes are not registered, so not documented;
    an OPTIONS route the app declares is, like any other."""
    from app import app

    return {f"{method} {path}" for path, entries in app.routes.items() for method in entries}


def test_it_documents_every_route_of_the_app_and_no_other():
    registered, documented = _registered(), _documented()
    assert sorted(registered - documented) == [], "routes missing from openapi.json"
    assert sorted(documented - registered) == [], "openapi.json documents routes the app lacks"


def test_it_is_a_valid_openapi_3_1_document():
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.validators import OpenAPIV31SpecValidator

    document = _document()
    assert document["openapi"].startswith("3.1.")
    validate(document, cls=OpenAPIV31SpecValidator)


def test_it_names_the_version_herald_reports():
    from chalicelib import __version__

    assert _document()["info"]["version"] == __version__


def test_every_error_reply_it_documents_is_the_one_error_shape():
    document = _document()
    responses = document["components"]["responses"]
    wrong = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, reply in operation["responses"].items():
                if "$ref" in reply:
                    reply = responses[reply["$ref"].rsplit("/", 1)[1]]
                if status.startswith("4") and "text/html" in reply.get("content", {}):
                    # The dashboard's and status pages' errors are pages for people.
                    if not path.startswith(("/dashboard", "/status/")):
                        wrong.append(f"{method.upper()} {path} {status} (HTML)")
                elif status.startswith("4"):
                    schema = reply["content"]["application/json"]["schema"]
                    # Healthchecks' API speaks Healthchecks' error shape, {"error": ...}.
                    shape = "HcError" if path.startswith("/api/v3/") else "Error"
                    if schema != {"$ref": f"#/components/schemas/{shape}"}:
                        wrong.append(f"{method.upper()} {path} {status}")
    assert wrong == []
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["Code", "Message"]
    assert set(error["properties"]) == {"Code", "Message", "field"}


def test_every_change_asks_for_a_read_write_key_and_every_read_for_any_key():
    """The security a route declares matches what its handler asks of the caller."""
    document = _document()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            schemes = [name for alternative in operation["security"] for name in alternative]
            managed = ("/monitors", "/runs", "/subscri", "/hooks", "/channels", "/status-pages")
            if path.startswith((*managed, "/api-keys", "/accounts")):
                role = ["read-write"] if method in ("post", "put", "patch", "delete") else []
                # The dashboard's session is the one alternative, with the same role.
                expected = [{"apiKey": role}, {"dashboardSession": role}]
                assert operation["security"] == expected, f"{method} {path}"
            elif path.startswith("/testing/monitors"):
                assert schemes == ["testingSession"], f"{method} {path}"
            elif path == "/logs":
                assert set(schemes) == {"apiKey", "pingKeyQuery", "pingKeyHeader", "logsLink"}


def test_it_is_served_at_openapi_json_without_a_key(client):
    reply = client.http.get("/openapi.json")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/json"
    assert json.loads(reply.body) == _document()


def test_importing_the_app_does_not_read_the_document():
    """Read on the first request: a cold start that serves a ping never parses it."""
    probe = (
        "import app\n"
        "from chalicelib.core import routes\n"
        "print(routes._document.cache_info().currsize)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=environment.ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "0"
