"""Which network addresses Herald may call (the SSRF guard).

A URL Herald calls is chosen by whoever holds an API key (a web-hook, a
change feed) or by the operator (a GroupServer site), and Herald calls it
from inside AWS: unguarded it could reach the instance metadata service
(169.254.169.254), Lambda's runtime API on loopback, or a VPC's private
hosts. So every address is judged twice: when the host is resolved, and on
the connection actually made (DNS answers change between the two: rebinding).

The rule: a public address is always allowed. `private=True` (feeds an
operator allowed to be private, GroupServer sites) also allows private
ranges. Link-local never, loopback only in local mode. An IPv6 address that
carries an IPv4 one (mapped, translated, compatible, NAT64, 6to4, Teredo) is
judged by what it carries; a form whose IPv4 part cannot be told is refused.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from chalicelib.core import settings

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # embedding depends on the prefix
_TRANSLATED = ipaddress.ip_network("::ffff:0:0/96")
_COMPATIBLE = ipaddress.ip_network("::/96")


class Refused(ValueError):
    """The destination is not allowed; the message says why."""


def resolve(host: str, port: int) -> list[str]:
    """Every address host resolves to (tests replace this function)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


def schemes(plain_http: bool = False) -> set[str]:
    # Plain http only where asked for, or on this machine (no certificates there).
    return {"https", "http"} if plain_http or settings.local_mode() else {"https"}


def check_url(url: str, *, private: bool = False, plain_http: bool = False) -> list[str]:
    """Validate url and every address it resolves to; returns them or raises Refused."""
    parts = parse(url, plain_http)
    try:
        addresses = resolve(parts.hostname, parts.port or _default_port(parts.scheme))
    except (OSError, UnicodeError) as error:
        raise Refused(f"cannot resolve {parts.hostname}: {error}") from None
    if not addresses:
        raise Refused(f"{parts.hostname} resolves to no address")
    for address in addresses:
        check_address(address, parts.hostname, private=private)
    return addresses


def check_at_creation(url: str) -> None:
    """Refuse what is already known to be forbidden; a host that does not resolve
    yet is accepted (DNS may come later), since every request checks again."""
    parts = parse(url)
    try:
        addresses = resolve(parts.hostname, parts.port or _default_port(parts.scheme))
    except (OSError, UnicodeError):
        addresses = []
    for address in addresses:
        check_address(address, parts.hostname)


def check_syntax(url: str) -> None:
    """The checks that need no DNS: scheme, host, no credentials, literal IPs."""
    parts = parse(url)
    try:
        ipaddress.ip_address(parts.hostname)
    except ValueError:
        return
    check_address(parts.hostname, parts.hostname)


def embedded(ip) -> list | None:
    """The IPv4 addresses an IPv6 address carries ([] for none; None: cannot tell)."""
    if ip.version == 4:
        return []
    if ip.ipv4_mapped:
        return [ip.ipv4_mapped]
    if ip.teredo:
        return list(ip.teredo)
    if ip.sixtofour:
        return [ip.sixtofour]
    if ip in _NAT64_LOCAL:
        return None
    low = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _NAT64 or ip in _TRANSLATED or (ip in _COMPATIBLE and int(ip) > 1):
        return [low]
    return []


def check_address(address: str, host: str, *, private: bool = False) -> None:
    """Raise Refused unless Herald may connect to address (which host resolved to)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        raise Refused(f"{host} resolves to {address!r}, which is not an address") from None
    carried = embedded(ip)
    if carried is None:
        raise Refused(f"{host} resolves to {address}, whose IPv4 part cannot be judged")
    for candidate in carried or [ip]:
        reason = _forbidden(candidate, private)
        if reason:
            raise Refused(f"{host} resolves to {address}, which is {reason}: not allowed")


def _forbidden(ip, private: bool) -> str | None:
    if ip.is_loopback:
        return None if settings.local_mode() else "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return _kind(ip)
    if ip.version == 6 and ip.is_site_local:
        return "site-local"
    if ip.is_global or (private and ip.is_private):
        return None
    return _kind(ip)


def parse(url: str, plain_http: bool = False):
    if not isinstance(url, str) or len(url) > 2048:
        raise Refused("the URL must be a string of at most 2048 characters")
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as error:
        raise Refused(f"malformed URL: {error}") from None
    allowed = schemes(plain_http)
    if parts.scheme not in allowed:
        wanted = " or ".join(sorted(allowed))
        raise Refused(f"the URL must use {wanted}, not {parts.scheme or 'no scheme'!r}")
    if not parts.hostname:
        raise Refused("the URL has no host")
    if parts.username or parts.password:
        raise Refused("the URL must not carry credentials")
    return parts


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _kind(ip) -> str:
    for name in ("unspecified", "loopback", "link_local", "private", "reserved", "multicast"):
        if getattr(ip, f"is_{name}"):
            return name.replace("_", "-")
    return "non-public"


def guarded_session(*, private: bool = False):
    """A requests Session that checks the address each connection really reached.

    check_url resolves the host before the request, but requests resolves it
    again when it connects; a DNS answer that changes in between (rebinding)
    would slip past. Here the connected socket's peer address is checked
    before anything (TLS, the request) is sent on it.
    """
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    def checked(connection_class):
        class Checked(connection_class):
            def _new_conn(self):
                sock = super()._new_conn()
                try:
                    check_address(sock.getpeername()[0], self.host, private=private)
                except Refused:
                    sock.close()
                    raise
                return sock

        return Checked

    class HTTPPool(HTTPConnectionPool):
        ConnectionCls = checked(HTTPConnection)

    class HTTPSPool(HTTPSConnectionPool):
        ConnectionCls = checked(HTTPSConnection)

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": HTTPPool, "https": HTTPSPool}

    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: the peer must be the host
    session.mount("http://", Adapter())
    session.mount("https://", Adapter())
    return session
