"""The two engines behind the store: a SQLite file (sqlite-utils, the embedded default) or a PostgreSQL
database (`database: postgresql://...`, `watcher.store.postgres`, loaded only then). Both connections offer
the same surface, so the store's parts are written once; the few steps that differ are these functions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from watcher.config.database import describe, display, is_url

__all__ = ["describe", "display", "ids_taken", "is_postgres", "is_url", "migration_lock"]


def is_postgres(db: Any) -> bool:
    return getattr(db, "engine", None) == "postgresql"


def migration_lock(db: Any) -> AbstractContextManager[object]:
    """Held while migrating, as several processes may open the database at once: on PostgreSQL an advisory
    lock; on a SQLite file its write lock, taken at the start of the transaction the migrations run in (a
    deferred one would deadlock with another process's, each holding a read lock the other waits on)."""
    return db.migration_lock() if is_postgres(db) else _write_locked(db)  # type: ignore[no-any-return]


@contextmanager
def _write_locked(db: Any) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")  # waits for another writer up to the connection's busy timeout
    try:
        yield
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()


def ids_taken(db: Any, table: str) -> None:
    """After rows were inserted into `table` with ids of their own: PostgreSQL numbers the next one after them
    (SQLite always takes the largest id + 1)."""
    if is_postgres(db):
        db.ids_taken(table)
