"""Whether a monitor's mail reaches anybody (docs/mail.md, "When every address
is suppressed").

A monitor's addresses are its recipients and those of the enabled e-mail
channels it tells (its own list, or the defaults when it names none). It is
stranded when it has at least one address, every one is on the suppression
list, and no other enabled channel is told: channels.deliver then tells the
default channels instead. A muted address is a recipient's choice, not a
failure: it is warned about, never a reason to fall back.

The checker's path costs one BatchGetItem of suppressions, and only for a
monitor that tells nothing but mail; GET /monitors/NAME (shown()) adds the
monitor's mutes and, when stranded, the defaults it falls back to.
"""

from chalicelib.core.mail import suppressions

STRANDED = "no deliverable channel left"


def addresses(item: dict, records: list[dict]) -> list[str]:
    found = list(item.get("recipients") or [])
    for record in records:
        if record.get("enabled", True) and record["kind"] == "email":
            found += list(record.get("config", {}).get("recipients") or [])
    return found


def stranded(item: dict, records: list[dict]) -> dict[str, dict] | None:
    """The suppression entries of a stranded monitor (by address); None when
    something else would be told. records: the channels it tells."""
    if any(r.get("enabled", True) and r["kind"] != "email" for r in records):
        return None  # a chat, a pager, a hook: told as before
    wanted = addresses(item, records)
    if not wanted:
        return None  # a monitor set to tell nobody, on purpose
    entries = suppressions.suppressed(wanted)
    every = all(suppressions.normalised(a) in entries for a in wanted)
    return entries if every else None


def fallback(records: list[dict], entries: dict[str, dict]) -> list[dict]:
    """The default channels a stranded monitor tells: enabled, not told
    already, and not e-mail to the very addresses that are suppressed."""
    from chalicelib.core.channels import store

    told = {record["id"] for record in records}
    chosen = []
    for record in store.defaults():
        if record["id"] in told or not record.get("enabled", True):
            continue
        if record["kind"] == "email" and all(
            suppressions.normalised(a) in entries
            for a in record.get("config", {}).get("recipients") or []
        ):
            continue
        chosen.append(record)
    return chosen


def shown(item: dict) -> dict:
    """GET /monitors/NAME's mail_warnings and deliverable (three reads at most)."""
    from chalicelib.core.channels import telling
    from chalicelib.core.mail import mutes

    named = None if item.get("channels") is None else list(item["channels"])
    records = telling.records(named)
    wanted = addresses(item, records)
    entries = suppressions.suppressed(wanted) if wanted else {}
    warnings = suppressions.warnings(entries, "alerts")
    muted = mutes.muted(wanted, item["name"]) if wanted else set()
    warnings += [f"{address} muted this monitor's alerts" for address in sorted(muted)]
    lost = stranded(item, records) if entries else None
    if lost is not None:
        warnings.append(STRANDED)
        if named is not None:
            names = [record["name"] for record in fallback(records, lost)]
            warnings.append(
                f"alerts fall back to the default channels: {', '.join(names)}"
                if names
                else "no default channel to fall back to"
            )
    return {"mail_warnings": warnings, "deliverable": lost is None}
