"""Workers on Procrastinate: `watcher worker`, any number of them on any number of machines, one PostgreSQL
database between them (the store and the queue).

Each worker opens the same pipeline as the daemon (`open_pipeline`, without the one-poller lock) and runs
Procrastinate's worker with these tasks:

- `watcher.poll(source_id)`: one poll of one source through `poll_source`, the daemon's phases. Its
  `queueing_lock` (the source id) keeps at most one poll of a source waiting, and its `lock` (the same id)
  keeps two from ever running at once; a poll that finds the source polled meanwhile (its next poll ahead)
  does nothing. A poll the database refused is retried by Procrastinate's retry strategy.
- `watcher.due` (periodic, every DUE_EVERY seconds): the sources whose stored next poll has come get a
  poll deferred. Procrastinate defers each periodic tick once, whichever worker comes first: no leader.
- `watcher.deliver` (periodic every DELIVER_EVERY seconds, and deferred after a poll that matched): the
  sender's `send_due`, the daemon's. The outbox rows stay the one record of what is sent: a delivery is
  `pending` until its send is recorded. One sender at a time across all workers is a PostgreSQL session
  lock held by the sending worker's store connection, so a killed sender's lock goes with its connection
  and the next tick sends what it left; only the send it was making when killed (its outcome unknown)
  may arrive twice.
- `watcher.stalled` (periodic): jobs of workers whose heartbeat stopped (killed, machine gone) are retried
  (Procrastinate's stalled-job recovery), which frees their source's lock.
- `watcher.retention` (periodic, hourly): the daemon's retention step, and old failed jobs deleted.

A new story is decided once however many workers place articles at once: placement takes a
transaction-scoped advisory lock on PostgreSQL (`watcher.store.stories.place`), and alerts are unique per
(rule, story). That lock is held to the commit of the poll's articles, and a worker's store connection is
synchronous: a worker that waited for it there would stop all its polls (fetches, extraction) while it waits.
So workers take turns before the transaction (`Turns`: a session advisory lock awaited on a connection of
its own, the loop running meanwhile), and the transaction's lock, then never waited for, still decides.
Each article's placement (its lookups and decision) is made ahead of the turn, while other workers store,
and only checked in it: it stands unless an article placed since (placements are numbered in commit order)
joined a story it weighed or shares an index key with it; then it is made again under the lock.
The worker's transactions are pipelined (`watcher.store.postgres`): they wait for the server only where they
read, so a turn is that much shorter. Procrastinate's schema is applied at start when absent (once, under the
migration lock).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import sqlite3
from typing import Any, AsyncIterator, Iterator

from watcher.config import Config, SourceConfig
from watcher.config.database import describe, is_url
from watcher.errors import StoreError
from watcher.run.health import write_refused
from watcher.run.memory import big_blocks_mapped
from watcher.run.poll import Pipeline, poll_source, release_memory
from watcher.run.services import open_pipeline
from watcher.store.engine import migration_lock
from watcher.store.lock import POLLER_LOCK, DatabaseInUse
from watcher.store.retention import apply_retention
from watcher.store.times import iso, utcnow

log = logging.getLogger("watcher.run.worker")

CONCURRENCY = 10  # jobs one worker runs at once (polls wait on the network, not the CPU)
DUE_EVERY = 2  # seconds between looks for due sources
DELIVER_EVERY = 5  # seconds between delivery sweeps (retries, digests, a nudge lost with a killed worker)
STALLED_EVERY = 10  # seconds between looks for jobs of stalled workers
HEARTBEAT = 5.0  # seconds between a worker's heartbeats
STALLED_AFTER = 20.0  # seconds without a heartbeat after which a worker's jobs are taken back
DRAIN = 5.0  # seconds jobs in flight get after SIGTERM
SENDER_LOCK = 0x77617465  # session advisory lock key of the one sending worker
TURN_LOCK = 0x77617466  # session advisory lock key of the worker storing placed articles
TURN_RUN = 8  # polls of one worker that store in one turn at most, when they wait for it together
POLL_RETRIES = 5  # tries of a poll the database refused
DEFER_BATCH = 500  # poll jobs deferred by one insert
JOBS_KEPT = 72  # hours failed, cancelled and aborted jobs are kept (to look into)


def needs_postgres(config: Config) -> None:
    """`watcher worker` shares its queue through PostgreSQL: a SQLite store is one process's (`watcher run`)."""
    if not is_url(config.database):
        raise StoreError(f"{config.file}: `watcher worker` needs `database: postgresql://...`; {config.database} is "
                         "a SQLite file, polled by one `watcher run` process")


