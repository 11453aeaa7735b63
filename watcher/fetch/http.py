"""One async HTTP client for feeds, pages and articles.

Every request has a connect/read timeout and a total time limit, a size cap
on both the bytes received and the bytes they decode to (decoded by hand in
watcher.fetch.body, so a gzip or brotli bomb stops at the cap without ever
inflating in memory), a bounded number of redirects followed by hand (so each
hop can be checked by the private-address guard and permanent moves can be
reported), per-host and global concurrency limits, a least gap between two
requests to one host, and host pauses: a 429 or 503 with `Retry-After` stops
every request to that host until then.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable, Mapping
from urllib.parse import urljoin, urlsplit
from urllib.request import getproxies

import httpcore
import httpx

from watcher import USER_AGENT
from watcher.errors import FetchError
from watcher.fetch.body import ACCEPT_ENCODING, Body
from watcher.fetch.guard import PinnedBackend, PrivateAddressError, private_address_of
from watcher.fetch.pool import quick_transport
from watcher.fetch.urls import url_problem

REDIRECTS = {301, 302, 303, 307, 308}
THROTTLED = {429, 503}  # statuses whose Retry-After pauses the host
MAX_PAUSE = 24 * 3600.0  # a Retry-After further away than this is read as this
PAUSE_WAIT = 5.0  # a request to a host paused for less than this waits instead of failing


@dataclass(frozen=True)
class FetchLimits:
    timeout: float = 20.0  # connect / read / write / pool, each
    total: float = 60.0  # whole request including body
    max_bytes: int = 10 * 1000**2  # received and decoded, each
    max_redirects: int = 10
    concurrency: int = 16
    per_host: int = 2
    host_gap: float = 0.0  # least seconds between the starts of two requests to one host


@dataclass(frozen=True)
class Response:
    url: str  # final URL after redirects
    status: int
    headers: dict[str, str]
    content: bytes
    elapsed: float
    http_version: str = "HTTP/1.1"
    redirects: tuple[tuple[int, str], ...] = field(default=())  # (status, target) per hop
    received: int = 0  # body bytes as they came over the wire (compressed)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def host_of(url: str) -> str:
    """The politeness key of a URL: host and port, lower-case."""
    return urlsplit(url).netloc.lower()


_CHECKED: set[str] = set()  # URLs that passed checked_url: a source's URL is requested at every poll
MAX_CHECKED = 50_000  # forgotten all at once past this many (a few MB at most)


def checked_url(url: str) -> str:
    """`url` if it can be requested (`watcher.fetch.urls.url_problem`); anything else is a FetchError of kind
    `bad_url` naming what is wrong."""
    if url in _CHECKED:  # (the check depends on the URL alone)
        return url
    if problem := url_problem(url):
        raise FetchError(url, "bad_url", f"bad URL {_short(url)}: {problem}")
    if len(_CHECKED) >= MAX_CHECKED:
        _CHECKED.clear()
    _CHECKED.add(url)
    return url


def retry_after(value: str | None, now: float) -> float | None:
    """The wall-clock time (epoch seconds) a `Retry-After` value asks us to wait until, or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        delay = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        delay = when.timestamp() - now
    if delay <= 0:
        return None
    return now + min(delay, MAX_PAUSE)


