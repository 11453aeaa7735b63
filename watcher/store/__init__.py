"""The store, in SQLite: sources, entries and articles, stories, matches and alerts, and the outbox (see db.py)."""

from watcher.store.db import Store

__all__ = ["Store"]
