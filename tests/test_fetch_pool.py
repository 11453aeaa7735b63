"""The HTTP client's quicker connection pool decides as httpcore's does, and finds connections the server closed."""

from __future__ import annotations

import asyncio
import random

import httpcore
from httpcore._async.connection_pool import AsyncPoolRequest

from watcher.fetch import Fetcher, FetchLimits
from watcher.fetch.pool import QuickPool

ORIGINS = [b"http://a.example", b"http://b.example", b"https://c.example"]


class FakeConnection:
    """A connection in a given state: what the pool's pass asks of one."""

    def __init__(self, name: str, origin: httpcore.Origin, rng: random.Random | None = None) -> None:
        self.name, self.origin = name, origin
        self.closed = self.expired = self.idle = self.available = False
        if rng is not None:
            self.closed, self.expired = rng.random() < 0.1, rng.random() < 0.15
            self.idle = rng.random() < 0.5
            self.available = self.idle or rng.random() < 0.2  # (an HTTP/2 connection is available while busy)

    def is_closed(self) -> bool:
        return self.closed

    def has_expired(self) -> bool:
        return self.expired

    def is_idle(self) -> bool:
        return self.idle

    def is_available(self) -> bool:
        return self.available

    def can_handle_request(self, origin: httpcore.Origin) -> bool:
        return origin == self.origin


def _origin(rng: random.Random) -> httpcore.Origin:
    return httpcore.Request("GET", rng.choice(ORIGINS) + b"/x").url.origin


def _scenario(seed: int) -> tuple[dict, list[FakeConnection], list[AsyncPoolRequest]]:
    rng = random.Random(seed)
    most = rng.randint(1, 8)
    limits = {"max_connections": most, "max_keepalive_connections": rng.randint(0, most + 1)}
    connections = [FakeConnection(f"c{i}", _origin(rng), rng) for i in range(rng.randint(0, most))]
    requests = []
    for _ in range(rng.randint(0, 6)):
        request = AsyncPoolRequest(httpcore.Request("GET", rng.choice(ORIGINS) + b"/page"))
        if connections and rng.random() < 0.3:
            request.assign_to_connection(rng.choice(connections))
        requests.append(request)
    return limits, connections, requests


def _pass(pool_class: type[httpcore.AsyncConnectionPool], seed: int) -> tuple[list[str], list[str], list[str | None]]:
    limits, connections, requests = _scenario(seed)
    made = iter(range(100))

    class Pool(pool_class):  # type: ignore[misc, valid-type]
        def create_connection(self, origin: httpcore.Origin) -> FakeConnection:  # type: ignore[override]
            return FakeConnection(f"new{next(made)}", origin)

    pool = Pool(**limits)
    pool._connections = list(connections)
    pool._requests = list(requests)
    closing = pool._assign_requests_to_connections()
    return ([c.name for c in closing], [c.name for c in pool._connections],
            [r.connection.name if r.connection else None for r in requests])  # type: ignore[attr-defined]


class SweepingPool(QuickPool):
    sweep_every = 0.0  # every idle connection asked on every pass, as httpcore does


class LazyPool(QuickPool):
    _swept = float("inf")  # no sweep due: only a connection given a request is asked


async def test_quick_pool_closes_keeps_and_assigns_as_httpcore_does() -> None:
    differ = [seed for seed in range(3000) if _pass(SweepingPool, seed) != _pass(httpcore.AsyncConnectionPool, seed)]
    assert not differ, f"the pass differs from httpcore's in scenarios {differ[:10]}: {_pass(SweepingPool, differ[0])} " \
                       f"against {_pass(httpcore.AsyncConnectionPool, differ[0])}"
    outcomes = [_pass(SweepingPool, seed) for seed in range(300)]  # the scenarios try every branch of the pass
    assert sum(1 for closing, _, _ in outcomes if closing) > 50
    assert sum(1 for _, kept, _ in outcomes if any(name.startswith("new") for name in kept)) > 50
    assert sum(1 for _, kept, got in outcomes if any(name in kept and not name.startswith("new") for name in got if name)) > 20


async def test_between_sweeps_no_request_goes_to_an_expired_or_closed_connection() -> None:
    reused = 0
    for seed in range(3000):
        _, connections, requests = _scenario(seed)
        before = {id(r) for r in requests if r.connection is not None}
        states = {c.name: c for c in connections}
        _, kept, got = _pass(LazyPool, seed)
        for r, name in zip(requests, got):
            if id(r) in before or name is None or name.startswith("new"):
                continue
            c = states[name]
            assert not c.closed and not c.expired, f"scenario {seed}: a request went to {name}"
            reused += 1
    assert reused > 200, f"only {reused} requests reused a connection: the scenarios do not test the check"


async def test_a_keep_alive_connection_the_server_closed_is_not_reused() -> None:
    """The server answers with keep-alive and then closes: the next request must see that (is_readable) and
    connect again, not fail on the dead connection."""
    connections = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello")
        await writer.drain()
        writer.close()  # despite keep-alive

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, Fetcher(FetchLimits(concurrency=2), allow_private=True) as f:
        for _ in range(3):
            resp = await f.get(f"http://127.0.0.1:{port}/")
            assert resp.content == b"hello"
            await asyncio.sleep(0.05)  # the close reaches the client's socket
    assert connections == 3, f"{connections} connections for 3 requests to a server that closes each one"
