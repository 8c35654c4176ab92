"""Refuse web-hook destinations inside the network Herald runs in (SSRF).

A hook's URL is chosen by whoever holds an API key, and Herald calls it from
inside AWS: without a guard it could reach the instance metadata service
(169.254.169.254), loopback services or a VPC's private hosts. The host is
resolved at every delivery, not only when the hook is created, because DNS
answers change; every address it resolves to must be public. In local mode
(HERALD_LOCAL=1) loopback is allowed so the local receiver can be used.
"""

import ipaddress
import os
import socket
from urllib.parse import urlsplit


class Refused(ValueError):
    """The destination is not allowed; the message says why."""


def resolve(host: str, port: int) -> list[str]:
    """Every address host resolves to (tests replace this function)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


def local_mode() -> bool:
    return os.environ.get("HERALD_LOCAL") == "1"


def allowed_schemes() -> set[str]:
    # Plain http only on this machine: the local receiver has no certificate.
    return {"https", "http"} if local_mode() else {"https"}


def check_url(url: str) -> list[str]:
    """Validate url and its resolved addresses; returns them or raises Refused."""
    parts = _parse(url)
    try:
        addresses = resolve(parts.hostname, parts.port or _default_port(parts.scheme))
    except (OSError, UnicodeError) as error:
        raise Refused(f"cannot resolve {parts.hostname}: {error}") from None
    if not addresses:
        raise Refused(f"{parts.hostname} resolves to no address")
    for address in addresses:
        check_address(address, parts.hostname)
    return addresses


def check_at_creation(url: str) -> None:
    """Refuse what is already known to be forbidden; a host that does not resolve
    yet is accepted (DNS may come later), since every delivery checks again."""
    parts = _parse(url)
    check_syntax(url)
    try:
        addresses = resolve(parts.hostname, parts.port or _default_port(parts.scheme))
    except (OSError, UnicodeError):
        return
    for address in addresses:
        check_address(address, parts.hostname)


def check_syntax(url: str) -> None:
    """The checks that need no DNS: scheme, host, no credentials, literal IPs."""
    parts = _parse(url)
    try:
        ipaddress.ip_address(parts.hostname)
    except ValueError:
        return
    check_address(parts.hostname, parts.hostname)


def check_address(address: str, host: str) -> None:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback and local_mode():
        return
    if not ip.is_global or ip.is_multicast:
        raise Refused(f"{host} resolves to {address}, which is {_kind(ip)}: not a public address")


def _parse(url: str):
    if not isinstance(url, str) or len(url) > 2048:
        raise Refused("the URL must be a string of at most 2048 characters")
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as error:
        raise Refused(f"malformed URL: {error}") from None
    if parts.scheme not in allowed_schemes():
        wanted = " or ".join(sorted(allowed_schemes()))
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


def guarded_session():
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
                    check_address(sock.getpeername()[0], self.host)
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
