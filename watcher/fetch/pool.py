"""The HTTP client's connection pool, without two costs httpcore 1.0 pays on every request.

httpcore's pool re-examines all its connections whenever a request starts or
ends. With 16 connections two things in that pass cost more CPU than the
request itself:
- its surplus keep-alive check counts the pool's connections once per
  connection (a list built to take its length: 256 `is_idle` calls a pass);
  `QuickPool` counts them once;
- asking an idle connection whether the server closed it goes through anyio's
  typed attributes, which build a dict of getters (and call getpeername) on
  every question; `QuickStream` keeps the socket and asks it directly.
Decisions are unchanged: the same connections are closed, reused and made, in
the same order (the pass below is httpcore 1.0.9's, the count aside).
"""

from __future__ import annotations

import socket
import ssl
import time
from typing import Any, Iterable

import httpcore
import httpx
from httpcore._utils import is_socket_readable


class QuickStream(httpcore.AsyncNetworkStream):
    """A network stream that answers "is_readable" from the socket it keeps (an idle connection asks on every pass)."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: socket.socket | None = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        return QuickStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable" and self._socket is not None:
            return is_socket_readable(self._socket)
        return self._inner.get_extra_info(info)


class QuickBackend(httpcore.AsyncNetworkBackend):
    """`inner`'s connections, as QuickStreams."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return QuickStream(await self._inner.connect_tcp(host, port, timeout, local_address, socket_options))

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        return QuickStream(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class QuickPool(httpcore.AsyncConnectionPool):
    """httpcore's pool with the pass over its connections in linear time, and the idle connections asked
    whether they expired (a socket poll each: has the server closed it?) at most every `sweep_every` seconds,
    the one given a request always. httpcore asks every idle connection on every pass, twice a request: with
    16 kept alive that is most of a conditional poll's CPU. Between sweeps a connection past its keep-alive
    or closed by the server is still never reused; it is closed when a request would have had it, or at the
    next sweep. With `sweep_every = 0` the pass decides exactly as httpcore's."""

    sweep_every = 1.0
    _swept = float("-inf")  # when the idle connections were last asked

    def _assign_requests_to_connections(self) -> list[httpcore.AsyncConnectionInterface]:
        closing = []
        now = time.monotonic()
        sweep = now >= self._swept + self.sweep_every
        if sweep:
            self._swept = now
        # closed, expired and surplus idle connections go (httpcore compares the number of connections, idle or not,
        # with the keep-alive limit: so does this, counted once instead of once per connection)
        for connection in list(self._connections):
            if connection.is_closed():
                self._connections.remove(connection)
            elif (((sweep and connection.has_expired()) or len(self._connections) > self._max_keepalive_connections)
                  if connection.is_idle() else connection.has_expired()):
                self._connections.remove(connection)
                closing.append(connection)
        for pool_request in [request for request in self._requests if request.is_queued()]:
            origin = pool_request.request.url.origin
            chosen = None
            for c in list(self._connections):  # the first available one (a copy: an expired one is taken out)
                if not (c.can_handle_request(origin) and c.is_available()):
                    continue
                if not sweep and c.is_idle() and c.has_expired():  # asked now, before it is reused
                    self._connections.remove(c)
                    closing.append(c)
                    continue
                chosen = c
                break
            if chosen is not None:
                pool_request.assign_to_connection(chosen)
                continue
            if len(self._connections) >= self._max_connections:
                idle = next((c for c in self._connections if c.is_idle()), None)
                if idle is None:
                    continue  # waits for a connection to come free
                self._connections.remove(idle)
                closing.append(idle)
            connection = self.create_connection(origin)
            self._connections.append(connection)
            pool_request.assign_to_connection(connection)
        return closing


# the httpcore internals QuickPool works with (httpcore 1.0); without them the pool is httpcore's own
FITS = all(hasattr(httpcore.AsyncConnectionPool, name) for name in ("_assign_requests_to_connections", "_close_connections"))


def quick_transport(
    limits: httpx.Limits, backend: httpcore.AsyncNetworkBackend, *, trust_env: bool = True
) -> httpx.AsyncHTTPTransport:
    """An httpx transport (HTTP/1.1 and 2) over a QuickPool whose connections `backend` makes."""
    transport = httpx.AsyncHTTPTransport(http2=True, limits=limits, trust_env=trust_env)
    # httpx takes no network backend nor pool class; its pool is the documented httpcore one, built again with ours
    # (httpcore's own where its pass is not the one QuickPool replaces: pyproject pins httpcore 1.0)
    transport._pool = (QuickPool if FITS else httpcore.AsyncConnectionPool)(
        ssl_context=httpx.create_ssl_context(),  # SSL_CERT_FILE/SSL_CERT_DIR read whatever `trust_env` says of proxies
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        http1=True,
        http2=True,
        network_backend=QuickBackend(backend),
    )
    return transport
