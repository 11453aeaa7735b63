"""Versions of watched pages (`type: watch`): the region's text each time it changed, numbered per source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from watcher.store.times import iso, parse_iso


@dataclass(frozen=True)
class PageVersion:
    source_id: str
    version: int  # 1, 2, ... per source
    fetched_at: datetime
    url: str
    text: str
    text_hash: str
    article_id: int | None  # the change this version made, stored as an article (None for the first)


_COLUMNS = "source_id, version, fetched_at, url, text, text_hash, article_id"


def _version(row: tuple) -> PageVersion:  # type: ignore[type-arg]
    return PageVersion(row[0], int(row[1]), parse_iso(row[2]), row[3], row[4], row[5], row[6])  # type: ignore[arg-type]


def latest(db: sqlite_utils.Database, source_id: str) -> PageVersion | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM page_versions WHERE source_id = ? ORDER BY version DESC LIMIT 1",
                     [source_id]).fetchone()
    return _version(row) if row else None


def get(db: sqlite_utils.Database, source_id: str, version: int) -> PageVersion | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM page_versions WHERE source_id = ? AND version = ?",
                     [source_id, version]).fetchone()
    return _version(row) if row else None


def history(db: sqlite_utils.Database, source_id: str, limit: int = 100) -> list[PageVersion]:
    """The newest versions first."""
    rows = db.execute(f"SELECT {_COLUMNS} FROM page_versions WHERE source_id = ? ORDER BY version DESC LIMIT ?",
                      [source_id, limit]).fetchall()
    return [_version(r) for r in rows]


def add(db: sqlite_utils.Database, source_id: str, url: str, text: str, text_hash: str, at: datetime,
        article_id: int | None, keep: int) -> int:
    """Store a new version (call inside the transaction that stores its change); older versions beyond
    `keep` are deleted. Returns its number."""
    row = db.execute("SELECT COALESCE(MAX(version), 0) FROM page_versions WHERE source_id = ?", [source_id]).fetchone()
    version = int(row[0]) + 1
    db.execute(f"INSERT INTO page_versions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
               [source_id, version, iso(at), url, text, text_hash, article_id])
    db.execute("DELETE FROM page_versions WHERE source_id = ? AND version <= ?", [source_id, version - keep])
    return version
