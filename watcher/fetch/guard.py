"""Refuse links that point into the private network (SSRF guard).

Links found inside feeds and pages are untrusted: a hostile feed could point
us at a router admin page or a cloud metadata service. Sources the user
configured are trusted and skip this check.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit


def is_public_address(ip: str) -> bool:
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    return not (
        addr.is_private
        or addr.is_loopback
        or addr.is_link_local
        or addr.is_multicast
        or addr.is_reserved
        or addr.is_unspecified
    )


async def private_address_of(url: str) -> str | None:
    """The first non-public address `url`'s host resolves to, or None if all are public."""
    host = urlsplit(url).hostname
    if not host:
        return "no host"
    try:
        ipaddress.ip_address(host)
        addresses = [host]
    except ValueError:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except OSError:
            return None  # resolution fails later with a clear fetch error
        addresses = [info[4][0] for info in infos]
    for ip in addresses:
        if not is_public_address(ip):
            return ip
    return None