async def run_worker(config: Config, concurrency: int = CONCURRENCY, listen: str | None = None) -> None:
    """Run one worker until SIGTERM/SIGINT; with `listen`, /healthz and /metrics there."""
    needs_postgres(config)
    url = str(config.database)
    big_blocks_mapped()  # before the parser threads: see watcher.run.memory
    with _beside_other_workers(url):
        async with open_pipeline(config, alone=False) as p, Turns(url) as turns:
            p.turn, p.place_ahead = turns.take, True
            p.store.db.pipelined = True  # a transaction waits for the server only where it reads: see store.postgres
            # named after this process: who holds a lock (the sender's) can be told from the server
            p.store.db.execute("SELECT set_config('application_name', ?, false)", [f"watcher worker {_me()}"])
            for source in config.sources:
                p.store.sources.ensure(source.id, source.url, source.type)
            async with _opened(url, config, p) as app, _serving(listen, config, p):
                log.info("worker: %d sources, %d jobs at once", len(config.sources), concurrency)
                await app.run_worker_async(
                    concurrency=concurrency, name=f"watcher-{socket.gethostname()}-{os.getpid()}",
                    shutdown_graceful_timeout=DRAIN, delete_jobs="successful",
                    update_heartbeat_interval=HEARTBEAT, stalled_worker_timeout=STALLED_AFTER)
    log.info("stopped")


@contextlib.asynccontextmanager
async def _serving(listen: str | None, config: Config, p: Pipeline) -> AsyncIterator[None]:
    """/healthz (200 while this worker runs and the database answers) and /metrics (this worker's polls and
    sends since its start, the database's counts) on `listen`."""
    if listen is None:
        yield
        return
    from watcher.run.endpoint import Health, StatusServer
    from watcher.run.metrics import exposition, registry_for

    def health() -> Health:
        try:
            p.store.ping()
        except sqlite3.Error as e:
            return Health(False, f"the database does not answer: {e}")
        return Health(True, f"ok: worker of {len(config.sources)} sources")

    registry = registry_for(p.metrics, p.store, [s.id for s in config.sources])
    server = StatusServer(listen, health, lambda: exposition(registry))
    await server.start()
    try:
        yield
    finally:
        await server.close()


def _me() -> str:
    return f"pid {os.getpid()} on {socket.gethostname()}"


@contextlib.contextmanager
def _beside_other_workers(url: str) -> Iterator[None]:
    """Workers share the database with each other, never with a `watcher run` daemon: they hold the daemon's
    lock shared (the daemon holds it alone), on a connection of their own the server drops with the process."""
    from watcher.store.postgres import PostgresDatabase

    holder = PostgresDatabase(url, application=f"watcher worker {_me()}")
    try:
        if not holder.execute("SELECT pg_try_advisory_lock_shared(?)", [POLLER_LOCK]).fetchone()[0]:
            raise DatabaseInUse(f"database {describe(url)} is in use by a `watcher run` daemon; "
                                "workers and the daemon do not share a database (stop it first)")
        yield
    finally:
        holder.close()


