"""Entries and articles in the store, and the stories articles are placed in.

An entry is what one source listed; an article is stored once however many
entries lead to it (same canonical URL, distinctive GUID or body). A new
article is written with its story placement, its entry and its matches (and
the alerts they make) in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Iterable, Iterator

import sqlite_utils

from watcher.dedupe.sketch import SKETCH_VERSION, Sketch
from watcher.model import Article, Entry, Match, StoredArticle
from watcher.store import stories, story_list
from watcher.store.alerts import insert_matches
from watcher.store.meta import Meta
from watcher.store.stories import Placement
from watcher.store.times import iso, parse_iso, utcnow

_FIELDS = tuple(f.name for f in fields(Article))
PAGE = 500  # articles a replay reads at a time
_ARTICLE_COLUMNS = ("id, canonical_url, url, guid, source_id, title, author, published, sitename, language, body, "
                    "body_hash, summary_only, alertable, extract_error, fetched_at, story_id")


def _stored(r: tuple[Any, ...]) -> StoredArticle:
    article = Article(canonical_url=r[1], url=r[2], guid=r[3], source_id=r[4], title=r[5], author=r[6],
                      published=parse_iso(r[7]), sitename=r[8], language=r[9], body=r[10], body_hash=r[11],
                      summary_only=bool(r[12]), alertable=bool(r[13]), extract_error=r[14])
    return StoredArticle(r[0], article, parse_iso(r[15]), r[16])


class Articles:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def known_keys(self, source_id: str, keys: Iterable[str]) -> set[str]:
        """Which of `keys` the source has listed before."""
        keys = list(keys)
        found: set[str] = set()
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in self.db.execute(
                    f"SELECT key FROM entries WHERE source_id = ? AND key IN ({marks})", [source_id, *chunk]
                )
            )
        return found

    def find(
        self, *, canonical_url: str | None = None, guid: str | None = None, body_hash: str | None = None
    ) -> int | None:
        """Id of an already stored article that is the same by URL, GUID or body."""
        for column, value in (("canonical_url", canonical_url), ("guid", guid), ("body_hash", body_hash)):
            if value:
                row = self.db.execute(f"SELECT id FROM articles WHERE {column} = ? LIMIT 1", [value]).fetchone()
                if row:
                    return int(row[0])
        return None

    def add_entry(self, entry: Entry, article_id: int | None) -> None:
        """An entry that leads to an article already stored (or to none)."""
        with self.db.atomic():
            self._insert_entry(entry, article_id)

    def add(
        self, entry: Entry, article: Article, matches: Iterable[Match] = (), placement: Placement | None = None,
    ) -> tuple[int, bool]:
        """Store the article, its story, its matches and the entry that led to it, atomically.

        Returns the article id and whether it is new (False when another entry
        stored the same canonical URL first)."""
        added = self.insert(entry, article, matches, placement)
        return added.article_id, added.created

    def insert(
        self, entry: Entry, article: Article, matches: Iterable[Match] = (), placement: Placement | None = None,
    ) -> Added:
        """`add`, telling also the article's story and the alerts its matches made (nothing read back)."""
        values = {name: getattr(article, name) for name in _FIELDS}  # (asdict copies deeply: slower)
        values["published"] = iso(article.published)
        values["summary_only"] = int(article.summary_only)
        values["alertable"] = int(article.alertable)
        values["fetched_at"] = iso(utcnow())
        cols = ", ".join(values)
        marks = ", ".join("?" * len(values))
        with self.db.atomic():
            cur = self.db.execute(
                f"INSERT INTO articles ({cols}) VALUES ({marks}) ON CONFLICT(canonical_url) DO NOTHING",
                list(values.values()),
            )
            created = cur.rowcount > 0
            story, made = None, {}
            if not created:  # another entry stored the same URL meanwhile
                article_id = int(
                    self.db.execute("SELECT id FROM articles WHERE canonical_url = ?", [article.canonical_url]).fetchone()[0]
                )
            else:
                article_id = int(cur.lastrowid)
                if placement is not None:
                    story = stories.save(self.db, article_id, placement, article.title, values["fetched_at"])
                # the matches are recorded with the article or not at all
                made = insert_matches(self.db, article_id, matches, story)
            self._insert_entry(entry, article_id)
        return Added(article_id, created, story, made)

    def _insert_entry(self, entry: Entry, article_id: int | None) -> None:
        self.db.execute(
            "INSERT INTO entries (source_id, key, guid, url, canonical_url, title, published, seen_at, article_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(source_id, key) DO NOTHING",
            [entry.source_id, entry.key, entry.guid, entry.url, entry.canonical_url, entry.title,
             iso(entry.published), iso(utcnow()), article_id],
        )

    def count_since(self, since: datetime | None) -> int:
        """How many stored articles were fetched since `since` (all when None)."""
        if since is None:
            return self.count()
        return int(self.db.execute("SELECT COUNT(*) FROM articles WHERE fetched_at >= ?", [iso(since)]).fetchone()[0])

    def pages_since(self, since: datetime | None, size: int = PAGE) -> Iterator[list[StoredArticle]]:
        """The articles of `since`, oldest first, `size` at a time: a replay over months of articles holds one
        page of them, not all. Each page is its own read, after the last id of the one before, so the caller
        may write between pages (and sees articles stored meanwhile)."""
        after = 0
        while True:
            sql = f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id > ?"
            params: list[Any] = [after]
            if since is not None:
                sql += " AND fetched_at >= ?"
                params.append(iso(since))
            page = [_stored(r) for r in self.db.execute(sql + " ORDER BY id LIMIT ?", [*params, size]).fetchall()]
            if not page:
                return
            yield page
            if len(page) < size:
                return
            after = page[-1].id

    def all(self, source_id: str | None = None) -> list[StoredArticle]:
        """Every stored article (of one source, or all), oldest first."""
        sql = f"SELECT {_ARTICLE_COLUMNS} FROM articles"
        params: list[str] = []
        if source_id:
            sql += " WHERE source_id = ?"
            params.append(source_id)
        return [_stored(r) for r in self.db.execute(sql + " ORDER BY id", params).fetchall()]

    def story_of(self, article_id: int) -> int | None:
        """The story a stored article was placed in."""
        row = self.db.execute("SELECT story_id FROM articles WHERE id = ?", [article_id]).fetchone()
        return row[0] if row else None

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])


