"""The SQLite store: sources, feed entries and articles (sqlite-utils, WAL mode)."""

from watcher.store.db import ArticleRecord, EntryRecord, MatchRecord, SourceState, Store

__all__ = ["ArticleRecord", "EntryRecord", "MatchRecord", "SourceState", "Store"]
