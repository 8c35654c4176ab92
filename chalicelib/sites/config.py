"""The GroupServer sites Herald drives, and where their tokens come from.

A stage lists its sites in the SITES variable (.chalice/config.json), a JSON
list of objects:

    {"name": "example", "url": "https://groups.example.com",
     "jobs": ["digest", "profile-status"], "throttle": 0}

name is [a-z0-9] words joined by dashes; jobs says which scheduled jobs run
for the site; throttle is the least spacing in seconds between successful
profile-status sends to it. The token is never in SITES: it is the secret
"site-<name>-token", an SSM SecureString /herald/<stage>/site-<name>-token in
Lambda, or the variable HERALD_SITE_<NAME>_TOKEN (dashes as underscores)
locally and in tests (see chalicelib/secrets.py).
"""

import json
import math
import os
import re
from dataclasses import dataclass, field

from chalicelib.core import secrets

JOBS = ("digest", "profile-status")
NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


class ConfigError(ValueError):
    """SITES or a site's token is missing or malformed."""


@dataclass(frozen=True)
class Site:
    name: str
    url: str
    jobs: tuple[str, ...] = JOBS
    throttle: float = 0.0
    # The CLI hands the token from gs.config here; Lambda reads it from SSM.
    given_token: str | None = field(default=None, repr=False, compare=False)

    @property
    def secret_name(self) -> str:
        return f"site-{self.name}-token"

    def token(self) -> str:
        if self.given_token:
            return self.given_token
        try:
            value = secrets.get(self.secret_name)
        except secrets.MissingSecret as error:
            raise ConfigError(f"site {self.name}: {error}") from None
        if not value:
            raise ConfigError(f"site {self.name}: the token {self.secret_name} is empty")
        return value


def parse(entry) -> Site:
    from chalicelib.sites.groupserver import base_url, has_credentials

    if not isinstance(entry, dict):
        raise ConfigError(f"a site must be an object, not {entry!r}")
    name, url = entry.get("name"), entry.get("url")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise ConfigError(f"site name {name!r} must be lower-case words joined by dashes")
    url = url if isinstance(url, str) else ""
    try:
        credentials = has_credentials(url)
        url = base_url(url)
    except ValueError:
        # Not echoed when it may hold a password (user:pw@ that urlsplit cannot parse).
        shown = "" if "@" in url else f" {url!r}"
        raise ConfigError(f"site {name}: url{shown} has no valid host") from None
    if credentials:
        # The token authenticates Herald; a password in the URL would end up in errors and runs.
        raise ConfigError(
            f"site {name}: the url must not carry a user name or password (user:pw@host)"
        )
    jobs = entry.get("jobs", list(JOBS))
    if not isinstance(jobs, list) or not all(isinstance(j, str) and j in JOBS for j in jobs):
        raise ConfigError(f"site {name}: jobs must be a list drawn from {list(JOBS)}")
    throttle = entry.get("throttle", 0)
    # json.loads() takes NaN and Infinity, which no clock arithmetic survives.
    number = isinstance(throttle, int | float) and not isinstance(throttle, bool)
    if not number or not math.isfinite(throttle) or throttle < 0:
        raise ConfigError(f"site {name}: throttle must be a number of seconds >= 0")
    return Site(name=name, url=url, jobs=tuple(jobs), throttle=float(throttle))


def configured() -> list[Site]:
    """Every site of this stage (SITES), in name order."""
    raw = os.environ.get("SITES", "").strip() or "[]"
    try:
        entries = json.loads(raw)
    except ValueError as error:
        raise ConfigError(f"SITES is not JSON: {error}") from None
    if not isinstance(entries, list):
        raise ConfigError("SITES must be a JSON list of sites")
    sites = [parse(entry) for entry in entries]
    names = [site.name for site in sites]
    if len(set(names)) != len(names):
        raise ConfigError("SITES names a site twice")
    return sorted(sites, key=lambda site: site.name)


def for_job(job: str) -> list[Site]:
    return [site for site in configured() if job in site.jobs]


def named(name: str) -> Site | None:
    return next((site for site in configured() if site.name == name), None)


def from_gs_config(path: str, instance: str = "default") -> str:
    """The token of INSTANCE in a gs.config INI file, as the original scripts read it.

    [config-INSTANCE] names a set with `webservice = SET`; [webservice-SET]
    holds `token = ...`. Anything missing or empty is a ConfigError.
    """
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(path, encoding="utf-8") as stream:
            parser.read_file(stream)
    except (OSError, UnicodeDecodeError, configparser.Error) as error:
        raise ConfigError(f"cannot read configuration {path}: {error}") from None
    section = f"config-{instance}"
    if not parser.has_section(section):
        raise ConfigError(f"{path}: no section [{section}]")
    webservice = parser.get(section, "webservice", fallback="").strip()
    if not webservice:
        raise ConfigError(f"{path}: [{section}] has no webservice")
    if not parser.has_section(f"webservice-{webservice}"):
        raise ConfigError(f"{path}: no section [webservice-{webservice}]")
    token = parser.get(f"webservice-{webservice}", "token", fallback="").strip()
    if not token:
        raise ConfigError(f"{path}: [webservice-{webservice}] has no token")
    return token
