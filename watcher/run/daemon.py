"""The long-running daemon and the one-shot poll.

One APScheduler job per source: each poll schedules the next one at the time
it computed (interval, the feed's and server's own pace, backoff after
failures, a host's Retry-After; see watcher/source/schedule.py), so there are never
two polls of one source at once. SIGTERM/SIGINT stop the scheduler, let polls in
flight finish (up to a drain limit), then close everything and return.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from typing import Any, AsyncIterator

from watcher.config import Config, SourceConfig
from watcher.errors import StoreError
from watcher.run.health import WriteTrouble, write_refused
from watcher.run.memory import big_blocks_mapped
from watcher.model import PollReport, SourceState
from watcher.run.pipeline import each_in_turn
from watcher.run.poll import Pipeline, poll_source, release_memory
from watcher.run.reload import keep_rules_fresh
from watcher.run.services import open_pipeline
from watcher.source.schedule import MAX_JITTER, backoff_delay, poll_delay
from watcher.run.endpoint import Health, StatusServer
from watcher.store.retention import apply_retention, keep_retention

log = logging.getLogger("watcher.run.daemon")


async def run_once(config: Config) -> list[PollReport]:
    """Poll every source once, concurrently (the HTTP client bounds concurrency).

    A database that refuses writes ends the run with one line (StoreError) once every poll has stopped."""
    trouble = WriteTrouble()
    async with open_pipeline(config) as p:
        try:
            await apply_retention(p.store, config.retention)
        except sqlite3.Error as e:
            if write_refused(e) is None:
                raise
            log.warning("retention skipped: %s", e)
        reports = await each_in_turn(lambda s: _poll_alone(s, p, trouble), config.sources)
        if trouble.reason:
            raise StoreError(f"{trouble.reason}; nothing was lost: the next run reads those entries again")
        sent = await p.sender.send_due()
        for pause in ONCE_RETRIES:  # a short outage does not leave this run's alerts queued
            if p.store.outbox.next_due(exclude=p.sender.digest_channels) is None:
                break
            await asyncio.sleep(pause)
            more = await p.sender.send_due(everything=True)
            sent.sent += more.sent
        queued = p.store.outbox.depth()
    if sent.sent or queued:
        log.info("delivery: %d sent, %d queued for retry", sent.sent, queued)
    ok = sum(1 for r in reports if r.ok)
    skipped = sum(1 for r in reports if r.status in ("paused", "disabled"))
    log.info(
        "poll complete: %d sources (%d ok, %d failing%s), %d new articles",
        len(reports), ok, len(reports) - ok - skipped, f", {skipped} skipped: paused or disabled" if skipped else "",
        sum(r.new_articles for r in reports),
    )
    return list(reports)


async def _poll_alone(source: SourceConfig, p: Pipeline, trouble: WriteTrouble) -> PollReport:
    """`_poll_or_report` in `run --once`, where a bug met in one source's poll is that source's failure alone, as
    in the daemon: logged with its traceback, counted as failing, and what the poll had not committed is read
    again by the next run; the other sources are polled."""
    try:
        return await _poll_or_report(source, p, trouble)
    except Exception as e:
        p.metrics.error("internal")
        log.exception("source %s: poll failed unexpectedly", source.id)
        return PollReport(source.id, status="internal", error=f"{type(e).__name__}: {e}")


async def _poll_or_report(source: SourceConfig, p: Pipeline, trouble: WriteTrouble) -> PollReport:
    """One poll; a database that refuses its writes is the store's trouble, not the source's failure. While it
    lasts, polls wait (what they found could not be stored) and come back soon after writes work again."""
    if trouble.reason is not None:
        return PollReport(source.id, status="database", error=trouble.reason,
                          next_poll_at=datetime.now(timezone.utc) + timedelta(seconds=WRITE_RETRY))
    try:
        report = await poll_source(source, p)
        await release_memory(report.document_bytes)
    except Exception as e:
        refused = write_refused(e)
        if refused is None:
            raise
        trouble.failed(refused, f"polling source {source.id}")
        return PollReport(source.id, status="database", error=str(refused),
                          next_poll_at=datetime.now(timezone.utc) + timedelta(seconds=WRITE_RETRY))
    if report.status != "disabled":  # every other poll ends by recording itself
        trouble.worked()
    return report


SEND_IDLE = 20.0  # seconds the sender sleeps when nothing is due (and between digest checks)
ONCE_RETRIES = (1.0, 3.0)  # seconds between the extra delivery tries of `run --once`
DRAIN = 5.0  # seconds polls in flight and delivery get after SIGTERM: `docker stop` kills at 10 s, and closing
# the workers, the store and the web server takes seconds more on a busy machine
BUSY_WAIT_MS = 100  # how long a write waits for another program's lock: the event loop (and /healthz) waits too
WRITE_RETRY = 5.0  # seconds between checks of a database that refused writes
NEXT_POLL_GAP = 1.0  # least seconds between the end of a poll and the next poll of the source


class Daemon:
    def __init__(self, config: Config, drain_timeout: float = DRAIN) -> None:
        self.config = config
        self.drain_timeout = drain_timeout
        self.stopping = asyncio.Event()
        self.scheduler: Any = None  # AsyncIOScheduler, imported when the daemon starts
        self._running: set[asyncio.Task[PollReport]] = set()
        self.trouble = WriteTrouble()

    def stop(self) -> None:
        if not self.stopping.is_set():
            log.info("stop requested; finishing polls in flight")
        self.stopping.set()

    async def run(self) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        big_blocks_mapped()  # before the parser threads: see watcher.run.memory
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, self.stop)
            except (NotImplementedError, RuntimeError):  # not the main thread
                pass
        async with open_pipeline(self.config) as p, self._serving(p):
            # a program holding the database lock must not stall the loop for the 30 s a one-shot command waits
            p.store.wait_for_locks(BUSY_WAIT_MS / 1000)
            self.scheduler = AsyncIOScheduler(event_loop=loop, timezone=timezone.utc)
            now = datetime.now(timezone.utc)
            for source in self.config.sources:
                self._schedule(source, p, now)
            self.scheduler.start()
            sender = asyncio.create_task(self._send_loop(p))
            retention = asyncio.create_task(keep_retention(p.store, self.config.retention, self.stopping))
            reloads = asyncio.create_task(keep_rules_fresh(p.rules, self.stopping))  # rule edits within seconds
            log.info("watching %d sources", len(self.config.sources))
            await self.stopping.wait()
            if self.scheduler.running:
                self.scheduler.pause()  # no new polls; shutdown() now would cancel the ones in flight
            p.sender.wake.set()
            deadline = loop.time() + self.drain_timeout
            retention.cancel()  # a VACUUM in progress is interrupted and rolled back
            reloads.cancel()
            if self._running:
                done, pending = await asyncio.wait(self._running, timeout=self.drain_timeout)
                for task in pending:
                    task.cancel()
                if pending:
                    log.warning("stopped %d polls that did not finish in %.0fs", len(pending), self.drain_timeout)
                    await asyncio.wait(pending, timeout=1.0)
            if self.scheduler.running:
                self.scheduler.shutdown(wait=False)
            with contextlib.suppress(asyncio.CancelledError):
                await retention
            if not (await asyncio.wait({sender}, timeout=max(0.5, deadline - loop.time())))[0]:
                # cancelled, a send in flight would reach its service unrecorded, to be sent again after the restart
                p.sender.stop()
                log.warning("delivery still running at stop; the send in flight is waited for, unsent alerts stay queued")
                await sender
        log.info("stopped")

    def health(self, p: Pipeline) -> Health:
        """Healthy while the scheduler runs and the database answers."""
        if self.stopping.is_set():
            return Health(False, "stopping: the scheduler is shut down; polls in flight are finishing")
        if self.scheduler is None or not self.scheduler.running:
            return Health(False, "the scheduler is not running")
        if self.trouble.reason:
            return Health(False, self.trouble.reason)
        try:
            p.store.ping()
        except sqlite3.Error as e:
            return Health(False, f"the database does not answer: {e}")
        return Health(True, f"ok: {len(self.config.sources)} sources scheduled")

    @contextlib.asynccontextmanager
    async def _serving(self, p: Pipeline) -> AsyncIterator[None]:
        """/healthz and /metrics on `server.listen`, from before the first poll until the drain is over."""
        if self.config.server is None:
            yield
            return
        from watcher.run.metrics import exposition, registry_for

        registry = registry_for(p.metrics, p.store, [s.id for s in self.config.sources])
        server: Any
        if self.config.server.console:  # the web console, with /healthz and /metrics beside it
            from watcher.web.serve import ConsoleServer, console_app, status_routes

            routes = status_routes(lambda: self.health(p), lambda: exposition(registry))
            app = console_app(self.config, p.store, self.config.server.listen, DaemonControl(self, p), routes=routes)
            server = ConsoleServer(app, self.config.server.listen)
        else:
            server = StatusServer(self.config.server.listen, lambda: self.health(p), lambda: exposition(registry))
        await server.start()
        try:
            yield
        finally:
            await server.close()

    async def _send_loop(self, p: Pipeline) -> None:
        """Deliver due alerts; sleep until the next retry is due or a poll adds alerts."""
        while not self.stopping.is_set():
            if self.trouble.reason is None or self._writable(p):
                try:
                    await p.sender.send_due()
                except Exception as e:  # a bug in one send must not end delivery for the daemon's life
                    refused = write_refused(e)
                    if refused is not None:
                        self.trouble.failed(refused, "recording deliveries")
                    else:
                        log.exception("delivery failed unexpectedly")
            if self.stopping.is_set():
                return
            wait = self._send_wait(p)
            p.sender.wake.clear()
            try:
                await asyncio.wait_for(p.sender.wake.wait(), timeout=wait)
            except TimeoutError:
                pass

    def _send_wait(self, p: Pipeline) -> float:
        """Seconds until the next retry is due (digests are checked every SEND_IDLE), or WRITE_RETRY."""
        if self.trouble.reason:
            return WRITE_RETRY
        try:
            nxt = p.store.outbox.next_due(exclude=p.sender.digest_channels)
        except sqlite3.Error as e:
            log.warning("cannot read the outbox: %s", e)
            return WRITE_RETRY
        return SEND_IDLE if nxt is None else max(0.0, min(SEND_IDLE, (nxt - datetime.now(timezone.utc)).total_seconds()))

    def _writable(self, p: Pipeline) -> bool:
        """After refused writes, whether one small write works now (a send whose outcome could not be recorded
        would be sent again later: nothing is sent until then)."""
        try:
            p.store.meta.set("write_check", datetime.now(timezone.utc).isoformat())
        except sqlite3.Error as e:
            if write_refused(e) is None:
                raise
            self.trouble.failed(e, "checking whether writes work again")
            return False
        self.trouble.worked()
        return True

    def _schedule(self, source: SourceConfig, p: Pipeline, now: datetime) -> None:
        state = p.store.sources.ensure(source.id, source.url, source.type)
        if state.disabled:
            log.warning("source %s: not scheduled: %s (change its url in the config to poll it again)",
                        source.id, state.disabled)
            return
        interval = self.config.interval(source)
        first = now + timedelta(seconds=random.uniform(0, min(2.0, interval / 10)))
        if state.next_poll_at and state.next_poll_at > first:
            # a restart does not re-poll early, but a config that now asks for more often is heard
            longest = now + timedelta(seconds=self._longest_wait(source, state, p))
            first = min(state.next_poll_at, longest)
        self._at(source, p, first)

    def _longest_wait(self, source: SourceConfig, state: SourceState, p: Pipeline) -> float:
        """The furthest a stored next poll may lie ahead under today's config (backoff, hints, host pause)."""
        base = self.config.timing(source).base(state.adaptive_interval)
        if state.consecutive_failures:
            delay = backoff_delay(base, state.consecutive_failures)
        else:
            delay = poll_delay(base, [state.feed_interval, state.max_age])
        wait = delay + min(delay * 0.1, MAX_JITTER)
        paused = p.fetcher.paused_until(state.poll_url)
        if paused is not None:
            wait = max(wait, paused - time.time() + 5.0)
        return wait

    def poll_now(self, source_id: str, p: Pipeline) -> bool:
        """Poll a configured source at once (the web console's "poll now"); False if it is unknown or disabled."""
        source = next((s for s in self.config.sources if s.id == source_id), None)
        if source is None or self.scheduler is None or self.stopping.is_set():
            return False
        if p.store.sources.ensure(source.id, source.url, source.type).disabled:
            return False
        self._at(source, p, datetime.now(timezone.utc))
        return True

    def add_source(self, source: SourceConfig, p: Pipeline) -> None:
        """Start polling a source the web console added (it wrote it to the config's included file)."""
        import dataclasses

        if any(s.id == source.id for s in self.config.sources):
            return
        self.config = dataclasses.replace(self.config, sources=(*self.config.sources, source))
        self._schedule(source, p, datetime.now(timezone.utc))

    def unschedule(self, source_id: str) -> None:
        """No more polls of a source (disabled from the web console) until it is scheduled again."""
        if self.scheduler is not None and self.scheduler.get_job(source_id) is not None:
            self.scheduler.remove_job(source_id)

    def _at(self, source: SourceConfig, p: Pipeline, when: datetime) -> None:
        """One poll of `source` at `when`; each poll schedules the next from what it learned."""
        from apscheduler.triggers.date import DateTrigger

        assert self.scheduler is not None
        self.scheduler.add_job(
            self._poll,
            DateTrigger(run_date=when),
            args=(source, p),
            id=source.id,
            replace_existing=True,
            max_instances=1,
            misfire_grace_time=None,
        )

    async def _poll(self, source: SourceConfig, p: Pipeline) -> None:
        if self.stopping.is_set():
            return
        task = asyncio.current_task()
        assert task is not None
        self._running.add(task)  # type: ignore[arg-type]
        report: PollReport | None = None
        try:
            report = await _poll_or_report(source, p, self.trouble)
            p.metrics.polled(report)
        except asyncio.CancelledError:  # cut short by the stop's drain limit: what was stored stays, and the
            pass  # next start polls the source again (it was not marked polled)
        except Exception:  # one source's bug must not stop the others
            p.metrics.error("internal")
            log.exception("source %s: poll failed unexpectedly", source.id)
        finally:
            self._running.discard(task)  # type: ignore[arg-type]
            if not self.stopping.is_set() and not (report and report.status in ("disabled", "gone")):
                now = datetime.now(timezone.utc)
                when = report.next_poll_at if report and report.next_poll_at else None
                # a poll that took longer than its interval is due at once; but this job still counts as running
                # until it returns, and the scheduler skips (and so drops) a one-off job that fires before then
                self._at(source, p, max(when or now + timedelta(seconds=self.config.interval(source)),
                                        now + timedelta(seconds=NEXT_POLL_GAP)))


class DaemonControl:
    """The web console's hold on the daemon it runs in (`watcher.web.control.Control`)."""

    polling = True

    def __init__(self, daemon: Daemon, pipeline: Pipeline) -> None:
        self.daemon = daemon
        self.pipeline = pipeline

    def poll_now(self, source_id: str) -> bool:
        return self.daemon.poll_now(source_id, self.pipeline)

    def stop_polling(self, source_id: str) -> None:
        self.daemon.unschedule(source_id)

    def add_source(self, source: SourceConfig) -> None:
        self.daemon.add_source(source, self.pipeline)

    def wake_sender(self) -> None:
        self.pipeline.sender.wake.set()
