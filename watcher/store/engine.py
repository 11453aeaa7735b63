"""The two engines behind the store: a SQLite file (sqlite-utils, the embedded default) or a PostgreSQL
database (`database: postgresql://...`, `watcher.store.postgres`, loaded only then). Both connections offer
the same surface, so the store's parts are written once; the few steps that differ are these functions."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

from watcher.config.database import describe, display, is_url

__all__ = ["describe", "display", "ids_taken", "is_postgres", "is_url", "migration_lock"]


def is_postgres(db: Any) -> bool:
    return getattr(db, "engine", None) == "postgresql"


def migration_lock(db: Any) -> AbstractContextManager[object]:
    """Held while migrating: on PostgreSQL an advisory lock (several processes may open the database at once);
    a SQLite file is migrated under its own write lock."""
    return db.migration_lock() if is_postgres(db) else nullcontext()  # type: ignore[no-any-return]


def ids_taken(db: Any, table: str) -> None:
    """After rows were inserted into `table` with ids of their own: PostgreSQL numbers the next one after them
    (SQLite always takes the largest id + 1)."""
    if is_postgres(db):
        db.ids_taken(table)