class Fetcher:
    def __init__(
        self,
        limits: FetchLimits | None = None,
        *,
        user_agent: str | None = None,
        allow_private: bool = False,
        pauses: dict[str, float] | None = None,
        on_pause: Callable[[str, float], None] | None = None,
    ) -> None:
        self.limits = limits or FetchLimits()
        self.allow_private = allow_private
        self.on_pause = on_pause  # told (host, until) when a host asks us to wait
        self._paused: dict[str, float] = dict(pauses or {})  # host -> epoch seconds
        self._client = self._make_client(user_agent, None)
        # links found in feeds and pages go through a client that connects only to checked public addresses
        self._guarded = None if allow_private else self._make_client(user_agent, _pinned_transport(self.limits))
        self._global = asyncio.Semaphore(self.limits.concurrency)
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(self.limits.per_host)
        )
        self._next_start: dict[str, float] = {}  # host -> loop time the next request may start
        self._started: dict[str, float] = {}  # host -> loop time the last request to it really started

    def _make_client(self, user_agent: str | None, transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
        limits = _pool_limits(self.limits)
        if transport is None and not _environment_proxy():  # (httpx's own transport mounts the proxies)
            transport = quick_transport(limits, httpcore.AnyIOBackend())
        return httpx.AsyncClient(
            http2=True,
            follow_redirects=False,
            timeout=httpx.Timeout(self.limits.timeout),
            limits=limits,
            headers={"User-Agent": user_agent or USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
            transport=transport,
        )

    async def __aenter__(self) -> "Fetcher":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()
        if self._guarded is not None:
            await self._guarded.aclose()

    def paused_until(self, url_or_host: str) -> float | None:
        """Epoch seconds until which the host asked us not to call, if it did and that is still ahead."""
        host = host_of(url_or_host) if "://" in url_or_host else url_or_host.lower()
        until = self._paused.get(host)
        if until is None:
            return None
        if until <= time.time():
            del self._paused[host]
            return None
        return until

    def pause(self, host: str, until: float) -> None:
        if until > self._paused.get(host, 0.0):
            self._paused[host] = until
            if self.on_pause is not None:
                self.on_pause(host, until)

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
        trusted: bool = True,
        timeout: float | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> Response:
        """GET `url`; raise FetchError for anything but 2xx and 304.

        `trusted=False` applies the private-address guard to every hop. `extra` headers (a source's own:
        credentials, cookies, user agent) are sent to `url`'s host only, never to a host it redirects to.
        """
        headers: dict[str, str | bytes] = {}
        if etag:
            headers["If-None-Match"] = _validator(etag)
        if last_modified:
            headers["If-Modified-Since"] = _validator(last_modified)
        if accept:
            headers["Accept"] = accept
        total = timeout if timeout is not None else self.limits.total
        budget = _Budget(total)
        try:
            return await self._follow(checked_url(url), headers, trusted, budget, extra)
        except FetchError:
            raise
        except TimeoutError:
            raise FetchError(url, "timeout", f"timed out after {total:g}s") from None
        except Exception as e:  # any other failure belongs to this URL alone, never to the poll around it
            raise FetchError(url, "error", f"{_short(url)}: {type(_leaf(e)).__name__}: {_reason(_leaf(e))}") from None

    async def _follow(self, url: str, headers: dict[str, str | bytes], trusted: bool, budget: "_Budget",
                      extra: Mapping[str, str] | None = None) -> Response:
        start = time.monotonic()
        hops: list[tuple[int, str]] = []
        current = url
        seen = {url}
        guarded = not trusted and not self.allow_private
        while True:
            if guarded:
                bad = await asyncio.wait_for(private_address_of(current), self.limits.timeout)
                if bad:
                    raise FetchError(current, "private", f"refused: {current} resolves to non-public address {bad}")
            sent = {**headers, **extra} if extra and keeps_credentials(url, current) else headers
            status, resp_headers, body, version, received = await self._one(current, sent, guarded, budget)
            if status in REDIRECTS and "location" in resp_headers:
                try:
                    target = checked_url(urljoin(current, resp_headers["location"]))
                except (FetchError, ValueError) as e:
                    raise FetchError(url, "redirect", f"redirect to a URL that cannot be fetched: {e}") from None
                hops.append((status, target))
                if len(hops) > self.limits.max_redirects:
                    raise FetchError(url, "redirect", f"more than {self.limits.max_redirects} redirects")
                if target in seen:
                    raise FetchError(url, "redirect", f"redirect loop at {target}")
                seen.add(target)
                current = target
                continue
            if status == 304 or 200 <= status < 300:
                return Response(
                    url=current,
                    status=status,
                    headers=resp_headers,
                    content=body,
                    elapsed=time.monotonic() - start,
                    http_version=version,
                    redirects=tuple(hops),
                    received=received,
                )
            message = f"HTTP {status}"
            if status == 410:
                message = "HTTP 410 Gone: the server says this URL is gone for good"
            if status in THROTTLED:
                until = retry_after(resp_headers.get("retry-after"), time.time())
                if until is not None:
                    self.pause(host_of(current), until)
                    message += f"; the host asked for a pause until {_clock(until)}"
                    raise FetchError(current, "http", message, status=status, retry_after=until)
            raise FetchError(current, "http", message, status=status)

    async def _wait_turn(self, url: str, host: str) -> None:
        """Honour a host pause (a short one by waiting) and the least gap between requests to the host."""
        until = self.paused_until(host)
        if until is not None:
            wait = until - time.time()
            if wait > PAUSE_WAIT:
                raise FetchError(url, "paused", f"{host} asked for a pause until {_clock(until)}; not requested",
                                 retry_after=until)
            await asyncio.sleep(wait)
        gap = self.limits.host_gap
        if gap > 0:
            loop = asyncio.get_running_loop()
            now = loop.time()
            begin = max(now, self._next_start.get(host, 0.0))
            self._next_start[host] = begin + gap  # reserved before sleeping, so waiters queue in order
            if begin > now:
                await asyncio.sleep(begin - now)

    async def _keep_gap(self, host: str) -> None:
        """The gap again once a global slot is held, from the last request's real start: waiting for the slot
        (or a late wake-up) can put two requests that each waited out their turn back to back."""
        gap = self.limits.host_gap
        if gap <= 0:
            return
        loop = asyncio.get_running_loop()
        wait = self._started.get(host, -gap) + gap - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        now = loop.time()
        self._started[host] = now
        self._next_start[host] = max(self._next_start.get(host, 0.0), now + gap)

    async def _one(
        self, url: str, headers: Mapping[str, str | bytes], guarded: bool, budget: "_Budget"
    ) -> tuple[int, dict[str, str], bytes, str, int]:
        host = host_of(url)
        cap = self.limits.max_bytes
        client = self._guarded if guarded and self._guarded is not None else self._client
        # host slot first, then the gap, then a global slot: a request waiting on its host holds no global slot
        async with self._hosts[host]:
            await self._wait_turn(url, host)
            async with self._global, asyncio.timeout_at(budget.deadline()):
                await self._keep_gap(host)
                try:
                    async with client.stream("GET", url, headers=headers) as r:
                        resp_headers = {k.lower(): v for k, v in r.headers.items()}
                        for name, raw in r.headers.raw:  # validators byte for byte (see `_validator`)
                            if name.lower() in VALIDATORS:
                                resp_headers[name.decode("ascii").lower()] = raw.decode("latin-1")
                        if r.status_code >= 300 or r.status_code < 200:
                            await _drain(r)
                            return r.status_code, resp_headers, b"", r.http_version, 0
                        declared = resp_headers.get("content-length", "")
                        if declared.isdigit() and int(declared) > cap:
                            raise FetchError(url, "too_large", f"response of {int(declared)} bytes exceeds the {cap}-byte cap")
                        body = Body(url, resp_headers.get("content-encoding", ""), cap)
                        async for raw in r.aiter_raw():
                            body.add(raw)
                        return r.status_code, resp_headers, body.finish(), r.http_version, body.received
                except PrivateAddressError as e:
                    raise FetchError(url, "private", f"refused: {e}") from None
                except httpx.TimeoutException as e:
                    raise FetchError(url, "timeout", f"timed out ({type(e).__name__})") from None
                except httpx.ConnectError as e:
                    raise FetchError(url, "connect", f"cannot connect: {_reason(e)}") from None
                except httpx.DecodingError as e:
                    raise FetchError(url, "decode", f"bad content encoding: {_reason(e)}") from None
                except httpx.InvalidURL as e:  # our URL was checked: httpx read a Location it cannot follow
                    raise FetchError(url, "redirect", f"redirect to a URL that cannot be fetched: {_reason(e)}") from None
                except httpx.HTTPError as e:
                    raise FetchError(url, "network", f"{type(e).__name__}: {_reason(e)}") from None


DRAIN_MAX = 64 * 1024  # bytes of a 304's, a redirect's or an error's body read (and dropped) to keep its connection


DRAIN_WAIT = 2.0  # seconds such a body gets at most


async def _drain(r: httpx.Response) -> None:
    """Read an answer without a body we keep (a 304, a redirect, an error) to its end when it is short: only a
    response read to its end gives its connection back to the pool; one left unread is closed, and the next
    request to the host pays a new connection (a TLS handshake). A longer body is left, its connection closed,
    and so is one that breaks off or stalls: the answer's status stands either way."""
    declared = r.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > DRAIN_MAX):
        return
    seen = 0
    try:
        async with asyncio.timeout(DRAIN_WAIT):
            async for raw in r.aiter_raw():
                seen += len(raw)
                if seen > DRAIN_MAX:
                    return
    except (httpx.HTTPError, OSError, TimeoutError):
        return


class _Budget:
    """A request's total time limit. It starts when the first hop gets its turn, not while it waits in line
    behind other requests to the host (a cycle of 2,000 feeds must not time out in the queue)."""

    def __init__(self, total: float) -> None:
        self.total = total
        self._deadline: float | None = None

    def deadline(self) -> float:
        if self._deadline is None:
            self._deadline = asyncio.get_running_loop().time() + self.total
        return self._deadline


def _pinned_transport(limits: FetchLimits) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose connections go only to addresses PinnedBackend checked."""
    return quick_transport(_pool_limits(limits), PinnedBackend(), trust_env=False)


def _pool_limits(limits: FetchLimits) -> httpx.Limits:
    return httpx.Limits(max_connections=limits.concurrency, max_keepalive_connections=limits.concurrency)


VALIDATORS = {b"etag", b"last-modified"}


def _validator(value: str) -> bytes:
    """A stored ETag or Last-Modified as the bytes to send back. A server may send bytes outside ASCII there
    (which httpx refuses to send as text, so every later poll of the source failed): they are stored one
    character a byte (Latin-1) and sent back as they came; a value stored as UTF-8 text earlier is sent so."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def own_headers(headers: Mapping[str, str] | None, home: str, url: str) -> Mapping[str, str] | None:
    """A source's own headers (credentials, cookies) for a request to `url`, when they may go there from the
    source's configured URL `home` (`keeps_credentials`): not to the host a lasting redirect moved its polls to."""
    return headers if headers and keeps_credentials(home, url) else None


def keeps_credentials(first: str, hop: str) -> bool:
    """Whether a source's own headers (credentials, cookies) go to a redirect hop: to its own host only, and
    never in the clear after a redirect from HTTPS to HTTP."""
    return host_of(hop) == host_of(first) and not (urlsplit(first).scheme == "https" and urlsplit(hop).scheme == "http")


def _environment_proxy() -> bool:
    """Whether the environment names an HTTP proxy (as httpx reads it)."""
    proxies = getproxies()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


def _clock(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds")


def _short(url: str, keep: int = 200) -> str:
    return url if len(url) <= keep else f"{url[:keep]}... ({len(url)} characters)"


def _leaf(e: BaseException) -> BaseException:
    """The first real error inside an exception group (anyio's task groups wrap connection failures)."""
    while isinstance(e, BaseExceptionGroup) and e.exceptions:
        e = e.exceptions[0]
    return e


def _reason(e: BaseException) -> str:
    text = str(e) or type(e).__name__
    return text.splitlines()[0][:200]
