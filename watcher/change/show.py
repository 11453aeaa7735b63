"""What `watcher sources history ID` and `watcher sources diff ID` print, read from the store."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from watcher.change.diff import word_diff
from watcher.errors import WatcherError
from watcher.logs import redact
from watcher.store import versions


def history(db: sqlite_utils.Database, source_id: str, limit: int = 100) -> list[dict[str, Any]]:
    """The versions of a watched source, newest first: number, when, size, words added and removed."""
    found = versions.history(db, source_id, limit + 1)
    rows = []
    for i, v in enumerate(found[:limit]):
        older = found[i + 1] if i + 1 < len(found) else None
        change = word_diff(older.text, v.text) if older and older.version == v.version - 1 else None
        rows.append({
            "version": v.version, "fetched_at": v.fetched_at.isoformat(timespec="seconds"), "url": redact(v.url),
            "chars": len(v.text),
            "added": len(change.added_words.split()) if change else None,
            "removed": len(change.removed.split()) if change else None,
            "first_words": " ".join(v.text.split()[:12]),
        })
    return rows


def diff(db: sqlite_utils.Database, source_id: str, old: int | None, new: int | None, context: int = 1) -> list[str]:
    """`+`/`-` lines from version `old` (default: the one before `new`) to `new` (default: the latest)."""
    latest = versions.latest(db, source_id)
    if latest is None:
        raise WatcherError(f"source '{source_id}' has no stored versions (is it `type: watch`, and polled?)")
    new = latest.version if new is None else new
    old = new - 1 if old is None else old
    a, b = versions.get(db, source_id, old), versions.get(db, source_id, new)
    for n, v in ((new, b), (old, a)):
        if v is None:
            raise WatcherError(f"source '{source_id}' has no version {n} (the latest is {latest.version}; "
                               f"`watcher sources history {source_id}` lists those kept)")
    assert a is not None and b is not None
    lines = word_diff(a.text, b.text).lines(context)
    return [f"--- version {old} ({a.fetched_at:%Y-%m-%d %H:%M:%S} UTC)",
            f"+++ version {new} ({b.fetched_at:%Y-%m-%d %H:%M:%S} UTC)", *(lines or ["(no change)"])]
