"""Retention: article bodies are emptied after `retention.bodies`; VACUUM runs on `retention.vacuum`'s schedule
(a SQLite file's; PostgreSQL's autovacuum needs no schedule).

An emptied article keeps its row (title, links, dates, body fingerprint),
its feed entries, its matches with their evidence, its alerts and its
story, so dedupe and "one alert per story" hold for it as before; only the
text is gone (`body = ''`, `pruned_at` set).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

from watcher.config.schema import RetentionConfig
from watcher.store import Store
from watcher.store.times import iso, parse_iso, utcnow

log = logging.getLogger("watcher.retention")

BATCH = 500  # articles emptied per transaction, so polls never wait long for the write lock
VACUUM_KEY = "vacuum_last"  # meta: when the last VACUUM finished
CHECK_EVERY = 3600.0  # seconds between retention checks in the daemon (shorter when a setting is shorter)


def prune_bodies(store: Store, older_than: datetime, batch: int = BATCH) -> int:
    """Empty the bodies of articles stored before `older_than`; the number emptied."""
    total = 0
    now = iso(utcnow())
    while True:
        with store.db.atomic():
            cur = store.db.execute(
                "UPDATE articles SET body = '', pruned_at = ? WHERE id IN "
                "(SELECT id FROM articles WHERE fetched_at < ? AND pruned_at IS NULL LIMIT ?)",
                [now, iso(older_than), batch],
            )
        total += cur.rowcount
        if cur.rowcount < batch:
            return total


def vacuum_due(last: datetime | None, now: datetime, every: float | None) -> bool:
    return every is not None and (last is None or (now - last).total_seconds() >= every)


def _vacuum(conn: sqlite3.Connection) -> None:
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the file shrinks now, not at the next checkpoint


async def vacuum(path: Path) -> None:
    """VACUUM on a connection of its own, in a thread; cancelling interrupts it (SQLite rolls it back)."""
    conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
    work = asyncio.ensure_future(asyncio.to_thread(_vacuum, conn))
    try:
        await asyncio.shield(work)
    except asyncio.CancelledError:
        conn.interrupt()
        with contextlib.suppress(Exception):
            await work
        raise
    finally:
        if work.done():
            conn.close()


async def apply_retention(store: Store, config: RetentionConfig) -> None:
    """Empty the bodies that are due, then VACUUM if its time has come."""
    if config.bodies is not None:
        cutoff = utcnow() - timedelta(seconds=config.bodies)
        n = prune_bodies(store, cutoff)
        if n:
            log.info("retention: emptied the bodies of %d articles stored before %s", n, iso(cutoff),
                     extra={"pruned": n})
    now = utcnow()
    if store.url:  # PostgreSQL reclaims space itself (autovacuum): `retention.vacuum` is SQLite's
        return
    if vacuum_due(parse_iso(store.meta.get(VACUUM_KEY)), now, config.vacuum):
        size = _size(store.path)
        start = time.monotonic()
        try:
            await vacuum(store.path)
        except sqlite3.Error as e:  # busy or interrupted: the next check tries again
            log.warning("vacuum failed: %s", e)
            return
        store.meta.set(VACUUM_KEY, iso(utcnow()) or "")
        log.info("vacuum: database compacted from %.1f MB to %.1f MB in %.1fs", size / 1e6, _size(store.path) / 1e6,
                 time.monotonic() - start)


def check_interval(config: RetentionConfig) -> float:
    """Seconds between retention checks: hourly, or as often as the shortest setting asks."""
    settings = [s for s in (config.bodies, config.vacuum) if s is not None]
    return max(1.0, min([CHECK_EVERY, *settings]))


async def keep_retention(store: Store, config: RetentionConfig, stopping: asyncio.Event) -> None:
    """The daemon's retention loop: a check at start, then one per `check_interval` until stopped."""
    if config.bodies is None and config.vacuum is None:
        return
    every = check_interval(config)
    while not stopping.is_set():
        try:
            await apply_retention(store, config)
        except sqlite3.Error as e:
            log.warning("retention check failed: %s", e)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=every)


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
