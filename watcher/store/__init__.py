"""The SQLite store: sources, feed entries and articles (sqlite-utils, WAL mode)."""

from watcher.store.db import (
    AlertRecord,
    ArticleRecord,
    Delivery,
    EntryRecord,
    MatchRecord,
    PollRecord,
    SourceState,
    Store,
)

__all__ = ["AlertRecord", "ArticleRecord", "Delivery", "EntryRecord", "MatchRecord", "PollRecord", "SourceState", "Store"]