class Turns:
    """Workers' turns to store placed articles: a session advisory lock (TURN_LOCK) taken on a connection of
    this worker's own, awaited without blocking its loop. This worker's polls queue for it in process, and a
    turn, once had, lets up to TURN_RUN of them store one after the other before it is handed on (a hand-over
    costs a wake-up of the next worker). Only a wait: placement's own lock decides, should this connection be
    lost during a turn (the server then drops the turn with it)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.conn: Any = None  # psycopg.AsyncConnection, opened at the first turn (and again after a loss)
        self.mine = asyncio.Lock()
        self.queued = 0  # this worker's polls waiting for a turn
        self.held = False
        self.run = 0  # polls that stored in this turn so far

    async def __aenter__(self) -> Turns:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.conn is not None:
            await self.conn.close()

    @contextlib.asynccontextmanager
    async def take(self) -> AsyncIterator[None]:
        self.queued += 1
        try:
            await self.mine.acquire()
        except BaseException:  # cancelled while queued: the turn kept for it goes back, unless another poll waits
            self.queued -= 1
            if self.held and not self.queued and not self.mine.locked():
                self.held = False
                await self._unlock()
            raise
        self.queued -= 1
        try:
            if not self.held:
                await self._lock()
                self.held, self.run = True, 0
            self.run += 1
            yield
        finally:
            try:
                if self.held and (not self.queued or self.run >= TURN_RUN):
                    self.held = False
                    await self._unlock()
            finally:
                self.mine.release()

    async def _lock(self) -> None:
        import psycopg

        from watcher.store.postgres import CONNECT_TIMEOUT, as_sqlite_error

        try:
            if self.conn is None or self.conn.broken or self.conn.closed:
                self.conn = await psycopg.AsyncConnection.connect(
                    self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT,
                    application_name=f"watcher worker turns {_me()}"[:63])
            await self.conn.execute("SELECT pg_advisory_lock(%s)", [TURN_LOCK])
        except BaseException as e:  # a wait cut short (a stop, a lost server) may have been granted meanwhile
            if self.conn is not None:
                await self.conn.close()
            if isinstance(e, psycopg.Error):
                raise as_sqlite_error(e) from e
            raise

    async def _unlock(self) -> None:
        import psycopg

        try:
            await self.conn.execute("SELECT pg_advisory_unlock(%s)", [TURN_LOCK])
        except BaseException as e:  # (a stop, a lost server) the turn goes with the connection
            await self.conn.close()
            if not isinstance(e, psycopg.Error):
                raise


@contextlib.asynccontextmanager
async def _opened(url: str, config: Config, p: Pipeline) -> AsyncIterator[Any]:
    import procrastinate

    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        logging.getLogger("procrastinate").setLevel(logging.WARNING)  # a line per job otherwise
    connector = procrastinate.PsycopgConnector(
        conninfo=url, min_size=1, max_size=4,
        kwargs={"application_name": f"watcher worker queue {_me()}"})
    app = procrastinate.App(connector=connector)
    _tasks(app, config, p)
    async with app.open_async():
        await _apply_schema(app, p)
        yield app


async def _apply_schema(app: Any, p: Pipeline) -> None:
    """Procrastinate's tables, made by the first worker to start (the others wait, then find them)."""
    import procrastinate

    def present() -> bool:
        return p.store.db.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL").fetchone()[0]

    if not present():
        with migration_lock(p.store.db):
            if not present():
                await app.schema_manager.apply_schema_async()
                p.store.meta.set("procrastinate_schema", procrastinate.__version__)
                log.info("task queue tables made (procrastinate %s)", procrastinate.__version__)
    made = p.store.meta.get("procrastinate_schema")
    if made and made.split(".")[0] != procrastinate.__version__.split(".")[0]:
        log.warning("the task queue tables were made by procrastinate %s, this is %s: apply its migrations "
                    "(https://procrastinate.readthedocs.io/en/stable/howto/production/migrations.html)",
                    made, procrastinate.__version__)


def _tasks(app: Any, config: Config, p: Pipeline) -> None:
    """The tasks, bound to this worker's pipeline."""
    from procrastinate import RetryStrategy, exceptions

    sources = {s.id: s for s in config.sources}

    async def defer(task: Any, options: dict[str, str], **kwargs: Any) -> None:
        try:
            await task.configure(**options).defer_async(**kwargs)
        except exceptions.AlreadyEnqueued:
            pass  # one is waiting already

    @app.task(name="watcher.poll", retry=RetryStrategy(max_attempts=POLL_RETRIES, exponential_wait=2,
                                                        retry_exceptions={sqlite3.Error}))
    async def poll(source_id: str) -> None:
        source = sources.get(source_id)
        if source is None:  # the config changed since the poll was deferred
            return
        if await poll_due_source(source, p):
            await defer(deliver, {"queueing_lock": "deliver"})

    @app.periodic(cron=f"* * * * * */{DUE_EVERY}", periodic_id="due", queueing_lock="due")
    @app.task(name="watcher.due")
    async def due(timestamp: int) -> None:
        await defer_polls(app, poll, due_sources(p, sources))

    @app.periodic(cron=f"* * * * * */{DELIVER_EVERY}", periodic_id="sweep", queueing_lock="deliver")
    @app.task(name="watcher.deliver")
    async def deliver(timestamp: int = 0) -> None:
        await send_while_due(p)

    @app.periodic(cron=f"* * * * * */{STALLED_EVERY}", periodic_id="stalled", queueing_lock="stalled")
    @app.task(name="watcher.stalled")
    async def stalled(timestamp: int) -> None:
        await take_back_stalled(app)

    @app.periodic(cron="17 * * * *", periodic_id="retention", queueing_lock="retention", lock="retention")
    @app.task(name="watcher.retention")
    async def retention(timestamp: int) -> None:
        await apply_retention(p.store, config.retention)
        # finished jobs older than JOBS_KEPT hours go too (successful ones are deleted as they finish)
        await app.job_manager.delete_old_jobs(nb_hours=JOBS_KEPT, include_failed=True, include_cancelled=True,
                                              include_aborted=True)


async def defer_polls(app: Any, poll: Any, source_ids: list[str]) -> None:
    """A poll job for each source, DEFER_BATCH to an insert (one round trip each, not one per source: a tick may
    find thousands due). A batch with a source whose poll is waiting already (deferred meanwhile by another tick)
    is refused whole by the queue's unique index, and then deferred one by one, that source skipped."""
    from procrastinate import exceptions

    def job(source_id: str) -> Any:
        key = f"poll:{source_id}"  # one waiting (queueing lock), never two running (lock)
        return poll.configure(queueing_lock=key, lock=key).make_new_job(source_id=source_id)

    for start in range(0, len(source_ids), DEFER_BATCH):
        jobs = [job(s) for s in source_ids[start:start + DEFER_BATCH]]
        try:
            await app.job_manager.batch_defer_jobs_async(jobs)
        except exceptions.AlreadyEnqueued:
            for one in jobs:
                with contextlib.suppress(exceptions.AlreadyEnqueued):
                    await app.job_manager.defer_job_async(one)


