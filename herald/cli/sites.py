"""Command line: a GroupServer site's topic digests and profile status, as senddigest
and sendprofile did them: synchronously, from a terminal or cron.

These commands talk to the site directly (no `make run`, no AWS): they read
the token from the site's gs.config INI file and loop over the items. Exit
codes follow sysexits.h, as the originals': 0 done (even when single items
failed; each failure is on stderr), 64 URL without a host, 76 the list
web-hook failed, 78 configuration error, 130 interrupted (Ctrl-C).
"""

import contextlib
import os
import sys
import time
from collections import Counter

import click

EX_OK, EX_USAGE, EX_PROTOCOL, EX_CONFIG, EX_INTERRUPTED = 0, 64, 76, 78, 130
DEFAULT_CONFIG = "etc/gsconfig.ini"
_sleep = time.sleep  # tests replace it: a throttle never makes a test wait

_EPILOG = (
    "Exit status: 0 when done, even if single items failed (each failure is "
    "reported on stderr); 64 URL has no host; 76 the list web-hook failed; "
    "78 configuration error; 130 interrupted (Ctrl-C)."
)
_config = click.option(
    "-c",
    "--config",
    default=DEFAULT_CONFIG,
    show_default=True,
    help="The GroupServer configuration file (gs.config INI) holding the web-service token.",
)
_instance = click.option(
    "-i",
    "--instance",
    default="default",
    show_default=True,
    help="The GroupServer instance whose configuration ([config-INSTANCE]) to use.",
)
_verbose = click.option(
    "-v", "--verbose", is_flag=True, help="Show a progress bar and a summary (default: silent)."
)


@click.group("digest")
def digest() -> None:
    """Topic digests of a GroupServer site."""


@click.group("profile-status")
def profile_status() -> None:
    """Monthly profile-status notifications of a GroupServer site."""


@digest.command("send", epilog=_EPILOG)
@_config
@_instance
@_verbose
@click.argument("url")
def digest_send(config: str, instance: str, verbose: bool, url: str) -> None:
    """Send the topic digest of every group that needs one, on the site at URL.

    Only the host of URL is used. The groups come from the site's
    /gs-group-messages-topic-digest-groups.html web-hook; each is sent with
    /gs-group-messages-topic-digest-send.html.
    """
    sys.exit(_guarded(lambda: _digests(config, instance, verbose, url)))


@profile_status.command("send", epilog=_EPILOG)
@_config
@_instance
@click.option(
    "-t",
    "--throttle",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    help="Seconds to pause after each notification that was sent, to spare the site.",
)
@_verbose
@click.argument("url")
def profile_status_send(
    config: str, instance: str, throttle: float, verbose: bool, url: str
) -> None:
    """Send the monthly profile status to every member of the site at URL.

    Only the host of URL is used. The members come from the site's
    /gs-profile-status-members.html web-hook; each is sent with
    /gs-profile-status-send.html.
    """
    sys.exit(_guarded(lambda: _profiles(config, instance, throttle, verbose, url)))


def _guarded(job) -> int:
    # These commands run on the operator's machine, like the originals, where
    # a site on localhost is a real target: local mode lets the guard allow it.
    os.environ["HERALD_LOCAL"] = "1"
    try:
        return job()
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return EX_INTERRUPTED


def _prepare(config: str, instance: str, url: str, what: str, lister):
    """(token, items) or an exit status, having said what went wrong."""
    from chalicelib.sites import config as sites
    from chalicelib.sites import groupserver as gs

    try:
        gs.base_url(url)
    except ValueError:
        click.echo(f"No host in the URL {url!r}.", err=True)
        return EX_USAGE, None
    try:
        token = sites.from_gs_config(config, instance)
    except sites.ConfigError as error:
        click.echo(f"Configuration error: {error}", err=True)
        return EX_CONFIG, None
    try:
        return token, lister(url, token)
    except gs.SiteError as error:
        click.echo(f"Could not get the list of {what}: {error}", err=True)
        return EX_PROTOCOL, None


def _items(items, verbose: bool, label: str):
    """The items to loop over: behind a progress bar on stderr with -v, as they are without."""
    if not verbose:
        return contextlib.nullcontext(items)
    return click.progressbar(items, label=label, file=sys.stderr, show_pos=True)


def _digests(config: str, instance: str, verbose: bool, url: str) -> int:
    from chalicelib.sites import groupserver as gs

    token, groups = _prepare(config, instance, url, "groups", gs.get_digest_groups)
    if groups is None:
        return token
    failed = 0
    with _items(groups, verbose, "Sending digests") as bar:
        for site_id, group_id in bar:
            try:
                gs.send_digest(url, site_id, group_id, token)
            except gs.SiteError as error:
                failed += 1
                click.echo(
                    f"\nFailed to send the digest for the group {group_id} on the site "
                    f"{site_id}: {error}",
                    err=True,
                )
    if verbose:
        click.echo(f"Digests: {len(groups)} groups, {len(groups) - failed} sent, {failed} failed.")
    return EX_OK


def _profiles(config: str, instance: str, throttle: float, verbose: bool, url: str) -> int:
    from chalicelib.sites import groupserver as gs

    token, profiles = _prepare(config, instance, url, "profiles", gs.get_profile_ids)
    if profiles is None:
        return token
    statuses, failed = Counter(), 0
    with _items(profiles, verbose, "Sending profile status") as bar:
        for profile_id in bar:
            try:
                status, _message = gs.send_profile_status(url, profile_id, token)
            except gs.SiteError as error:
                failed += 1
                click.echo(
                    f"\nFailed to send the profile status to {profile_id}: {error}", err=True
                )
                continue
            statuses[status] += 1
            if status == 0 and throttle:
                _sleep(throttle)
    if verbose:
        parts = [
            f"{n} {gs.meaning(status)}" for status, n in sorted(statuses.items(), reverse=True)
        ]
        click.echo(
            f"Profile status: {len(profiles)} profiles: {', '.join(parts) or 'none sent'}; "
            f"{failed} failed."
        )
    return EX_OK
