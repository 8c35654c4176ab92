"""`herald monitors import-healthchecks`: moving from a Healthchecks instance.

chalicelib/monitors/hc_import.py reads the project's checks and maps each to
a plan; this command applies the plans, so that jobs keep pinging the paths
they ping now: /ping/<their UUID> (admin.add_foreign_uuid) and, given the
project's ping key, /ping/<their ping key>/<slug> (a shared ping key of that
value, and every imported monitor in its group).

Each plan is upserted with merge: the check's settings over the monitor's, so
what someone set in Herald since (recipients, a max_runtime) survives a
re-import. Applying is idempotent: upsert says "unchanged" when the settings
are the same, the check's UUID is added only when it leads nowhere yet, and a paused
check is paused only when it is not already; so a second run prints
"unchanged" for each check. A name or a UUID that already belongs to another
Herald monitor is skipped, never merged into it. Pausing is one-way: a check
running in Healthchecks does not resume a monitor someone paused in Herald.
A check that cannot be mapped or written is printed with the reason; the
exit status is non-zero only when no checks could be read at all.
"""

from collections import Counter

import click

from herald.cli import base
from herald.cli.monitors import monitors

KEY_LABEL = "imported from Healthchecks"
PENDING = "(created when imported)"  # the shared key's id in a dry run


@monitors.command("import-healthchecks")
@click.option(
    "--url", required=True, help="The Healthchecks instance, e.g. https://healthchecks.io"
)
@click.option(
    "--api-key",
    required=True,
    envvar="HEALTHCHECKS_API_KEY",
    help="The project's read-write API key (or HEALTHCHECKS_API_KEY).",
)
@click.option(
    "--ping-key",
    default=None,
    envvar="HEALTHCHECKS_PING_KEY",
    help="The project's ping key, so /ping/<ping key>/<slug> URLs keep working.",
)
@click.option("--dry-run", is_flag=True, help="Say what would change; change nothing.")
@click.pass_context
def import_healthchecks(ctx, url: str, api_key: str, ping_key: str | None, dry_run: bool) -> None:
    """Create or update a monitor for each check of a Healthchecks project (never deletes)."""
    base.target(ctx)  # first: where we act also decides where we may connect
    from chalicelib.monitors import hc_import

    try:
        checks = hc_import.read(url, api_key)
    except hc_import.Unreadable as error:
        raise click.ClickException(f"{error} (nothing was changed)") from None
    plural = "" if len(checks) == 1 else "s"
    click.echo(f"{len(checks)} check{plural} read from {hc_import.checks_url(url)}")
    group_key = None
    if ping_key:
        from chalicelib.core.errors import Invalid

        try:
            group_key, what = shared_key(ping_key, dry_run=dry_run)
        except Invalid as error:
            raise click.BadParameter(error.message, param_hint="--ping-key") from None
        click.echo(f"shared ping key: {what}")
    counts: Counter = Counter()
    for entry in hc_import.plan(checks):
        counts[_one(entry, group_key, dry_run)] += 1
    _summary(counts, dry_run)
    _hint(checks, ping_key)


def _one(entry, group_key: str | None, dry_run: bool) -> str:
    from chalicelib.monitors import hc_import

    if isinstance(entry, hc_import.Skipped):
        return _skipped(entry.label, entry.reason)
    try:
        outcome = preview(entry, group_key) if dry_run else apply(entry, group_key)
    except hc_import.Skip as skip:
        return _skipped(entry.label, str(skip))
    click.echo(f"{entry.name}: {outcome}" + (" (paused)" if entry.paused else ""))
    if outcome != "unchanged":
        for note in entry.notes:
            click.echo(f"  note: {note}")
    return outcome


def _skipped(label: str, reason: str) -> str:
    click.echo(f"skipped {label!r}: {reason}")
    return "skipped"


def _summary(counts: Counter, dry_run: bool) -> None:
    order = ("would create", "would update") if dry_run else ("created", "updated")
    parts = [f"{counts[name]} {name}" for name in (*order, "unchanged", "skipped")]
    click.echo(", ".join(parts) + (" (dry run: nothing was changed)" if dry_run else ""))


