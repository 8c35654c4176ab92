"""GET /health: the version, and whether each table answers."""

from chalicelib import __version__
from chalicelib.core import aws


def report() -> tuple[int, dict]:
    tables = {}
    for env_name in aws.TABLES:
        try:
            aws.table(env_name).table_status  # noqa: B018 - one DescribeTable
            tables[env_name.removesuffix("_TABLE").lower()] = "reachable"
        except Exception as error:  # noqa: BLE001 - any failure means unreachable
            tables[env_name.removesuffix("_TABLE").lower()] = f"unreachable: {type(error).__name__}"
    healthy = all(state == "reachable" for state in tables.values())
    body = {"status": "ok" if healthy else "degraded", "version": __version__, "tables": tables}
    return (200 if healthy else 503), body
