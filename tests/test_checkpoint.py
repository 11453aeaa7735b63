"""The SQLite log is copied into the database file by a thread of its own, not inside a poll's commit."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from pathlib import Path

from watcher.store import Store
from watcher.store.checkpoint import FALLBACK_PAGES, LOG_LIMIT


def checkpoint_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "watcher-checkpoint"]


def rows_in_the_file_alone(db: Path, tmp: Path) -> int:
    """The sources the database file holds without its log (what a checkpoint has copied into it)."""
    alone = tmp / "alone.db"
    shutil.copyfile(db, alone)
    conn = sqlite3.connect(alone)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM sources").fetchone()[0])
    except sqlite3.OperationalError:  # not even the tables copied yet
        return 0
    finally:
        conn.close()
        alone.unlink()


def test_a_commit_reaches_the_database_file_without_another_commit_or_a_close(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    before = len(checkpoint_threads())
    store = Store(db)
    assert len(checkpoint_threads()) == before + 1
    # the writer no longer checkpoints at its commits' usual 1,000 pages: only as a backstop
    assert store.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == FALLBACK_PAGES
    store.sources.ensure("s", "https://e.org/feed", "feed")
    deadline = time.monotonic() + 20
    seen = rows_in_the_file_alone(db, tmp_path)
    while seen == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
        seen = rows_in_the_file_alone(db, tmp_path)
    assert seen == 1, "the committed source never reached the database file while the store stayed open"
    assert (tmp_path / "w.db-wal").exists(), "the log was removed: the store was closed, not checkpointed"
    store.close()
    assert len(checkpoint_threads()) == before
    assert not (tmp_path / "w.db-wal").exists(), "closing the store left its log behind"


def test_a_store_opened_for_reading_starts_no_checkpoints(tmp_path: Path) -> None:
    Store(tmp_path / "w.db").close()
    before = len(checkpoint_threads())
    reader = Store(tmp_path / "w.db", readonly=True)
    assert len(checkpoint_threads()) == before
    reader.close()


def test_a_large_write_leaves_no_larger_log_than_the_limit(tmp_path: Path) -> None:
    store = Store(tmp_path / "w.db")
    limit = store.db.execute("PRAGMA journal_size_limit").fetchone()[0]
    assert limit == LOG_LIMIT
    store.db.execute("CREATE TABLE filler (x BLOB)")
    with store.db.atomic():  # one transaction of more log than the limit
        store.db.conn.executemany("INSERT INTO filler VALUES (randomblob(4000))", [()] * (limit // 4000 + 2000))
    wal = tmp_path / "w.db-wal"
    assert wal.stat().st_size > limit
    deadline = time.monotonic() + 20
    store.sources.ensure("s", "https://e.org/feed", "feed")  # a writer after a checkpoint starts the log anew
    while wal.stat().st_size > limit and time.monotonic() < deadline:
        time.sleep(0.2)
        store.sources.ensure("s", "https://e.org/feed", "feed")
        store.meta.set("probe", str(time.monotonic()))
    assert wal.stat().st_size <= limit, f"the log stayed at {wal.stat().st_size} bytes (limit {limit})"
    store.close()
