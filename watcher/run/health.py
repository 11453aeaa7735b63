"""A database that refuses writes (disk full, I/O error, read-only, locked by another program).

Such a failure is the store's, not any one source's: it is told once (then
at most every `TELL_EVERY` seconds while it lasts), `/healthz` answers 503
with the reason, and everything waits for writes to work again. Nothing is
lost meanwhile: a poll that could not store its entries did not record its
poll either, so the next poll reads them again; a delivery is only sent when
its outcome can be recorded.
"""

from __future__ import annotations

import logging
import sqlite3
import time

log = logging.getLogger("watcher.store")

TELL_EVERY = 600.0  # seconds between two log lines about writes that still fail
# primary SQLite result codes of a write the file system or another program refused (not a bug of ours)
_REFUSED = {
    5: "SQLITE_BUSY",
    6: "SQLITE_LOCKED",
    8: "SQLITE_READONLY",
    10: "SQLITE_IOERR",
    13: "SQLITE_FULL",
    14: "SQLITE_CANTOPEN",
}


def write_refused(e: BaseException) -> sqlite3.Error | None:
    """`e` (or the first error in an exception group) if it is SQLite saying it cannot write now, rather
    than a mistake in a statement; else None."""
    if isinstance(e, BaseExceptionGroup):
        return next((found for sub in e.exceptions if (found := write_refused(sub)) is not None), None)
    code = getattr(e, "sqlite_errorcode", None)
    return e if isinstance(e, sqlite3.Error) and code is not None and code & 0xFF in _REFUSED else None


class WriteTrouble:
    """Whether the database takes writes, and why not; says so in the log once, not at every poll."""

    def __init__(self, tell_every: float = TELL_EVERY) -> None:
        self.tell_every = tell_every
        self.reason: str | None = None
        self.failures = 0
        self._told_at = float("-inf")

    def failed(self, e: sqlite3.Error, doing: str) -> None:
        self.failures += 1
        self.reason = f"cannot write to the database: {e} (while {doing})"
        now = time.monotonic()
        if now - self._told_at >= self.tell_every:
            self._told_at = now
            log.error("%s; polls and deliveries wait until writes work again, nothing is lost (%d failed writes "
                      "so far)", self.reason, self.failures)

    def worked(self) -> None:
        if self.reason is not None:
            log.warning("writes to the database work again after %d failed; polling and delivery resume",
                        self.failures)
        self.reason = None
        self.failures = 0
        self._told_at = float("-inf")