@dataclass(frozen=True)
class Added:
    """What `Articles.insert` stored: the article (`created` False when another entry stored its URL first, and
    then nothing else was), its story when placed, and the alerts its matches made, by rule."""

    article_id: int
    created: bool
    story: int | None
    alerts: dict[str, int]


class Stories:
    """Articles about one event, grouped across outlets (the placing itself is `watcher.store.stories`)."""

    def __init__(self, db: sqlite_utils.Database, meta: Meta) -> None:
        self.db = db
        self.meta = meta

    def place(self, sk: Sketch, window: float, guess: stories.Guess | None = None) -> Placement:
        """Which story a new article belongs to (read only; `Articles.add` records it). A `guess` made ahead
        stands when nothing placed since could change it (see `watcher.store.stories.place`)."""
        return stories.place(self.db, sk, window, guess)

    def guess(self, sk: Sketch, window: float) -> stories.Guess:
        """The article's placement made ahead of its transaction, without the placement lock (workers)."""
        return stories.guess(self.db, sk, window)

    def rebuild(self, resketch: bool = False, window: float | None = None) -> int:
        """Rebuild the story indexes from the stored sketches (with `resketch`, the sketches from the bodies);
        with `window`, place every article again in the order it was stored, as the daemon did."""
        if window is not None:
            n = stories.replay(self.db, window, resketch)
        else:
            n = stories.rebuild_index(self.db, resketch)
        self.meta.set("story_sketch_version", str(SKETCH_VERSION))
        return n

    def recent(self, limit: int = 20, since: datetime | None = None) -> list[dict[str, Any]]:
        """The stories seen most recently (since `since`), with their articles, for `watcher stories`."""
        return story_list.story_rows(self.db, limit, iso(since))