def _hint(checks: list, ping_key: str | None) -> None:
    """Where jobs now ping: the same paths, on Herald's address."""
    from herald.target import ping_url

    endpoints = {
        c["ping_url"][: -len(c["uuid"])]
        for c in checks
        if isinstance(c, dict)
        and isinstance(c.get("ping_url"), str)
        and isinstance(c.get("uuid"), str)
        and c["uuid"]
        and c["ping_url"].endswith(c["uuid"])
    }
    herald = ping_url() + "/ping/"
    if len(endpoints) != 1:
        return
    theirs = endpoints.pop()
    click.echo("jobs keep pinging the same paths, on Herald:")
    for form in ("<uuid>", "<ping key>/<slug>") if ping_key else ("<uuid>",):
        click.echo(f"  {theirs}{form}  ->  {herald}{form}")


# ---- applying -----------------------------------------------------------------


def shared_key(value: str, *, dry_run: bool) -> tuple[str, str]:
    """(key_id, what happened) for their project's ping key as a Herald shared key."""
    from chalicelib.monitors import ping_keys

    record = ping_keys.find(value)
    if record is not None:
        return record["key_id"], "exists already"
    if dry_run:
        return PENDING, "would be created"
    return ping_keys.create(label=KEY_LABEL, value=value)["key_id"], "created"


def _settings(planned, group_key: str | None) -> dict:
    if group_key is None or group_key == PENDING:
        return dict(planned.settings)
    return {**planned.settings, "group_key": group_key}


def _claim(planned) -> tuple[dict | None, bool]:
    """(the monitor of that name, whether the check's UUID already leads to it).

    Raises Skip when the name or the UUID belongs to another monitor: an
    import never takes over a monitor it did not make.
    """
    from chalicelib.monitors import store
    from chalicelib.monitors.hc_import import Skip

    item, owner = store.get(planned.name), store.find_by_uuid(planned.uuid)
    if owner is not None and owner.get("name") != planned.name:
        raise Skip(
            f"its UUID already leads to Herald monitor {owner.get('name')!r} (renamed since "
            "the last import?): delete or rename that monitor first"
        )
    if item is not None and owner is None:
        raise Skip(
            f"Herald already has a monitor named {planned.name!r} that was not imported from "
            "this check: give the check another slug, or delete that monitor"
        )
    return item, owner is not None


def apply(planned, group_key: str | None = None) -> str:
    """Create or update its monitor: "created", "updated" or "unchanged"; raises Skip."""
    from chalicelib.core.errors import HeraldError, Invalid
    from chalicelib.monitors import admin
    from chalicelib.monitors.hc_import import Skip

    _, linked = _claim(planned)
    try:
        # merge: what was set in Herald since (recipients, a max_runtime) stays.
        outcome, item = admin.upsert(planned.name, _settings(planned, group_key), merge=True)
        if not linked:
            admin.add_foreign_uuid(planned.name, planned.uuid)
        pause = planned.paused and not item.get("paused")
        if pause:
            admin.set_paused(planned.name, True)
    except Invalid as error:
        raise Skip(f"Herald refused its settings: {error}") from None
    except HeraldError as error:
        raise Skip(f"could not be written: {error}") from None
    # A name already taken was refused by _claim, so only pausing is left to tell.
    return "updated" if outcome == "unchanged" and pause else outcome


def preview(planned, group_key: str | None = None) -> str:
    """What apply would do, writing nothing: "would create", "would update", "unchanged"."""
    from chalicelib.core.errors import Invalid
    from chalicelib.monitors import rules
    from chalicelib.monitors.hc_import import Skip

    item, _ = _claim(planned)
    given = _settings(planned, group_key)
    base = rules.settings_of(item) if item else {}
    if rules.kind_of(base, "") != given["schedule_kind"]:
        # As upsert's merge does: another kind's fields do not carry over.
        base = {k: v for k, v in base.items() if k not in {*rules.KIND_FIELDS, "schedule_kind"}}
    try:
        checked = rules.validate(planned.name, {**base, **given}, where="monitor")
    except Invalid as error:
        raise Skip(f"Herald refused its settings: {error}") from None
    if item is None:
        return "would create"
    same = all(item.get(name) == value for name, value in checked.items())
    if group_key == PENDING or not same or (planned.paused and not item.get("paused")):
        return "would update"
    return "unchanged"
