"""Reading and writing the store. All writes of one article happen in one transaction."""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import sqlite_utils

from watcher.errors import StoreError
from watcher.store.schema import MIGRATIONS, SCHEMA_VERSION


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def iso(dt: datetime | None) -> str | None:
    return dt.astimezone(timezone.utc).isoformat(timespec="seconds") if dt else None


def parse_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class SourceState:
    id: str
    url: str
    added_at: datetime
    baseline_done: bool
    etag: str | None
    last_modified: str | None
    consecutive_failures: int
    next_poll_at: datetime | None
    type: str | None = None  # configured, or detected on the first successful poll


@dataclass(frozen=True)
class EntryRecord:
    source_id: str
    key: str  # feed GUID, or the canonical URL when the entry has none
    guid: str | None
    url: str | None
    canonical_url: str | None
    title: str | None
    published: datetime | None


@dataclass(frozen=True)
class ArticleRecord:
    canonical_url: str
    url: str
    guid: str | None
    source_id: str
    title: str | None
    author: str | None
    published: datetime | None
    sitename: str | None
    language: str | None
    body: str
    body_hash: str | None
    summary_only: bool
    alertable: bool
    extract_error: str | None = None


@dataclass(frozen=True)
class AlertRecord:
    story_key: str
    title: str
    body: str
    targets: tuple[tuple[str, int], ...]  # (channel, index of the URL in the channel)
    context_json: str = "{}"  # the values a channel template renders


@dataclass(frozen=True)
class MatchRecord:
    rule_id: str
    evidence_json: str
    alert: AlertRecord | None = None


