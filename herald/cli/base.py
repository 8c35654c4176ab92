"""The `herald` group, where its commands act, and how they report refusals.

Commands act on the local `make run` when it is up and no --stage is given,
else on the AWS stage named by --stage (see herald/target.py). A refusal
from Herald's code (chalicelib.core.errors) is shown as a usage error that
names the refused value, never as a traceback.
"""

import click

from herald.environment import put_checkout_on_path
from herald.target import Target, connect

put_checkout_on_path()


class Group(click.Group):
    def invoke(self, ctx: click.Context):
        from chalicelib.core import errors

        try:
            return super().invoke(ctx)
        except errors.Invalid as error:
            raise click.BadParameter(error.message, param_hint=error.field) from None
        except errors.HeraldError as error:
            raise click.ClickException(str(error)) from None


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--stage", default=None, help="Act on this stage on AWS instead of the local system.")
@click.pass_context
def main(ctx: click.Context, stage: str | None) -> None:
    """Herald: heartbeat monitoring and scheduled notifications."""
    ctx.obj = {"stage": stage}


def target(ctx: click.Context) -> Target:
    """The connected target, created on first use by a subcommand."""
    root = ctx.find_root()
    if "target" not in root.obj:
        import os

        root.obj["target"] = connect(root.obj["stage"])
        # The code a command runs logs as a Lambda would (JSON, on stdout): its
        # INFO records would mix with the command's output. The stage's level
        # (connect() sets it) is for its functions, not for this terminal.
        os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    return root.obj["target"]


def app():
    from herald.environment import import_app

    return import_app()


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def seconds(_ctx, _param, value):
    """A click callback: seconds, or a number followed by s, m, h or d (90, 5m, 2h)."""
    import re

    if value is None:
        return None
    match = re.fullmatch(r"(\d+)([smhd]?)", value.strip())
    if not match:
        raise click.BadParameter("a number of seconds, or a number followed by s, m, h or d")
    return int(match.group(1)) * _UNITS[match.group(2) or "s"]


def window_options(command):
    """--window JSON (repeatable) and --off, as windows() reads them."""
    command = click.option("--off", is_flag=True, help="Remove the windows.")(command)
    helping = "A window as JSON, as the API takes it (repeat for more)."
    return click.option("--window", "windows", multiple=True, help=helping)(command)


def windows(texts: tuple[str, ...], off: bool) -> list | None:
    """--window values parsed (None with --off); one of the two is required."""
    import json

    if off == bool(texts):
        raise click.UsageError("give --window (one or more) or --off")
    try:
        return [json.loads(text) for text in texts] or None
    except json.JSONDecodeError as error:
        raise click.BadParameter(f"not JSON: {error}", param_hint="--window") from None
