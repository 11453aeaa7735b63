"""Refuse links that point into the private network (SSRF guard).

Links found inside feeds and pages are untrusted: a hostile feed could point
us at a router admin page or a cloud metadata service. Sources the user
configured are trusted and skip this check.

The check runs twice: before a request (a clear error, nothing sent) and at
connect time in `PinnedBackend`, which connects to the very address it
checked, so a name that resolves differently the second time (DNS
rebinding) cannot slip through.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any, Iterable
from urllib.parse import urlsplit

import httpcore


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


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Resolves a host once, refuses it if any address is non-public, and connects to the address it checked.

    Checking a name and then letting the HTTP client resolve it again leaves a
    gap (DNS rebinding: the second answer may be 127.0.0.1). Here the check and
    the connection use the same answer. TLS still verifies the original name,
    which httpcore passes to start_tls separately.
    """

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout)
        except (OSError, TimeoutError) as e:
            raise httpcore.ConnectError(f"cannot resolve {host}: {e}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for ip in addresses:
            if not is_public_address(ip):
                raise PrivateAddressError(host, ip)
        error: Exception = httpcore.ConnectError(f"no address for {host}")
        for ip in addresses:
            try:
                return await self._inner.connect_tcp(
                    ip, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except httpcore.ConnectError as e:
                error = e
        raise error

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PrivateAddressError(Exception):
    """A guarded connection was refused: the host resolves to a non-public address."""

    def __init__(self, host: str, ip: str) -> None:
        self.host = host
        self.ip = ip
        super().__init__(f"{host} resolves to non-public address {ip}")