@dataclass(frozen=True)
class Delivery:
    id: int
    alert_id: int
    channel: str
    target: int
    attempts: int
    title: str
    body: str
    created_at: datetime
    context_json: str = "{}"


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30)
        except (OSError, sqlite3.Error) as e:
            raise StoreError(f"cannot open database {self.path}: {e}") from None
        self.db = sqlite_utils.Database(conn)
        try:
            self.db.enable_wal()
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; durable at checkpoints
            self._migrate()
        except sqlite3.DatabaseError as e:
            raise StoreError(f"cannot use database {self.path}: {e}") from None

    def close(self) -> None:
        self.db.close()

    # -- schema -----------------------------------------------------------
    def schema_version(self) -> int:
        if "meta" not in self.db.table_names():
            return 0
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        if "meta" not in self.db.table_names():
            self.db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"database {self.path} has schema version {version}, newer than this watcher "
                f"understands ({SCHEMA_VERSION}); upgrade watcher"
            )
        for number in range(version + 1, SCHEMA_VERSION + 1):
            with self.db.atomic():
                MIGRATIONS[number - 1](self.db)
                self.db.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    [str(number)],
                )

    # -- sources ----------------------------------------------------------
    def ensure_source(self, source_id: str, url: str, type_: str | None) -> SourceState:
        now = iso(utcnow())
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO sources (id, url, type, added_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET url = excluded.url, "
                "type = COALESCE(excluded.type, sources.type)",
                [source_id, url, type_, now],
            )
        return self.source_state(source_id)

    def source_state(self, source_id: str) -> SourceState:
        row = self.db.execute(
            "SELECT id, url, added_at, baseline_done, etag, last_modified, "
            "consecutive_failures, next_poll_at, type FROM sources WHERE id = ?",
            [source_id],
        ).fetchone()
        if row is None:
            raise KeyError(source_id)
        return SourceState(
            id=row[0],
            url=row[1],
            added_at=parse_iso(row[2]) or utcnow(),
            baseline_done=bool(row[3]),
            etag=row[4],
            last_modified=row[5],
            consecutive_failures=row[6],
            next_poll_at=parse_iso(row[7]),
            type=row[8],
        )

    def record_poll(
        self,
        source_id: str,
        *,
        ok: bool,
        status: str,
        error: str | None = None,
        http_status: int | None = None,
        next_poll_at: datetime | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        baseline_done: bool | None = None,
        type_: str | None = None,
        advertised_feed: str | None = None,
    ) -> None:
        fields: dict[str, Any] = {
            "last_poll_at": iso(utcnow()),
            "last_status": status,
            "last_error": error,
            "last_http_status": http_status,
            "next_poll_at": iso(next_poll_at),
        }
        if ok:
            fields["consecutive_failures"] = 0
            if etag is not None or last_modified is not None:
                fields["etag"] = etag
                fields["last_modified"] = last_modified
        if baseline_done is not None:
            fields["baseline_done"] = int(baseline_done)
        if type_ is not None:
            fields["type"] = type_
        if advertised_feed is not None:
            fields["advertised_feed"] = advertised_feed
        sets = ", ".join(f"{k} = ?" for k in fields)
        extra = "" if ok else ", consecutive_failures = consecutive_failures + 1"
        with self.db.atomic():
            self.db.execute(f"UPDATE sources SET {sets}{extra} WHERE id = ?", [*fields.values(), source_id])

    def source_rows(self) -> list[dict[str, Any]]:
        """Every stored source with its health and article count, for `watcher sources`.

        A source's articles are those it led to, including ones another
        source stored first (a syndicated story counts for both outlets)."""
        rows = self.db.execute(
            """SELECT s.id, s.url, s.type, s.added_at, s.last_poll_at, s.last_status, s.last_error,
                      s.last_http_status, s.consecutive_failures, s.next_poll_at, s.advertised_feed,
                      (SELECT COUNT(DISTINCT e.article_id) FROM entries e WHERE e.source_id = s.id) AS articles,
                      (SELECT COUNT(*) FROM entries e WHERE e.source_id = s.id) AS entries
               FROM sources s ORDER BY s.id"""
        )
        cols = [d[0] for d in rows.description]
        return [dict(zip(cols, r)) for r in rows.fetchall()]

    # -- entries and articles ---------------------------------------------
    def known_keys(self, source_id: str, keys: Iterable[str]) -> set[str]:
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

    def find_article(
        self, *, canonical_url: str | None = None, guid: str | None = None, body_hash: str | None = None
    ) -> int | None:
        """Id of an already stored article that is the same by URL, GUID or body."""
        for column, value in (("canonical_url", canonical_url), ("guid", guid), ("body_hash", body_hash)):
            if value:
                row = self.db.execute(f"SELECT id FROM articles WHERE {column} = ? LIMIT 1", [value]).fetchone()
                if row:
                    return int(row[0])
        return None

    def add_entry(self, entry: EntryRecord, article_id: int | None) -> None:
        with self.db.atomic():
            self._insert_entry(entry, article_id)

    def add_article(
        self, entry: EntryRecord, article: ArticleRecord, matches: Iterable[MatchRecord] = ()
    ) -> tuple[int, bool]:
        """Store the article and the entry that led to it, atomically.

        Returns the article id and whether it is new (False when another entry
        stored the same canonical URL first)."""
        values = asdict(article)
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
            if not created:  # another entry stored the same URL meanwhile
                article_id = int(
                    self.db.execute("SELECT id FROM articles WHERE canonical_url = ?", [article.canonical_url]).fetchone()[0]
                )
            else:
                article_id = int(cur.lastrowid)
                # the matches are recorded with the article or not at all
                self._insert_matches(article_id, matches)
            self._insert_entry(entry, article_id)
        return article_id, created

    def _insert_matches(self, article_id: int, matches: Iterable[MatchRecord]) -> None:
        now = iso(utcnow())
        for m in matches:
            self.db.execute(
                "INSERT INTO matches (rule_id, article_id, matched_at, evidence) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(rule_id, article_id) DO NOTHING",
                [m.rule_id, article_id, now, m.evidence_json],
            )
            if m.alert is None or not m.alert.targets:
                continue
            # the alert and its deliveries are written with the match, before any send
            cur = self.db.execute(
                "INSERT INTO alerts (rule_id, article_id, story_key, created_at, title, body, context) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(rule_id, story_key) DO NOTHING",
                [m.rule_id, article_id, m.alert.story_key, now, m.alert.title, m.alert.body, m.alert.context_json],
            )
            if cur.rowcount == 0:
                continue  # this rule already alerted on this story
            alert_id = cur.lastrowid
            for channel, target in m.alert.targets:
                self.db.execute(
                    "INSERT INTO deliveries (alert_id, channel, target, status, next_attempt_at) VALUES (?, ?, ?, 'pending', ?)",
                    [alert_id, channel, target, now],
                )

    # -- the outbox ---------------------------------------------------------
    def due_deliveries(self, now: datetime, limit: int = 100, exclude: Iterable[str] = ()) -> list[Delivery]:
        """Pending deliveries whose time has come, except to the `exclude` channels (digests)."""
        skip = list(exclude)
        marks = ",".join("?" * len(skip))
        cur = self.db.execute(
            "SELECT d.id, d.alert_id, d.channel, d.target, d.attempts, a.title, a.body, a.created_at, a.context "
            "FROM deliveries d JOIN alerts a ON a.id = d.alert_id "
            "WHERE d.status = 'pending' AND d.next_attempt_at <= ? "
            + (f"AND d.channel NOT IN ({marks}) " if skip else "")
            + "ORDER BY d.next_attempt_at, d.id LIMIT ?",
            [iso(now), *skip, limit],
        )
        return [Delivery(r[0], r[1], r[2], r[3], r[4], r[5], r[6], parse_iso(r[7]) or now, r[8]) for r in cur.fetchall()]

    def pending_for(self, channel: str, target: int) -> list[Delivery]:
        cur = self.db.execute(
            "SELECT d.id, d.alert_id, d.channel, d.target, d.attempts, a.title, a.body, a.created_at, a.context "
            "FROM deliveries d JOIN alerts a ON a.id = d.alert_id "
            "WHERE d.status = 'pending' AND d.channel = ? AND d.target = ? ORDER BY d.id",
            [channel, target],
        )
        return [Delivery(r[0], r[1], r[2], r[3], r[4], r[5], r[6], parse_iso(r[7]) or utcnow(), r[8])
                for r in cur.fetchall()]

    def mark_all_sent(self, delivery_ids: Iterable[int]) -> None:
        with self.db.atomic():
            for i in delivery_ids:
                self.db.execute(
                    "UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL "
                    "WHERE id = ?",
                    [iso(utcnow()), i],
                )

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.db.atomic():
            self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                            "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])

    def mark_sent(self, delivery_id: int) -> None:
        with self.db.atomic():
            self.db.execute(
                "UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL "
                "WHERE id = ?",
                [iso(utcnow()), delivery_id],
            )

    def mark_failed(self, delivery_id: int, error: str, next_attempt: datetime | None) -> None:
        """A failed try: retry at `next_attempt`, or give up (dead) when it is None."""
        with self.db.atomic():
            if next_attempt is None:
                self.db.execute(
                    "UPDATE deliveries SET status = 'dead', attempts = attempts + 1, last_error = ? WHERE id = ?",
                    [error, delivery_id],
                )
            else:
                self.db.execute(
                    "UPDATE deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                    [error, iso(next_attempt), delivery_id],
                )

    def channel_health(self, channel: str) -> tuple[int, bool]:
        row = self.db.execute("SELECT failures, reported FROM channel_health WHERE channel = ?", [channel]).fetchone()
        return (int(row[0]), bool(row[1])) if row else (0, False)

    def set_channel_health(self, channel: str, failures: int, reported: bool) -> None:
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO channel_health (channel, failures, reported) VALUES (?, ?, ?) "
                "ON CONFLICT(channel) DO UPDATE SET failures = excluded.failures, reported = excluded.reported",
                [channel, failures, int(reported)],
            )

    def outbox_depth(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM deliveries WHERE status = 'pending'").fetchone()[0])

    def next_due(self, exclude: Iterable[str] = ()) -> datetime | None:
        skip = list(exclude)
        marks = ",".join("?" * len(skip))
        row = self.db.execute(
            "SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'pending'"
            + (f" AND channel NOT IN ({marks})" if skip else ""),
            skip,
        ).fetchone()
        return parse_iso(row[0]) if row and row[0] else None

    def alert_rows(self, limit: int = 50) -> list[dict[str, Any]]:
        """Recent alerts with their article and per-channel delivery state, for `watcher alerts`."""
        cur = self.db.execute(
            "SELECT a.id, a.rule_id, a.story_key, a.created_at, a.title AS rule_title, ar.title, ar.url, ar.source_id "
            "FROM alerts a JOIN articles ar ON ar.id = a.article_id ORDER BY a.id DESC LIMIT ?",
            [limit],
        )
        cols = [d[0] for d in cur.description]
        alerts = [dict(zip(cols, r)) for r in cur.fetchall()]
        for a in alerts:
            d = self.db.execute(
                "SELECT channel, target, status, attempts, last_error, sent_at FROM deliveries WHERE alert_id = ? "
                "ORDER BY channel, target",
                [a["id"]],
            )
            dcols = [x[0] for x in d.description]
            a["deliveries"] = [dict(zip(dcols, r)) for r in d.fetchall()]
        return alerts

    def matches(self, rule_id: str | None = None) -> list[dict[str, Any]]:
        sql = ("SELECT m.rule_id, m.matched_at, m.evidence, a.id AS article_id, a.title, a.url, a.source_id, a.published "
               "FROM matches m JOIN articles a ON a.id = m.article_id")
        params: list[Any] = []
        if rule_id:
            sql += " WHERE m.rule_id = ?"
            params.append(rule_id)
        cur = self.db.execute(sql + " ORDER BY m.id", params)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    def articles_since(self, since: datetime | None) -> list[dict[str, Any]]:
        """Stored articles fetched since `since` (all when None), oldest first, with their source."""
        sql = ("SELECT id, source_id, title, body, url, canonical_url, guid, author, published, sitename, language, "
               "body_hash, summary_only, alertable, fetched_at FROM articles")
        params: list[Any] = []
        if since is not None:
            sql += " WHERE fetched_at >= ?"
            params.append(iso(since))
        cur = self.db.execute(sql + " ORDER BY id", params)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    def add_matches(self, article_id: int, matches: Iterable[MatchRecord]) -> None:
        """Record matches (and their alerts) for a stored article; alerts already made are not repeated."""
        with self.db.atomic():
            self._insert_matches(article_id, matches)

    def _insert_entry(self, entry: EntryRecord, article_id: int | None) -> None:
        self.db.execute(
            "INSERT INTO entries (source_id, key, guid, url, canonical_url, title, published, seen_at, article_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(source_id, key) DO NOTHING",
            [
                entry.source_id,
                entry.key,
                entry.guid,
                entry.url,
                entry.canonical_url,
                entry.title,
                iso(entry.published),
                iso(utcnow()),
                article_id,
            ],
        )

    def articles(self, source_id: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM articles"
        params: list[Any] = []
        if source_id:
            sql += " WHERE source_id = ?"
            params.append(source_id)
        cur = self.db.execute(sql + " ORDER BY id", params)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    def count(self, table: str) -> int:
        return int(self.db.execute(f"SELECT COUNT(*) FROM [{table}]").fetchone()[0])
