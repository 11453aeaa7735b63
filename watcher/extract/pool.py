"""Run extraction in worker processes, off the event loop, with a time limit per page.

pebble's pool kills and replaces a worker whose task overruns, so one
pathological page cannot stall polling or hold a core for ever; workers are
also recycled after a number of pages to bound slow memory growth in lxml.
"""

from __future__ import annotations

import asyncio
import os
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING

from pebble import ProcessFuture, ProcessPool
from pebble.common import ProcessExpired

if TYPE_CHECKING:
    from watcher.extract.model import Extracted

from watcher.errors import WatcherError
from watcher.extract.warmup import forkserver_context, stop_pool
from watcher.extract.worker import extract as extract_in_worker


class ExtractionFailed(WatcherError):
    """The page could not be turned into an article body; `kind` says why."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


class Extractor:
    def __init__(self, workers: int | None = None, timeout: float = 30.0, max_tasks: int = 500) -> None:
        self.timeout = timeout
        self.workers = workers or max(1, os.cpu_count() or 1)
        # forkserver: workers never inherit the daemon's threads or open sockets
        self._pool = ProcessPool(max_workers=self.workers, max_tasks=max_tasks, context=forkserver_context())
        self._started = False
        self._starting = asyncio.Lock()
        self._pool_start = threading.Lock()  # held while the pool starts in a thread; close() waits for it

    async def extract(
        self, html: bytes, url: str | None, *, need_date: bool = True
    ) -> "Extracted | None":
        future = await self._schedule((html, url, need_date))
        try:
            return await asyncio.wrap_future(future)
        except FutureTimeout:
            raise ExtractionFailed("timeout", f"extraction took longer than {self.timeout:g}s") from None
        except ProcessExpired as e:
            raise ExtractionFailed("crash", f"extraction worker died ({e})") from None
        except Exception as e:  # an exception inside trafilatura/lxml for this page only
            raise ExtractionFailed("error", f"extraction failed: {type(e).__name__}: {e}") from None

    async def _schedule(self, args: tuple) -> "ProcessFuture":
        """The first page starts the fork server and the workers, in a thread (the loop keeps answering while the
        server imports trafilatura); a poll with nothing new to read never starts them."""
        if not self._started:
            async with self._starting:
                if not self._started:
                    future = await asyncio.to_thread(self._start, args)
                    self._started = True
                    return future
        return self._pool.schedule(extract_in_worker, args=args, timeout=self.timeout)

    def _start(self, args: tuple) -> "ProcessFuture":
        with self._pool_start:
            return self._pool.schedule(extract_in_worker, args=args, timeout=self.timeout)

    def close(self) -> None:
        with self._pool_start:  # a start under way (its poll cancelled by a stop) ends first, then every worker
            stop_pool(self._pool)

    def __enter__(self) -> "Extractor":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
