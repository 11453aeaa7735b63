"""The long-running daemon and the one-shot poll.

One APScheduler job per source at its interval (with jitter, never two polls
of one source at once). SIGTERM/SIGINT stop the scheduler, let polls in
flight finish (up to a drain limit), then close everything and return.
"""

from __future__ import annotations

import asyncio
import logging
import random
import signal
from datetime import datetime, timedelta, timezone
from typing import Any

from watcher.config import Config, SourceConfig
from watcher.poll import Pipeline, PollReport, poll_source
from watcher.runtime import open_pipeline

log = logging.getLogger("watcher.daemon")


async def run_once(config: Config) -> list[PollReport]:
    """Poll every source once, concurrently (the HTTP client bounds concurrency)."""
    async with open_pipeline(config) as p:
        reports = await asyncio.gather(*(poll_source(s, p) for s in config.sources))
        sent = await p.sender.send_due()
        for pause in ONCE_RETRIES:  # a short outage does not leave this run's alerts queued
            if p.store.next_due(exclude=p.sender.digest_channels) is None:
                break
            await asyncio.sleep(pause)
            more = await p.sender.send_due(everything=True)
            sent.sent += more.sent
        queued = p.store.outbox_depth()
    if sent.sent or queued:
        log.info("delivery: %d sent, %d queued for retry", sent.sent, queued)
    ok = sum(1 for r in reports if r.ok)
    log.info(
        "poll complete: %d sources (%d ok, %d failing), %d new articles",
        len(reports), ok, len(reports) - ok, sum(r.new_articles for r in reports),
    )
    return list(reports)


SEND_IDLE = 20.0  # seconds the sender sleeps when nothing is due (and between digest checks)
ONCE_RETRIES = (1.0, 3.0)  # seconds between the extra delivery tries of `run --once`


def jitter_for(interval: float) -> float:
    """Spread polls of sources with the same interval: up to 10% of it, at most 5 minutes."""
    return min(interval * 0.1, 300.0)


class Daemon:
    def __init__(self, config: Config, drain_timeout: float = 25.0) -> None:
        self.config = config
        self.drain_timeout = drain_timeout
        self.stopping = asyncio.Event()
        self.scheduler: Any = None  # AsyncIOScheduler, imported when the daemon starts
        self._running: set[asyncio.Task[PollReport]] = set()

    def stop(self) -> None:
        if not self.stopping.is_set():
            log.info("stop requested; finishing polls in flight")
        self.stopping.set()

    async def run(self) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, self.stop)
            except (NotImplementedError, RuntimeError):  # not the main thread
                pass
        async with open_pipeline(self.config) as p:
            self.scheduler = AsyncIOScheduler(event_loop=loop, timezone=timezone.utc)
            now = datetime.now(timezone.utc)
            for source in self.config.sources:
                self._schedule(source, p, now)
            self.scheduler.start()
            sender = asyncio.create_task(self._send_loop(p))
            log.info("watching %d sources", len(self.config.sources))
            await self.stopping.wait()
            self.scheduler.shutdown(wait=False)
            p.sender.wake.set()
            if self._running:
                done, pending = await asyncio.wait(self._running, timeout=self.drain_timeout)
                for task in pending:
                    task.cancel()
                if pending:
                    log.warning("stopped %d polls that did not finish in %.0fs", len(pending), self.drain_timeout)
            try:
                await asyncio.wait_for(sender, timeout=self.drain_timeout)
            except TimeoutError:
                log.warning("delivery still running at stop; unsent alerts stay queued")
        log.info("stopped")

    async def _send_loop(self, p: Pipeline) -> None:
        """Deliver due alerts; sleep until the next retry is due or a poll adds alerts."""
        while not self.stopping.is_set():
            try:
                await p.sender.send_due()
            except Exception:  # a bug in one send must not end delivery for the daemon's life
                log.exception("delivery failed unexpectedly")
            nxt = p.store.next_due(exclude=p.sender.digest_channels)  # digests are checked every SEND_IDLE
            wait = SEND_IDLE if nxt is None else max(0.0, min(SEND_IDLE, (nxt - datetime.now(timezone.utc)).total_seconds()))
            p.sender.wake.clear()
            try:
                await asyncio.wait_for(p.sender.wake.wait(), timeout=wait)
            except TimeoutError:
                pass

    def _schedule(self, source: SourceConfig, p: Pipeline, now: datetime) -> None:
        from apscheduler.triggers.interval import IntervalTrigger

        assert self.scheduler is not None
        interval = self.config.interval(source)
        state = p.store.ensure_source(source.id, source.url, source.type)
        first = now + timedelta(seconds=random.uniform(0, min(2.0, interval / 10)))
        if state.next_poll_at and state.next_poll_at > first and state.next_poll_at - now < timedelta(seconds=interval):
            first = state.next_poll_at  # a restart does not re-poll early
        self.scheduler.add_job(
            self._poll,
            IntervalTrigger(seconds=interval, jitter=jitter_for(interval)),
            args=(source, p),
            id=source.id,
            next_run_time=first,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )

    async def _poll(self, source: SourceConfig, p: Pipeline) -> None:
        if self.stopping.is_set():
            return
        task = asyncio.current_task()
        assert task is not None
        self._running.add(task)  # type: ignore[arg-type]
        try:
            await poll_source(source, p)
        except Exception:  # one source's bug must not stop the others
            log.exception("source %s: poll failed unexpectedly", source.id)
        finally:
            self._running.discard(task)  # type: ignore[arg-type]
