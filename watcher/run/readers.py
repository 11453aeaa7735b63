"""Feeds and pages read in a worker process, so reading them never holds the event loop's interpreter lock.

Reading a changed feed (feedparser, in pure Python) costs CPU: 2-4 ms for a
small feed, 20-30 ms for a 50 KB one of 20-30 entries; in a parser thread that time is taken from the event loop by the
interpreter lock, so a cycle of 2,000 changed feeds was paced by it. One worker
process reads them instead, on the other core, while the loop fetches and
stores. The worker is forked from the extraction fork server and replaced after
MAX_TASKS documents; it starts only when a run has read START_AFTER documents
(a cycle of many changed sources). Until it is up, and whenever it dies or
cannot be reached, a document is read in a parser thread as before: the same
function, so the same listing whichever way it goes. So is a big document
(a page of 50,000 links): its listing, unpickled here in one call, would hold
the lock longer than reading it in a thread, which yields every few ms.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import threading
from concurrent.futures import Future
from typing import Any

from pebble import ProcessPool
from pebble.common import ProcessExpired

from watcher.extract.warmup import forkserver_context, stop_pool
from watcher.fetch import Response
from watcher.parse.items import Listing, read_listing
from watcher.run.memory import BIG_DOCUMENT
from watcher.run.offload import off_loop

log = logging.getLogger("watcher.run.poll")

MAX_TASKS = 2000  # documents one worker reads before it is replaced (its heap after big documents goes with it)
START_AFTER = 32  # documents read in parser threads before the worker is started: a short run never starts it
# seconds a document may wait for the worker's answer once it is sent (IN_FLIGHT a worker at most, so behind one
# other at most; the rest wait their turn here, untimed): a 1 MB feed is read in about 2 s. Past it the pool is
# taken as broken. pebble's pool leaves every document queued unanswered for ever
# when the thread that reads its workers' answers dies: seen when an answer could not be unpickled here (a worker
# had imported newer code than the daemon's, as after an upgrade in place), and its pool breaks when a worker dies
# while it has no task.
READ_WAIT = 60.0
MAX_RESTARTS = 3  # broken pools replaced; after that, documents are read in parser threads for the rest of the run
IN_FLIGHT = 2  # documents sent to a worker at once: one read, the next one ready


class Readers:
    """The process that reads sources' documents into listings (`read_listing`).

    It is started once `start_after` documents were read in parser threads, from a thread (the fork server may
    have to start and import trafilatura first: the loop does not wait for it); until it answers, documents are
    read in parser threads, so a short `run --once` never waits for it, nor starts it."""

    def __init__(self, workers: int = 1, start_after: int = START_AFTER, read_wait: float = READ_WAIT) -> None:
        self.workers = workers
        self.start_after = start_after
        self.read_wait = read_wait
        self.restarts = 0  # pools found broken and replaced
        self._stopping: list[threading.Thread] = []  # broken pools being stopped
        self.read_there = 0  # documents the worker read
        self._read_here = 0
        self._pool: ProcessPool | None = None
        self._up: asyncio.Task[None] | None = None  # the worker's start, done when it first answered
        self._pool_start = threading.Lock()  # held while the pool starts in a thread; close() waits for it
        self._turns = asyncio.Semaphore(IN_FLIGHT * workers)  # documents sent to the pool and not yet answered

    async def listing(self, source_id: str, type_: str | None, resp: Response, memory: bytes | None = None) -> Listing:
        """`read_listing(source_id, type_, resp, memory)`, in the worker once it is up; FeedParseError as it raises
        it."""
        if len(resp.content) >= BIG_DOCUMENT or not self._running() or self._pool is None:
            return await off_loop(read_listing, source_id, type_, resp, memory)
        async with self._turns:
            pool = self._pool
            if pool is None:  # replaced while this document waited its turn
                return await off_loop(read_listing, source_id, type_, resp, memory)
            try:
                future = pool.schedule(read_listing, args=(source_id, type_, resp, memory))
                listing: Listing = await asyncio.wait_for(asyncio.wrap_future(future), self.read_wait)
            except TimeoutError:
                log.warning("source %s: the reader process did not answer in %gs; reading the document here",
                            source_id, self.read_wait)
                self._replace(pool)
                return await off_loop(read_listing, source_id, type_, resp, memory)
            except (ProcessExpired, pickle.PicklingError, OSError, RuntimeError) as e:  # the worker, not the document
                log.info("source %s: reader process failed (%s); reading the document here", source_id, e)
                if not pool.active:  # the pool itself is broken: the next documents go to a new one
                    self._replace(pool)
                return await off_loop(read_listing, source_id, type_, resp, memory)
        self.read_there += 1
        return listing

    def _replace(self, pool: ProcessPool) -> None:
        """Forget a broken pool (it is stopped in a thread), so a new one starts as the first did (after
        MAX_RESTARTS of them, none does: the documents are read in parser threads)."""
        if self._pool is not pool:
            return  # another document found it broken first
        self._pool, self._read_here = None, 0
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            log.warning("the reader process broke %d times; documents are read in parser threads from now on",
                        self.restarts)
        else:
            log.warning("the reader process is replaced (a document read meanwhile is read in a parser thread); "
                        "documents it held are read in threads as their wait ends")
            self._up = None
        stopping = threading.Thread(target=stop_pool, args=(pool,), name="watcher-reader-stop", daemon=True)
        stopping.start()
        self._stopping.append(stopping)

    async def ready(self) -> bool:
        """Start the worker now if it is not started, and wait until it is up (True) or failed to start (False)."""
        if self._up is None:
            self._up = asyncio.create_task(self._start())
        await asyncio.wait([self._up])
        return self._running() and self._pool is not None

    def _running(self) -> bool:
        """Whether the worker is up; starts it (without waiting) once enough documents were read here."""
        if self._up is None:
            self._read_here += 1
            if self._read_here > self.start_after:
                self._up = asyncio.create_task(self._start())
            return False
        return self._up.done() and not self._up.cancelled() and self._up.exception() is None

    async def _start(self) -> None:
        try:
            self._pool = ProcessPool(max_workers=self.workers, max_tasks=MAX_TASKS, context=forkserver_context())
            first = await asyncio.to_thread(self._first, self._pool)
            await asyncio.wait_for(asyncio.wrap_future(first), max(self.read_wait, 120.0))  # (its imports, then 0)
        except Exception as e:
            log.info("reader process not started (%s); documents are read in parser threads", e)
            raise

    def _first(self, pool: ProcessPool) -> "Future[int]":
        with self._pool_start:
            return pool.schedule(int)

    def close(self) -> None:
        with self._pool_start:  # a start under way ends first, then every worker
            if self._pool is not None:
                stop_pool(self._pool)
                self._pool = None
        if self._up is not None and not self._up.done():
            self._up.cancel()
        for stopping in self._stopping:
            stopping.join(timeout=15)  # (stop_pool's own limit is ~6 s; a wedged pebble thread must not hold us)

    def __enter__(self) -> "Readers":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
