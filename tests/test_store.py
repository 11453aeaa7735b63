from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from watcher.errors import StoreError
from watcher.model import Article, Entry
from watcher.store import Store
from watcher.store.schema import SCHEMA_VERSION


def article(url: str, body_hash: str | None = "h1", guid: str | None = None) -> Article:
    return Article(
        canonical_url=url, url=url, guid=guid, source_id="s", title="T", author=None, published=None,
        sitename=None, language="en", body="body text", body_hash=body_hash, summary_only=False, alertable=True,
    )


def entry(key: str) -> Entry:
    return Entry("s", key, key, f"https://e.org/{key}", f"https://e.org/{key}", "T", None)


def test_new_database_is_wal_and_current(tmp_path: Path) -> None:
    store = Store(tmp_path / "sub" / "w.db")
    assert store.schema_version() == SCHEMA_VERSION
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_reopen_keeps_data_and_version(tmp_path: Path) -> None:
    store = Store(tmp_path / "w.db")
    store.sources.ensure("s", "https://e.org/feed", "feed")
    store.articles.add(entry("a"), article("https://e.org/a"))
    store.close()
    again = Store(tmp_path / "w.db")
    assert again.count("articles") == 1 and again.schema_version() == SCHEMA_VERSION
    again.close()


def test_newer_schema_is_refused_not_touched(tmp_path: Path) -> None:
    Store(tmp_path / "w.db").close()
    conn = sqlite3.connect(tmp_path / "w.db")
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer than this watcher"):
        Store(tmp_path / "w.db")


def test_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "w.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot use database"):
        Store(tmp_path / "w.db")


def test_article_found_by_url_guid_or_body(tmp_path: Path) -> None:
    store = Store(tmp_path / "w.db")
    store.sources.ensure("s", "https://e.org/feed", "feed")
    aid, created = store.articles.add(entry("a"), article("https://e.org/a", "hash-a", "tag:e.org,2026:a"))
    assert created
    assert store.articles.find(canonical_url="https://e.org/a") == aid
    assert store.articles.find(guid="tag:e.org,2026:a") == aid
    assert store.articles.find(body_hash="hash-a") == aid
    assert store.articles.find(canonical_url="https://e.org/b", body_hash="other") is None
    again, created = store.articles.add(entry("a2"), article("https://e.org/a", "hash-x"))
    assert (again, created) == (aid, False)
    assert store.count("articles") == 1 and store.count("entries") == 2
    assert store.articles.known_keys("s", ["a", "a2", "zzz"]) == {"a", "a2"}
    store.close()


def test_an_article_and_its_alert_are_stored_together_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from watcher.model import AlertDraft, Match, Target
    from watcher.store import articles

    store = Store(tmp_path / "w.db")
    store.sources.ensure("s", "https://e.org/feed", "feed")

    def crash(*args: object) -> None:
        raise RuntimeError("killed between the article and its alert")

    monkeypatch.setattr(articles, "insert_matches", crash)
    alert = AlertDraft("Rule", "Body", (Target("desk", 0),))
    with pytest.raises(RuntimeError):
        store.articles.add(entry("a"), article("https://e.org/a"), [Match("r", "[]", alert)])
    counts = {t: store.count(t) for t in ("articles", "entries", "matches", "alerts", "deliveries")}
    assert counts == {"articles": 0, "entries": 0, "matches": 0, "alerts": 0, "deliveries": 0}
    store.close()


def test_a_migration_interrupted_midway_is_rolled_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from watcher.store import db as store_db

    def half_done(db: object) -> None:
        db.execute("CREATE TABLE half_done (x INTEGER)")  # type: ignore[attr-defined]
        raise RuntimeError("killed during the migration")

    monkeypatch.setattr(store_db, "MIGRATIONS", [*store_db.MIGRATIONS[:-1], half_done])
    with pytest.raises(RuntimeError):
        Store(tmp_path / "w.db")
    monkeypatch.undo()
    store = Store(tmp_path / "w.db")  # starts again cleanly
    assert "half_done" not in store.db.table_names() and store.schema_version() == SCHEMA_VERSION
    store.close()
