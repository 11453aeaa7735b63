"""`watcher migrate --from A --to B`: a whole store moved between engines (a SQLite file and a PostgreSQL database,
either way). The source is opened read-only (a daemon may go on polling it: the copy is one snapshot); the target
is opened as the daemon opens it (created and migrated to the current schema) under the daemon's lock, and must
hold no watcher rows yet. The copy itself is `watcher.store.copy`: one transaction on the target."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Callable

from watcher.config.database import check, describe, is_url
from watcher.errors import StoreError, WatcherError

SQLITE = "sqlite:"


def database_of(value: str, option: str) -> str | Path:
    """What --from/--to names: `sqlite:///abs/path.db`, `sqlite:rel.db` or a plain file name; or a postgresql:// URL."""
    if value.lower().startswith(SQLITE):
        rest = value[len(SQLITE):]
        path = rest[2:] if rest.startswith("//") else rest
        if not path:
            raise WatcherError(f"{option} {value}: names no file (sqlite:///path/to/watcher.db)")
        return Path(path)
    problem = check(value)
    if problem:
        raise WatcherError(f"{option} {describe(value)}: {problem}")
    return value if is_url(value) else Path(value)


def _new_file(database: str | Path) -> Path | None:
    """The SQLite file the target will be, when it does not exist yet (removed again if the move fails)."""
    return database if isinstance(database, Path) and not database.exists() else None


def migrate(source_value: str, target_value: str, echo: Callable[[str], None]) -> dict[str, int]:
    """Copy the store at `source_value` into the one at `target_value`: rows per table, printed as they are done."""
    from watcher.store.copy import copy_store
    from watcher.store.lock import lock_path, open_store

    source, target = database_of(source_value, "--from"), database_of(target_value, "--to")
    if isinstance(source, Path) and not source.is_file():
        raise StoreError(f"--from {source}: no such database file")
    same = (source.resolve() == target.resolve()) if isinstance(source, Path) and isinstance(target, Path) \
        else source == target
    if same:
        raise WatcherError("--from and --to name the same database")
    created = _new_file(target)
    try:
        with open_store(source, writes=False) as src, open_store(target, writes=True) as dst:
            echo("copying in one transaction: the rows below are kept only if every table is copied")
            counts = copy_store(src, dst, lambda table, n: echo(f"{table:<20} {n:>9}"))
    except BaseException:
        if created is not None:  # a file this command made and never filled: not left behind
            for leftover in (created, *(created.with_name(created.name + s) for s in ("-wal", "-shm")),
                             lock_path(created)):
                with contextlib.suppress(OSError):
                    leftover.unlink()
        raise
    return counts
