"""Secrets: from the environment in local mode and tests, else from SSM.

In Lambda a secret is an SSM SecureString /herald/<stage>/<name>, read
through powertools Parameters and cached; it never sits in plain text in an
environment variable or in the repository. For local runs and tests the
variable HERALD_<NAME> (upper case, dashes as underscores) wins; in a
deployed function such a variable is refused, not quietly used.
"""

import os

from chalicelib.core import aws, settings


class MissingSecret(LookupError):
    pass


def get(name: str, *, required: bool = True, max_age: int = 300) -> str | None:
    env_name = "HERALD_" + name.upper().replace("-", "_")
    if env_name in os.environ:
        if settings.in_lambda():
            raise MissingSecret(
                f"{env_name} is set: in a deployed stage secrets must be in SSM "
                f"(/herald/<stage>/{name})"
            )
        return os.environ[env_name] or None
    if settings.local_mode():
        if required:
            raise MissingSecret(f"{env_name} is not set")
        return None
    return _from_ssm(name, required=required, max_age=max_age)


def _from_ssm(name: str, *, required: bool, max_age: int) -> str | None:
    path = f"/herald/{settings.stage()}/{name}"
    # The first read builds powertools' SSM client, on a cold ping (a
    # monitor's id is keyed by the secret). Imported here: powertools
    # parameters costs ~250 ms at import.
    with aws.collector_paused():
        from aws_lambda_powertools.utilities import parameters

        providers = parameters.base.DEFAULT_PROVIDERS  # what get_parameter reads through
        if "ssm" not in providers:  # its own would build its client on a session of its own
            providers["ssm"] = parameters.SSMProvider(boto3_client=aws.client("ssm"))
        try:
            return parameters.get_parameter(path, decrypt=True, max_age=max_age)
        except parameters.exceptions.GetParameterError:
            if required:
                raise MissingSecret(f"SSM parameter {path} is missing") from None
            return None
