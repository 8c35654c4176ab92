"""The environment Herald's code runs in: a stage's variables, local or AWS.

One place reads .chalice/config.json, so the local runner, the command line
and the tests see the same resource names a deployed function sees.
"""

import json
import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# State of `make run` (mail, secret key, state file); tests use their own.
LOCAL_DIR = Path(os.environ.get("HERALD_LOCAL_DIR", ROOT / ".local"))
STATE_FILE = LOCAL_DIR / "state.json"


def chalice_config() -> dict:
    return json.loads((ROOT / ".chalice" / "config.json").read_text())


def stages() -> list[str]:
    return list(chalice_config()["stages"])


def stage_env(stage: str) -> dict[str, str]:
    """The environment variables Lambda functions of this stage get."""
    config = chalice_config()
    if stage not in config["stages"]:
        raise KeyError(f"unknown stage {stage!r}; known: {', '.join(config['stages'])}")
    return {
        **config.get("environment_variables", {}),
        **config["stages"][stage].get("environment_variables", {}),
    }


def aws_region() -> str | None:
    """The region AWS tools would use: AWS_REGION, then boto3's own resolution
    (AWS_DEFAULT_REGION, the profile's region in ~/.aws/config); None if unset."""
    import boto3

    return os.environ.get("AWS_REGION") or boto3.session.Session().region_name


def fake_credentials() -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        # botocore would send some calls to account endpoints moto does not serve.
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    }


def local_secret_key() -> str:
    """A per-checkout secret for hashing keys locally, kept in .local/."""
    path = LOCAL_DIR / "secret-key"
    if not path.exists():
        LOCAL_DIR.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def local_env(endpoint: str, stage: str = "dev", **extra: str) -> dict[str, str]:
    """Variables that point Herald's code at the local moto endpoint."""
    return {
        **stage_env(stage),
        **fake_credentials(),
        "AWS_ENDPOINT_URL": endpoint,
        "HERALD_LOCAL": "1",
        "HERALD_SECRET_KEY": local_secret_key(),
        **extra,
    }


def put_checkout_on_path() -> None:
    """Make app.py and chalicelib/ importable (they are not an installed package)."""
    import sys

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def import_app():
    """The Chalice app object, imported from this checkout's app.py."""
    put_checkout_on_path()
    from app import app

    return app


def read_state() -> dict | None:
    """The running `make run`'s state file, or None when none is running."""
    try:
        state = json.loads(STATE_FILE.read_text())
        os.kill(state["pid"], 0)
    except (OSError, ValueError, KeyError):
        return None
    return state
