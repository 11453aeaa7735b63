"""The SQLite store: sources, feed entries and articles (sqlite-utils, WAL mode)."""

from watcher.store.db import Store

__all__ = ["Store"]
