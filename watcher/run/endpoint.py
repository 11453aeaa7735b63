"""The daemon's small HTTP endpoint: `GET /healthz` and `GET /metrics`.

It runs on the daemon's own event loop (asyncio's server, no web framework),
so a stalled loop shows as a health check that does not answer, and the
store is only ever touched from the loop's thread.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

from prometheus_client import CONTENT_TYPE_LATEST

from watcher.errors import WatcherError

log = logging.getLogger("watcher.run.endpoint")

READ_TIMEOUT = 10.0  # seconds a client may take to send its request head
MAX_HEAD = 16 * 1024  # bytes of request line and headers accepted (a longer head gets no answer)


@dataclass(frozen=True)
class Health:
    ok: bool
    reason: str


def split_listen(listen: str) -> tuple[str, int]:
    """`host:port` (IPv6 in brackets: `[::]:8080`) as (host, port)."""
    host, _, port = listen.rpartition(":")
    return host.strip("[]") or "0.0.0.0", int(port)


class StatusServer:
    def __init__(self, listen: str, health: Callable[[], Health], metrics: Callable[[], bytes]) -> None:
        self.listen = listen
        self.health = health
        self.metrics = metrics
        self._server: asyncio.base_events.Server | None = None

    async def start(self) -> None:
        host, port = split_listen(self.listen)
        try:
            self._server = await asyncio.start_server(self._handle, host, port, limit=MAX_HEAD)
        except OSError as e:
            raise WatcherError(f"server.listen {self.listen}: cannot listen: {e.strerror or e}") from None
        log.info("serving /healthz and /metrics on http://%s/", self.listen)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError):
            writer.close()
            return
        try:
            status, content_type, body = self._answer(head)
        except Exception as e:  # a failing scrape is the scraper's news, not the daemon's end
            log.warning("%s failed: %s", head.split(b"\r\n", 1)[0].decode("latin-1"), e)
            status, content_type, body = "500 Internal Server Error", "text/plain; charset=utf-8", f"{e}\n".encode()
        method = head.split(b" ", 1)[0]
        writer.write(
            f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n\r\n".encode()
            + (b"" if method == b"HEAD" else body)
        )
        try:
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    def _answer(self, head: bytes) -> tuple[str, str, bytes]:
        parts = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
        if len(parts) != 3:
            return "400 Bad Request", "text/plain; charset=utf-8", b"bad request\n"
        method, target, _ = parts
        path = urlsplit(target).path
        if path not in ("/healthz", "/metrics"):
            return "404 Not Found", "text/plain; charset=utf-8", b"not found: try /healthz or /metrics\n"
        if method not in ("GET", "HEAD"):
            return "405 Method Not Allowed", "text/plain; charset=utf-8", b"method not allowed\n"
        if path == "/healthz":
            h = self.health()
            return ("200 OK" if h.ok else "503 Service Unavailable"), "text/plain; charset=utf-8", f"{h.reason}\n".encode()
        return "200 OK", CONTENT_TYPE_LATEST, self.metrics()
