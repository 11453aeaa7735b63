"""One async HTTP client for feeds, pages and articles.

Every request has a connect/read timeout and a total time limit, a streamed
size cap (checked on the decoded body, so compressed bombs stop at the cap
too), a bounded number of redirects followed by hand (so each hop can be
checked by the private-address guard and permanent moves can be reported),
and per-host plus global concurrency limits.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from watcher import USER_AGENT
from watcher.errors import FetchError
from watcher.fetch.guard import private_address_of

REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class FetchLimits:
    timeout: float = 20.0  # connect / read / write / pool, each
    total: float = 60.0  # whole request including body
    max_bytes: int = 10 * 1000**2
    max_redirects: int = 10
    concurrency: int = 16
    per_host: int = 2


@dataclass(frozen=True)
class Response:
    url: str  # final URL after redirects
    status: int
    headers: dict[str, str]
    content: bytes
    elapsed: float
    http_version: str = "HTTP/1.1"
    redirects: tuple[tuple[int, str], ...] = field(default=())  # (status, target) per hop

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher:
    def __init__(
        self,
        limits: FetchLimits | None = None,
        *,
        user_agent: str | None = None,
        allow_private: bool = False,
    ) -> None:
        self.limits = limits or FetchLimits()
        self.allow_private = allow_private
        self._client = httpx.AsyncClient(
            http2=True,
            follow_redirects=False,
            timeout=httpx.Timeout(self.limits.timeout),
            limits=httpx.Limits(
                max_connections=self.limits.concurrency,
                max_keepalive_connections=self.limits.concurrency,
            ),
            headers={
                "User-Agent": user_agent or USER_AGENT,
                "Accept-Encoding": "gzip, deflate, br",
            },
        )
        self._global = asyncio.Semaphore(self.limits.concurrency)
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(self.limits.per_host)
        )

    async def __aenter__(self) -> "Fetcher":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
        trusted: bool = True,
        timeout: float | None = None,
    ) -> Response:
        """GET `url`; raise FetchError for anything but 2xx and 304.

        `trusted=False` applies the private-address guard to every hop.
        """
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        total = timeout if timeout is not None else self.limits.total
        try:
            async with asyncio.timeout(total):
                return await self._follow(url, headers, trusted)
        except TimeoutError:
            raise FetchError(url, "timeout", f"timed out after {total:g}s") from None

    async def _follow(self, url: str, headers: dict[str, str], trusted: bool) -> Response:
        start = time.monotonic()
        hops: list[tuple[int, str]] = []
        current = url
        seen = {url}
        while True:
            if not trusted and not self.allow_private:
                bad = await private_address_of(current)
                if bad:
                    raise FetchError(current, "private", f"refused: {current} resolves to non-public address {bad}")
            status, resp_headers, body, version = await self._one(current, headers)
            if status in REDIRECTS and "location" in resp_headers:
                target = urljoin(current, resp_headers["location"])
                if urlsplit(target).scheme not in ("http", "https"):
                    raise FetchError(url, "redirect", f"redirect to unsupported URL {target}")
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
                )
            raise FetchError(current, "http", f"HTTP {status}", status=status)

    async def _one(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes, str]:
        host = urlsplit(url).netloc.lower()
        cap = self.limits.max_bytes
        async with self._global, self._hosts[host]:
            try:
                async with self._client.stream("GET", url, headers=headers) as r:
                    resp_headers = {k.lower(): v for k, v in r.headers.items()}
                    if r.status_code in REDIRECTS or r.status_code == 304 or r.status_code >= 300:
                        return r.status_code, resp_headers, b"", r.http_version
                    declared = resp_headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > cap:
                        raise FetchError(url, "too_large", f"response of {int(declared)} bytes exceeds the {cap}-byte cap")
                    chunks: list[bytes] = []
                    size = 0
                    async for chunk in r.aiter_bytes():
                        size += len(chunk)
                        if size > cap:
                            raise FetchError(url, "too_large", f"response exceeds the {cap}-byte cap")
                        chunks.append(chunk)
                    return r.status_code, resp_headers, b"".join(chunks), r.http_version
            except httpx.TimeoutException as e:
                raise FetchError(url, "timeout", f"timed out ({type(e).__name__})") from None
            except httpx.ConnectError as e:
                raise FetchError(url, "connect", f"cannot connect: {_reason(e)}") from None
            except httpx.DecodingError as e:
                raise FetchError(url, "decode", f"bad content encoding: {_reason(e)}") from None
            except httpx.HTTPError as e:
                raise FetchError(url, "network", f"{type(e).__name__}: {_reason(e)}") from None


def _reason(e: BaseException) -> str:
    text = str(e) or type(e).__name__
    return text.splitlines()[0][:200]
