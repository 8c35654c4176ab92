"""Where the command line acts: the local `make run`, or a stage on AWS.

With no --stage, and `make run` up in this checkout, commands act on the
local system (its moto endpoint, its stage's resource names). With --stage
they act on AWS through the normal AWS configuration: credentials and region
from AWS_REGION, AWS_DEFAULT_REGION or the profile (AWS_PROFILE, ~/.aws/config);
with no region anywhere the command stops instead of guessing one.
"""

import os
from dataclasses import dataclass

import click

from herald import environment


@dataclass
class Target:
    stage: str
    local: bool
    region: str | None = None
    api: str | None = None
    endpoint: str | None = None
    state: dict | None = None

    def describe(self) -> str:
        return f"local ({self.api})" if self.local else f"AWS stage {self.stage} ({self.region})"


def connect(stage: str | None) -> Target:
    """Point this process's environment at the target; returns it."""
    state = environment.read_state()
    if stage is None:
        if state is None:
            raise click.UsageError(
                "Herald is not running locally (start it with `make run`), "
                "and no --stage was given to act on AWS."
            )
        os.environ.update(
            environment.local_env(state["endpoint"], state["stage"], HERALD_PUBLIC_URL=state["api"])
        )
        os.environ.update(_companion_env(state))
        return Target(
            stage=state["stage"],
            local=True,
            api=state["api"],
            endpoint=state["endpoint"],
            state=state,
        )
    try:
        variables = environment.stage_env(stage)
    except KeyError as error:
        raise click.BadParameter(str(error), param_hint="--stage") from None
    from botocore.exceptions import BotoCoreError

    try:
        region = environment.aws_region()
    except BotoCoreError as error:  # e.g. AWS_PROFILE names no profile
        raise click.UsageError(f"--stage {stage}: {error}") from None
    if region is None:
        raise click.UsageError(
            f"--stage {stage}: no AWS region is set. Set AWS_REGION or AWS_DEFAULT_REGION, "
            "or give the profile a region (`aws configure set region REGION`)."
        )
    # Herald's code and boto3 read different variables (AWS_REGION first, botocore
    # only AWS_DEFAULT_REGION): pinning both makes every call of this process use
    # the one region resolved here, never a fallback.
    os.environ.update(variables, AWS_REGION=region, AWS_DEFAULT_REGION=region)
    return Target(stage=stage, local=False, region=region)


def _companion_env(state: dict) -> dict:
    return state.get("env", {})


PLACEHOLDER_URL = "https://<your API URL>"


def public_url() -> str:
    """The base of the URLs a command prints: HERALD_PUBLIC_URL (make run sets it),
    else the stage's own, as its deployment builds its links; a placeholder when
    neither is known."""
    from chalicelib.core import settings

    if settings.public_url():
        return settings.public_url()
    stage = os.environ.get("HERALD_STAGE")
    return (deployed_url(stage) if stage else "") or PLACEHOLDER_URL


def ping_url() -> str:
    """The base of the ping URLs a command prints: the ping door's, as the
    stage's dashboard shows them (ShownPingUrls), else public_url()."""
    from chalicelib.core import settings

    if os.environ.get("HERALD_PING_URL") or settings.public_url():
        return settings.ping_url()
    stage = os.environ.get("HERALD_STAGE")
    return (deployed_ping_url(stage) if stage else "") or public_url()


def deployed_url(stage: str) -> str:
    """Stack herald-<stage>'s PublicUrl parameter, else its EndpointURL output
    ("" when the stack cannot be read: the caller prints a placeholder)."""
    parameters, outputs = _stack(stage)
    return (parameters.get("PublicUrl") or outputs.get("EndpointURL", "")).rstrip("/")


def deployed_ping_url(stage: str) -> str:
    """Stack herald-<stage>'s PingUrl output, unless it shows the API's ping URLs."""
    parameters, outputs = _stack(stage)
    if parameters.get("ShownPingUrls", "door") != "door":
        return ""
    return outputs.get("PingUrl", "").rstrip("/")


def _stack(stage: str) -> tuple[dict, dict]:
    """The stack's parameters and outputs (both empty when it cannot be read)."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        cloudformation = boto3.client("cloudformation")
        (stack,) = cloudformation.describe_stacks(StackName=f"herald-{stage}")["Stacks"]
    except (BotoCoreError, ClientError):
        return {}, {}
    parameters = {p["ParameterKey"]: p.get("ParameterValue") for p in stack.get("Parameters", [])}
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    return parameters, outputs
