"""One process per database: whatever polls or sends holds an exclusive lock beside it.

The lock is an OS file lock (flock, through portalocker) on `<database>.lock`,
and the same file says who holds it. The kernel drops the lock when its process
ends, however it ends, so a killed daemon never leaves a stale lock. Readers
(`alerts`, `sources`, `stories`) take no lock: SQLite's WAL lets them read
beside the daemon.

On PostgreSQL the lock is a session advisory lock held by a connection of its
own, named (application_name) after its holder; the server drops it when that
connection ends, however the process ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import portalocker

from watcher.config.database import describe, is_url
from watcher.errors import StoreError
from watcher.store.db import Store


class DatabaseInUse(StoreError):
    """Another process polls or sends on this database."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@contextmanager
def exclusive(database: Path | str) -> Iterator[None]:
    """Hold the database's lock for the block; DatabaseInUse names the holder when another process has it."""
    if is_url(database):
        with _exclusive_postgres(str(database)):
            yield
        return
    database = Path(database)
    path = lock_path(database)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = portalocker.Lock(path, mode="a", timeout=0, fail_when_locked=True)
        fh = lock.acquire()
    except portalocker.AlreadyLocked:
        raise DatabaseInUse(f"database {database} is in use by {_holder(path)}; "
                            "one watcher process polls and sends per database (stop it first)") from None
    except (portalocker.LockException, OSError) as e:
        raise StoreError(f"cannot lock database {database} ({path}): {e}") from None
    try:
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(_me()) + "\n")
        fh.flush()
        yield
    finally:
        try:
            fh.truncate(0)  # while still held: a later reader never sees a departed holder
        except OSError:
            pass
        lock.release()


POLLER_LOCK = 0x77617464  # the advisory lock key of the one poller and sender of a PostgreSQL database


@contextmanager
def _exclusive_postgres(url: str) -> Iterator[None]:
    from watcher.store.postgres import PostgresDatabase

    me = _me()
    holder = PostgresDatabase(url, application=f"watcher pid {me['pid']} on {me['host']} since {me['since']}")
    try:
        if not holder.execute("SELECT pg_try_advisory_lock(?)", [POLLER_LOCK]).fetchone()[0]:
            row = holder.execute(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.objid::bigint = ? AND l.database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())", [POLLER_LOCK]).fetchone()
            raise DatabaseInUse(f"database {describe(url)} is in use by {row[0] if row else 'another process'}; "
                                "one watcher process polls and sends per database (stop it first)")
        yield
    finally:
        holder.close()  # the server releases the lock with the connection


def _me() -> dict[str, object]:
    command = " ".join(["watcher", *sys.argv[1:]])
    return {"pid": os.getpid(), "host": socket.gethostname(), "command": command[:120],
            "since": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")}


def _holder(path: Path) -> str:
    """Who holds the lock, as the holder wrote it (it may still be writing: read again briefly)."""
    for _ in range(10):
        try:
            info = json.loads(path.read_text(encoding="utf-8") or "null")
        except (OSError, ValueError):
            info = None
        if isinstance(info, dict) and "pid" in info:
            return (f"pid {info.get('pid')} on host {info.get('host')} "
                    f"(`{info.get('command')}` since {info.get('since')})")
        time.sleep(0.05)
    return f"another process (it holds {path})"


@contextmanager
def open_store(database: Path | str, writes: bool) -> Iterator[Store]:
    """The store for one command: one that writes holds the lock first; one that only reads opens it read-only."""
    with contextlib.ExitStack() as held:
        if writes:
            held.enter_context(exclusive(database))
        store = Store(database, readonly=not writes)
        held.callback(store.close)
        yield store