async def poll_due_source(source: SourceConfig, p: Pipeline) -> bool:
    """One poll of `source` if it is still due (a poll queued behind another finds it polled); whether it
    matched anything. A write the database refused goes up (the task is retried); any other failure is the
    source's alone: logged, and its next poll put an interval ahead so a bug does not poll it in a loop."""
    state = p.store.sources.ensure(source.id, source.url, source.type)
    if state.disabled or (state.next_poll_at and state.next_poll_at > utcnow()):
        return False
    try:
        report = await poll_source(source, p, state)
        await release_memory(report.document_bytes)
    except Exception as e:
        if write_refused(e) is not None:
            raise
        p.metrics.error("internal")
        log.exception("source %s: poll failed unexpectedly", source.id)
        p.store.sources.put_off(source.id, p.config.interval(source))
        return False
    p.metrics.polled(report)
    return report.matches > 0


def due_sources(p: Pipeline, sources: dict[str, SourceConfig]) -> list[str]:
    """The configured sources whose next poll has come (never polled ones too), not disabled and with no poll
    waiting already (Procrastinate's partial index on waiting jobs' queueing locks), most overdue first."""
    rows = p.store.db.execute(
        "SELECT s.id FROM sources s WHERE s.disabled IS NULL AND (s.next_poll_at IS NULL OR s.next_poll_at <= ?) "
        "AND NOT EXISTS (SELECT 1 FROM procrastinate_jobs j WHERE j.queueing_lock = 'poll:' || s.id "
        "AND j.status = 'todo') ORDER BY s.next_poll_at NULLS FIRST", [iso(utcnow())]).fetchall()
    return [r[0] for r in rows if r[0] in sources]


async def take_back_stalled(app: Any) -> None:
    """Jobs of workers that stopped beating are queued again; one whose place is taken (a newer job of the same
    queueing lock waits already) is closed as failed instead."""
    from procrastinate import exceptions, jobs

    for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER):
        try:
            await app.job_manager.retry_job(job)
            log.warning("job %s (%s) of a stalled worker queued again", job.id, job.task_name)
        except exceptions.ConnectorException:
            await app.job_manager.finish_job_by_id_async(job.id, jobs.Status.FAILED, delete_job=False)
            log.warning("job %s (%s) of a stalled worker closed: a newer one waits", job.id, job.task_name)


async def send_while_due(p: Pipeline) -> None:
    """Send what is due if no other worker sends. A nudge (a poll's deliver job) that ran while this worker
    sent found the lock taken and did nothing, so once the lock is let go, what is due by then is sent too
    (by this worker, or by the one that took the lock meanwhile): an alert waits for no periodic sweep.

    A cancel (a stop, or the job aborted) starts no other send, but lets the one in flight be answered and
    recorded: cut short, it would reach its service unrecorded, to be sent again by the next worker. The
    worker's next deliver job sends again (an aborted job stops its own sending, not the worker's)."""
    sending = asyncio.ensure_future(_send_while_due(p))
    try:
        await asyncio.shield(sending)
    except asyncio.CancelledError:
        p.sender.stop()
        try:
            await sending
        finally:
            p.sender.resume()
        raise


async def _send_while_due(p: Pipeline) -> None:
    while not p.sender.stopped:
        with sole_sender(p) as mine:
            if not mine:
                return
            await p.sender.send_due()
        if not p.store.outbox.due(utcnow(), limit=1, exclude=p.sender.digest_channels):
            return


@contextlib.contextmanager
def sole_sender(p: Pipeline) -> Iterator[bool]:
    """One sender across all workers: a session advisory lock on this worker's store connection (the server
    drops it with the connection, however the process ends). Yields False while another worker, or another
    job of this one, sends."""
    if p.store.db.execute("SELECT pg_try_advisory_lock(?)", [SENDER_LOCK]).fetchone()[0]:
        if id(p) in _SENDING:  # advisory locks nest within one connection: this process sends already
            p.store.db.execute("SELECT pg_advisory_unlock(?)", [SENDER_LOCK])
            yield False
            return
        _SENDING.add(id(p))
        try:
            yield True
        finally:
            _SENDING.discard(id(p))
            with contextlib.suppress(sqlite3.Error):  # a lost connection took the lock with it
                p.store.db.execute("SELECT pg_advisory_unlock(?)", [SENDER_LOCK])
    else:
        yield False


_SENDING: set[int] = set()  # pipelines of this process that hold the sender lock
