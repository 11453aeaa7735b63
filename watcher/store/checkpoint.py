"""A SQLite store's write-ahead log, copied into the database file by a thread of its own.

SQLite's own checkpoint runs inside the commit that fills the log past
`wal_autocheckpoint` pages, so the commit waits for it: some megabytes written
into the database file and an fsync, about 30 ms at a poll's commit on a store
of 200,000 articles, on the daemon's event loop. Here a thread with its own
connection checkpoints every INTERVAL seconds, PASSIVE (it never blocks a
writer nor waits for one; SQLite runs it without holding Python's lock), and
the writer's own checkpoint stays as a backstop at FALLBACK_PAGES should the
thread fall behind or fail. A commit is as durable as before: WAL with
`synchronous = NORMAL` (the log is synced at checkpoints).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger("watcher.store")

INTERVAL = 1.0  # seconds between checkpoints
FALLBACK_PAGES = 16_384  # the writer checkpoints itself past this many pages of log (64 MB at 4 KB pages)
LOG_LIMIT = FALLBACK_PAGES * 4096  # bytes the log file is cut back to once checkpointed (journal_size_limit)


class Checkpointer:
    """Checkpoints the SQLite database at `path` in a thread until `stop()`."""

    def __init__(self, path: Path, interval: float = INTERVAL) -> None:
        self._path = path
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="watcher-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self._path, timeout=1.0)
        except sqlite3.Error as e:  # the writer's own checkpoints go on
            log.warning("cannot checkpoint %s in the background (%s); the writer checkpoints it", self._path, e)
            return
        try:
            while not self._stop.wait(self._interval):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error as e:  # busy or gone: the next one (or the writer's backstop) copies it
                    log.debug("background checkpoint of %s: %s", self._path, e)
        finally:
            conn.close()

    def stop(self) -> None:
        """Stop checkpointing and close the thread's connection (before the writer closes: the last
        connection to close checkpoints what is left and removes the log)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
