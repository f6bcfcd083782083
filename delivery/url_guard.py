"""Refuse callback URLs that would turn the service into a proxy into a private network."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


class CallbackRefused(ValueError):
    """The callback URL is not allowed; the message says why."""


NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64, IPv4-compatible), if any."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip in NAT64 or ip in IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(address: str) -> bool:
    """True for a globally routable unicast address; an IPv6 address that carries an IPv4
    address is judged by both."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None and not is_public(str(inner)):
            return False
    return ip.is_global and not ip.is_multicast


class CallbackUnresolvable(CallbackRefused):
    """The host does not resolve (now): refused at POST time, retried at delivery time."""


def resolve(host: str, port: int) -> list[str]:
    """The host's addresses, in getaddrinfo's order of preference, without repeats."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise CallbackUnresolvable(f"callback host {host!r} does not resolve: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_callback_url(url: str, allow_http: bool, allow_hosts: frozenset[str],
                       resolve_allowed: bool = True) -> list[str]:
    """Return the addresses `url`'s host resolves to; raise CallbackRefused unless the URL is
    https (or allowed http) and every address is public (or the host is in `allow_hosts`).

    Deliveries connect only to the addresses returned here (delivery/webhook.py). A host in
    `allow_hosts` is resolved only if `resolve_allowed` (the API, which only vets, passes False:
    an allowed internal host that is down at POST time is not a reason to refuse the job)."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise CallbackRefused(f"callback_url is not a valid URL: {exc}") from exc
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"http", "https"} or not host:
        raise CallbackRefused("callback_url must be an http(s) URL with a host")
    if host in allow_hosts:
        return resolve(host, port) if resolve_allowed else []
    if parts.scheme == "http" and not allow_http:
        raise CallbackRefused("callback_url must use https (http is allowed only for hosts "
                              "named in CALLBACK_ALLOW_HOSTS, or with CALLBACK_ALLOW_HTTP=1)")
    addresses = resolve(host, port)
    for address in addresses:
        if not is_public(address):
            raise CallbackRefused(f"callback host {host!r} resolves to {address}, a private, "
                                  "loopback, link-local or reserved address")
    return addresses
