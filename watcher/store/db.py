"""Reading and writing the store. All writes of one article happen in one transaction."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

import sqlite_utils

from watcher.alert.decide import decide, story_key
from watcher.dedupe.sketch import SKETCH_VERSION, Sketch, sketch
from watcher.errors import StoreError
from watcher.store import sources, stories
from watcher.store.console import muted
from watcher.model import Article, Delivery, Entry, Match, PollUpdate, SourceState
from watcher.store.stories import Placement
from watcher.store.schema import MIGRATIONS, SCHEMA_VERSION
from watcher.store.times import iso, parse_iso, utcnow


log = logging.getLogger("watcher.store")


def _outbox(d: Delivery) -> str:
    """The table holding this outbox row."""
    return "notices" if d.notice else "deliveries"


OPEN_WAIT = 5.0  # seconds to wait at open for a lock another program holds on the database
BUSY_WAIT = 30.0  # seconds a statement waits for a lock once the database is open


class Store:
    """The database. `readonly` opens an existing one for reading only: never created, migrated or changed."""

    def __init__(self, path: str | Path, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        if readonly and not self.path.is_file():
            raise StoreError(f"database {self.path} does not exist yet: nothing has been polled "
                             "(`watcher run --once` or the daemon creates it)")
        try:
            if readonly:
                conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=OPEN_WAIT)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=OPEN_WAIT)
        except (OSError, sqlite3.Error) as e:
            raise StoreError(f"cannot open database {self.path}: {e}") from None
        self.db = sqlite_utils.Database(conn)
        try:
            version = self._check_version()  # reads only: a database we must refuse is left as it was
            if not readonly:
                self.db.enable_wal()
                self.db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; durable at checkpoints
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute(f"PRAGMA busy_timeout = {int(BUSY_WAIT * 1000)}")
            if not readonly:
                self._migrate(version)
                self._check_sketch_version()
        except sqlite3.DatabaseError as e:
            conn.close()
            raise StoreError(self._unusable(e)) from None
        except StoreError:
            conn.close()
            raise

    def close(self) -> None:
        self.db.close()

    def _unusable(self, e: sqlite3.DatabaseError) -> str:
        text = str(e)
        if "not a database" in text or "malformed" in text:
            return (f"cannot use database {self.path}: it is not a SQLite database ({text}); "
                    "move it away or set `database:` to another file")
        if "locked" in text or "busy" in text:
            return (f"cannot use database {self.path}: another program holds a lock on it (waited {OPEN_WAIT:g}s); "
                    "close that program, or try again when it is done")
        return f"cannot use database {self.path}: {text}"

    # -- schema -----------------------------------------------------------
    def schema_version(self) -> int:
        if "meta" not in self.db.table_names():
            return 0
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def _check_version(self) -> int:
        """The stored schema version, refused (before anything is written) when this watcher cannot use it."""
        try:
            version = self.schema_version()
        except ValueError:
            raise StoreError(f"database {self.path} has an unreadable schema version; it was not written by watcher") from None
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"database {self.path} has schema version {version}, newer than this watcher "
                f"understands ({SCHEMA_VERSION}); upgrade watcher"
            )
        if version == 0 and self.db.table_names():
            raise StoreError(f"database {self.path} holds tables that are not watcher's "
                             f"({', '.join(self.db.table_names()[:5])}); set `database:` to another file")
        if self.readonly and version < SCHEMA_VERSION:
            raise StoreError(f"database {self.path} has schema version {version}; this watcher reads version "
                             f"{SCHEMA_VERSION}: start the daemon or `watcher run --once` once to upgrade it")
        return version

    def _migrate(self, version: int) -> None:
        if "meta" not in self.db.table_names():
            self.db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
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
        """The source's polling state; a new source is added, a changed URL starts afresh."""
        return sources.state(self.db, source_id, url, type_, utcnow())

    def record_poll(self, source_id: str, record: PollUpdate) -> None:
        sources.record(self.db, source_id, record, utcnow())

    def set_failing_notified(self, source_id: str, notified: bool) -> None:
        sources.set_notified(self.db, source_id, notified)

    def source_rows(self) -> list[dict[str, Any]]:
        """Every stored source with its health and article count, for `watcher sources`."""
        return sources.rows(self.db)

    def enable_source(self, source_id: str) -> str | None:
        """Poll the source again at its next chance, even if it was disabled; KeyError if never polled."""
        return sources.enable(self.db, source_id, utcnow())

    def host_pauses(self) -> dict[str, float]:
        """Hosts that asked (Retry-After) not to be called before a time still ahead: host -> epoch seconds."""
        return sources.host_pauses(self.db, utcnow())

    def pause_host(self, host: str, until: float) -> None:
        sources.pause_host(self.db, host, until, utcnow())

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

    def add_entry(self, entry: Entry, article_id: int | None) -> None:
        with self.db.atomic():
            self._insert_entry(entry, article_id)

    def place_story(self, sk: Sketch, window: float) -> Placement:
        """Which story a new article belongs to (read only; `add_article` records it)."""
        return stories.place(self.db, sk, window)

    def rebuild_story_index(self, resketch: bool = False, window: float | None = None) -> int:
        """Rebuild the story indexes from the stored sketches (with `resketch`, the sketches from the bodies);
        with `window`, place every article again in the order it was stored, as the daemon did."""
        if window is not None:
            n = stories.replay(self.db, window, resketch)
        else:
            n = stories.rebuild_index(self.db, resketch)
        self.set_meta("story_sketch_version", str(SKETCH_VERSION))
        return n

    def _check_sketch_version(self) -> None:
        """Sketches made by another version of the sketching code are made anew, once."""
        stored = self.get_meta("story_sketch_version")
        if stored == str(SKETCH_VERSION):
            return
        if stored is not None and self.count("story_sketches"):
            log.info("story sketches are version %s; rebuilding them as version %d", stored, SKETCH_VERSION)
            self.rebuild_story_index(resketch=True)
        self.set_meta("story_sketch_version", str(SKETCH_VERSION))

    def story_rows(self, limit: int = 20, since: datetime | None = None) -> list[dict[str, Any]]:
        return stories.story_rows(self.db, limit, iso(since))

    def add_article(
        self, entry: Entry, article: Article, matches: Iterable[Match] = (),
        placement: Placement | None = None,
    ) -> tuple[int, bool]:
        """Store the article, its story and the entry that led to it, atomically.

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
                if placement is not None:
                    stories.save(self.db, article_id, placement, article.title, values["fetched_at"])
                # the matches are recorded with the article or not at all
                self._insert_matches(article_id, matches)
            self._insert_entry(entry, article_id)
        return article_id, created

    def _insert_matches(self, article_id: int, matches: Iterable[Match]) -> None:
        now = iso(utcnow())
        story: int | None = None
        for m in matches:
            self.db.execute(
                "INSERT INTO matches (rule_id, article_id, matched_at, evidence) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(rule_id, article_id) DO NOTHING",
                [m.rule_id, article_id, now, m.evidence_json],
            )
            if m.alert is None or not m.alert.targets or muted(self.db, m.rule_id, now):
                continue  # a rule muted from the web console keeps its matches and makes no alert
            if story is None:
                row = self.db.execute("SELECT story_id FROM articles WHERE id = ?", [article_id]).fetchone()
                story = row[0] if row else None
            a = m.alert
            key = story_key(a.once_per, story, article_id)
            row = self.db.execute("SELECT id FROM alerts WHERE rule_id = ? AND story_key = ?", [m.rule_id, key]).fetchone()
            decision = decide(once_per=a.once_per, updates=a.updates, story_id=story, article_id=article_id,
                              earlier=row[0] if row else None)
            if decision is None:
                continue  # this rule already alerted on this story; the story lists the article
            # the alert and its deliveries are written with the match, before any send; the unique
            # (rule_id, story_key) makes a second writer's insert a no-op
            cur = self.db.execute(
                "INSERT INTO alerts (rule_id, article_id, story_key, created_at, title, body, context, kind, parent_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(rule_id, story_key) DO NOTHING",
                [m.rule_id, article_id, decision.key, now, decision.title_prefix + a.title, a.body, a.context_json,
                 decision.kind, decision.parent],
            )
            if not cur.rowcount:
                continue
            for channel, target in a.targets:
                self.db.execute(
                    "INSERT INTO deliveries (alert_id, channel, target, status, next_attempt_at) VALUES (?, ?, ?, 'pending', ?)",
                    [cur.lastrowid, channel, target, now],
                )

    # -- the outbox ---------------------------------------------------------
    def due_deliveries(self, now: datetime, limit: int = 100, exclude: Iterable[str] = (),
                       unknown_too: bool = True) -> list[Delivery]:
        """Pending deliveries and admin notices whose time has come, except alerts to the `exclude` channels
        (digests); without `unknown_too`, not those whose last try may have arrived (no answer in time)."""
        skip = list(exclude)
        marks = ",".join("?" * len(skip))
        cur = self.db.execute(
            "SELECT d.id, d.alert_id, d.channel, d.target, d.attempts, a.title, a.body, a.created_at, a.context, "
            "d.next_attempt_at FROM deliveries d JOIN alerts a ON a.id = d.alert_id "
            "WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND a.kind != 'update-digest' "
            + (f"AND d.channel NOT IN ({marks}) " if skip else "") + ("" if unknown_too else "AND d.outcome_unknown = 0 ")
            + "UNION ALL SELECT id, NULL, channel, target, attempts, title, body, created_at, '{}', next_attempt_at "
            "FROM notices WHERE status = 'pending' AND next_attempt_at <= ? "
            + ("" if unknown_too else "AND outcome_unknown = 0 ") + "ORDER BY 10, 1 LIMIT ?",
            [iso(now), *skip, iso(now), limit],
        )
        return [Delivery(r[0], r[1], r[2], r[3], r[4], r[5], r[6], parse_iso(r[7]) or now, r[8]) for r in cur.fetchall()]

    def add_notice(self, title: str, body: str, targets: Iterable[tuple[str, int]]) -> None:
        """An admin notice, queued in the outbox for each (channel, URL index), to be sent and retried like alerts."""
        now = iso(utcnow())
        with self.db.atomic():
            for channel, target in targets:
                self.db.execute(
                    "INSERT INTO notices (created_at, title, body, channel, target, status, next_attempt_at) "
                    "VALUES (?, ?, ?, ?, ?, 'pending', ?)",
                    [now, title, body, channel, target, now],
                )

    def pending_for(self, channel: str, target: int, updates_only: bool = False) -> list[Delivery]:
        """Pending deliveries to one URL (for a digest); only story updates held for a digest with `updates_only`."""
        cur = self.db.execute(
            "SELECT d.id, d.alert_id, d.channel, d.target, d.attempts, a.title, a.body, a.created_at, a.context "
            "FROM deliveries d JOIN alerts a ON a.id = d.alert_id "
            "WHERE d.status = 'pending' AND d.channel = ? AND d.target = ? "
            + ("AND a.kind = 'update-digest' " if updates_only else "") + "ORDER BY d.id",
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

    def mark_sent(self, d: Delivery) -> None:
        with self.db.atomic():
            self.db.execute(
                f"UPDATE {_outbox(d)} SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL, "
                "outcome_unknown = 0 WHERE id = ?",
                [iso(utcnow()), d.id],
            )

    def mark_failed(self, d: Delivery, error: str, next_attempt: datetime | None, unknown: bool = False) -> None:
        """A failed try: retry at `next_attempt`, or give up (dead) when it is None; `unknown` when the
        service did not answer in time (the message may have arrived)."""
        with self.db.atomic():
            self.db.execute(
                f"UPDATE {_outbox(d)} SET status = ?, attempts = attempts + 1, last_error = ?, "
                "next_attempt_at = COALESCE(?, next_attempt_at), outcome_unknown = ? WHERE id = ?",
                ["dead" if next_attempt is None else "pending", error, iso(next_attempt), int(unknown), d.id],
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
        """Alert deliveries and admin notices waiting to be sent (or retried)."""
        return int(self.db.execute("SELECT (SELECT COUNT(*) FROM deliveries WHERE status = 'pending') "
                                   "+ (SELECT COUNT(*) FROM notices WHERE status = 'pending')").fetchone()[0])

    def next_due(self, exclude: Iterable[str] = ()) -> datetime | None:
        skip = list(exclude)
        marks = ",".join("?" * len(skip))
        row = self.db.execute(
            "SELECT MIN(t) FROM (SELECT MIN(d.next_attempt_at) AS t FROM deliveries d JOIN alerts a ON a.id = d.alert_id "
            "WHERE d.status = 'pending' AND a.kind != 'update-digest'"
            + (f" AND d.channel NOT IN ({marks})" if skip else "")
            + " UNION ALL SELECT MIN(next_attempt_at) FROM notices WHERE status = 'pending')",
            skip,
        ).fetchone()
        return parse_iso(row[0]) if row and row[0] else None

    def alert_rows(self, limit: int = 50) -> list[dict[str, Any]]:
        """Recent alerts with their article and per-channel delivery state, for `watcher alerts`."""
        cur = self.db.execute(
            "SELECT a.id, a.rule_id, a.article_id, a.story_key, a.kind, a.parent_id, a.created_at, a.title AS rule_title, ar.title, "
            "ar.url, ar.source_id, ar.story_id "
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
            a["also"] = self._later_reports(a) if a["kind"] == "alert" else []
        return alerts

    def _later_reports(self, alert: dict[str, Any]) -> list[dict[str, Any]]:
        """The story's other articles this rule matched: the outlets reported after the alert."""
        if alert["story_id"] is None or not alert["story_key"].startswith("story:"):
            return []
        cur = self.db.execute(
            "SELECT ar.id, ar.title, ar.url, ar.source_id, ar.sitename, m.matched_at FROM matches m "
            "JOIN articles ar ON ar.id = m.article_id "
            "WHERE m.rule_id = ? AND ar.story_id = ? AND ar.id != ? ORDER BY m.id",
            [alert["rule_id"], alert["story_id"], alert["article_id"]],
        )
        cols = [x[0] for x in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

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

    def add_matches(self, article_id: int, matches: Iterable[Match]) -> None:
        """Record matches (and their alerts) for a stored article; alerts already made are not repeated."""
        with self.db.atomic():
            self._insert_matches(article_id, matches)

    def _insert_entry(self, entry: Entry, article_id: int | None) -> None:
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
