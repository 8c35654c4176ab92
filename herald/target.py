"""Where the command line acts: the local `make run`, or a stage on AWS.

With no --stage, and `make run` up in this checkout, commands act on the
local system (its moto endpoint, its stage's resource names). With --stage
they act on AWS through the normal AWS configuration (profile, region, ...).
"""

import os
from dataclasses import dataclass

import click

from herald import environment


@dataclass
class Target:
    stage: str
    local: bool
    api: str | None = None
    endpoint: str | None = None
    state: dict | None = None

    def describe(self) -> str:
        return f"local ({self.api})" if self.local else f"AWS stage {self.stage}"


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
        os.environ.update(environment.stage_env(stage))
    except KeyError as error:
        raise click.BadParameter(str(error), param_hint="--stage") from None
    return Target(stage=stage, local=False)


def _companion_env(state: dict) -> dict:
    return state.get("env", {})
