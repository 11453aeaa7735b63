"""The database schema as an ordered list of migrations.

`meta.schema_version` is the number of migrations applied. A new release adds
a function to MIGRATIONS; opening an older database applies the missing ones
in one transaction, so another program reading it meanwhile never sees it half
upgraded. A database newer than this code is refused rather than damaged.

The same migrations build a PostgreSQL store: written in SQLite's words, their
column types are mapped there by `watcher.store.postgres.translate` (INTEGER
-> BIGINT, `id INTEGER PRIMARY KEY` -> identity, REAL -> DOUBLE PRECISION,
BLOB -> BYTEA). A new migration keeps to SQL both engines accept.
"""

from __future__ import annotations

from typing import Callable

import sqlite_utils


def _v1(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE sources (
            id TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            type TEXT,
            added_at TEXT NOT NULL,
            baseline_done INTEGER NOT NULL DEFAULT 0,
            last_poll_at TEXT,
            last_status TEXT,
            last_error TEXT,
            last_http_status INTEGER,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            next_poll_at TEXT,
            etag TEXT,
            last_modified TEXT,
            advertised_feed TEXT
        )"""
    )
    db.execute(
        """CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            canonical_url TEXT NOT NULL UNIQUE,
            url TEXT NOT NULL,
            guid TEXT,
            source_id TEXT NOT NULL REFERENCES sources(id),
            title TEXT,
            author TEXT,
            published TEXT,
            sitename TEXT,
            language TEXT,
            body TEXT NOT NULL,
            body_hash TEXT,
            summary_only INTEGER NOT NULL DEFAULT 0,
            alertable INTEGER NOT NULL,
            fetched_at TEXT NOT NULL,
            extract_error TEXT
        )"""
    )
    db.execute("CREATE INDEX articles_body_hash ON articles(body_hash) WHERE body_hash IS NOT NULL")
    db.execute("CREATE INDEX articles_guid ON articles(guid) WHERE guid IS NOT NULL")
    db.execute("CREATE INDEX articles_fetched_at ON articles(fetched_at)")
    db.execute(
        """CREATE TABLE entries (
            id INTEGER PRIMARY KEY,
            source_id TEXT NOT NULL REFERENCES sources(id),
            key TEXT NOT NULL,
            guid TEXT,
            url TEXT,
            canonical_url TEXT,
            title TEXT,
            published TEXT,
            seen_at TEXT NOT NULL,
            article_id INTEGER REFERENCES articles(id),
            UNIQUE (source_id, key)
        )"""
    )
    db.execute("CREATE INDEX entries_article ON entries(article_id)")


def _v2(db: sqlite_utils.Database) -> None:
    """Rule matches: which rule fired on which article, with its evidence (JSON)."""
    db.execute(
        """CREATE TABLE matches (
            id INTEGER PRIMARY KEY,
            rule_id TEXT NOT NULL,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            matched_at TEXT NOT NULL,
            evidence TEXT NOT NULL,
            UNIQUE (rule_id, article_id)
        )"""
    )
    db.execute("CREATE INDEX matches_article ON matches(article_id)")


def _v3(db: sqlite_utils.Database) -> None:
    """The outbox: one alert per (rule, story), one delivery row per channel URL."""
    db.execute(
        """CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            rule_id TEXT NOT NULL,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            story_key TEXT NOT NULL,
            created_at TEXT NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            UNIQUE (rule_id, story_key)
        )"""
    )
    db.execute(
        """CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            alert_id INTEGER NOT NULL REFERENCES alerts(id),
            channel TEXT NOT NULL,
            target INTEGER NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            sent_at TEXT,
            UNIQUE (alert_id, channel, target)
        )"""
    )
    db.execute("CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at)")


def _v4(db: sqlite_utils.Database) -> None:
    """Channel health survives restarts, so a failing channel is reported once, not once per run."""
    db.execute(
        """CREATE TABLE channel_health (
            channel TEXT PRIMARY KEY,
            failures INTEGER NOT NULL DEFAULT 0,
            reported INTEGER NOT NULL DEFAULT 0
        )"""
    )


def _v5(db: sqlite_utils.Database) -> None:
    """An alert keeps its values (JSON), so a channel template renders the same message on every retry."""
    db.execute("ALTER TABLE alerts ADD COLUMN context TEXT NOT NULL DEFAULT '{}'")


def _v6(db: sqlite_utils.Database) -> None:
    """Stories: articles about one event grouped across outlets, with the sketches that group them.

    `story_sketches` keeps each article's MinHash signatures (shingles of its
    words and of its function-word skeleton), names and numbers; `story_bands`
    is the LSH index over the signatures and `story_terms` an index of names
    and numbers by time, so candidates come from indexes, not a scan, and a
    restart forgets nothing. `articles.pruned_at` marks bodies removed by
    retention (the sketches and alerts stay)."""
    db.execute(
        """CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            title TEXT,
            size INTEGER NOT NULL DEFAULT 1
        )"""
    )
    db.execute("ALTER TABLE articles ADD COLUMN story_id INTEGER REFERENCES stories(id)")
    db.execute("ALTER TABLE articles ADD COLUMN story_reason TEXT")
    db.execute("ALTER TABLE articles ADD COLUMN pruned_at TEXT")
    db.execute("CREATE INDEX articles_story ON articles(story_id)")
    db.execute(
        """CREATE TABLE story_sketches (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id),
            story_id INTEGER NOT NULL,
            at REAL NOT NULL,
            sketch BLOB NOT NULL
        )"""
    )
    # clustered on their lookup keys (WITHOUT ROWID): no second copy of each row in an index
    db.execute("CREATE TABLE story_bands (band INTEGER NOT NULL, hash INTEGER NOT NULL, article_id INTEGER NOT NULL, "
               "PRIMARY KEY (band, hash, article_id)) WITHOUT ROWID")
    db.execute("CREATE TABLE story_terms (term TEXT NOT NULL, at REAL NOT NULL, article_id INTEGER NOT NULL, "
               "PRIMARY KEY (term, at, article_id)) WITHOUT ROWID")
    db.execute("CREATE TABLE story_term_counts (term TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID")
    # an alert's later articles (updates), reported per the rule's `updates`
    db.execute("ALTER TABLE alerts ADD COLUMN kind TEXT NOT NULL DEFAULT 'alert'")
    db.execute("ALTER TABLE alerts ADD COLUMN parent_id INTEGER REFERENCES alerts(id)")


def _v7(db: sqlite_utils.Database) -> None:
    """Polling health: permanent moves, 410s, failing streaks, bytes saved by 304s, the feed's own pace,
    and hosts that asked for a pause (Retry-After), so a restart keeps to all of them."""
    for column in (
        "moved_to TEXT",  # the URL polled instead of `url` after a lasting 301/308
        "move_target TEXT",  # a 301/308 target seen on the last polls, not yet lasting
        "move_polls INTEGER NOT NULL DEFAULT 0",
        "disabled TEXT",  # why the source is no longer polled (410 Gone), or NULL
        "failing_since TEXT",  # first failure of the current streak
        "failing_notified INTEGER NOT NULL DEFAULT 0",  # the admin channel was told of this streak
        "last_size INTEGER",  # bytes received for the last full (200) response
        "bytes_saved INTEGER NOT NULL DEFAULT 0",  # bytes 304 answers spared us, estimated by last_size
        "not_modified INTEGER NOT NULL DEFAULT 0",  # how many polls were answered 304
        "feed_interval REAL",  # the feed's own least time between polls (ttl, sy:updatePeriod), seconds
        "max_age REAL",  # the last response's Cache-Control max-age, seconds
        "content_hash TEXT",  # of the last full body read: the same bytes again are not parsed again
        "adaptive_interval REAL",  # interval read from the feed's publishing pace, seconds
    ):
        db.execute(f"ALTER TABLE sources ADD COLUMN {column}")
    db.execute("CREATE TABLE host_pauses (host TEXT PRIMARY KEY, until TEXT NOT NULL)")


def _v8(db: sqlite_utils.Database) -> None:
    """Admin notices (a source or channel failing, recovered, an alert given up) get their own outbox
    rows, retried like alerts; a send whose outcome is unknown (no answer in time) is marked, so it is
    retried only after its backoff."""
    db.execute("ALTER TABLE deliveries ADD COLUMN outcome_unknown INTEGER NOT NULL DEFAULT 0")
    db.execute(
        """CREATE TABLE notices (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            channel TEXT NOT NULL,
            target INTEGER NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            sent_at TEXT,
            outcome_unknown INTEGER NOT NULL DEFAULT 0
        )"""
    )
    db.execute("CREATE INDEX notices_due ON notices(status, next_attempt_at)")


def _v9(db: sqlite_utils.Database) -> None:
    """The web console: alerts marked as false positives (counted per rule), and the indexes its pages read by,
    so every list is a range of an index however large the store grows."""
    db.execute(
        """CREATE TABLE false_positives (
            alert_id INTEGER PRIMARY KEY REFERENCES alerts(id),
            rule_id TEXT NOT NULL,
            marked_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX false_positives_rule ON false_positives(rule_id)")
    db.execute("CREATE INDEX alerts_created ON alerts(created_at)")
    db.execute("CREATE INDEX alerts_rule ON alerts(rule_id, id)")
    db.execute("CREATE INDEX matches_rule_time ON matches(rule_id, matched_at)")
    db.execute("CREATE INDEX articles_source ON articles(source_id, id)")
    db.execute("CREATE INDEX stories_last_seen ON stories(last_seen, id)")


def _v10(db: sqlite_utils.Database) -> None:
    """Rules muted for a time from the web console (their matches are kept, no alert is made), and each
    source's recent polls (its page charts them)."""
    db.execute("CREATE TABLE rule_mutes (rule_id TEXT PRIMARY KEY, until TEXT NOT NULL, muted_at TEXT NOT NULL)")
    db.execute(
        """CREATE TABLE poll_log (
            id INTEGER PRIMARY KEY,
            source_id TEXT NOT NULL,
            at TEXT NOT NULL,
            status TEXT NOT NULL,
            http_status INTEGER,
            size INTEGER
        )"""
    )
    db.execute("CREATE INDEX poll_log_source ON poll_log(source_id, id)")


def _v11(db: sqlite_utils.Database) -> None:
    """Watched pages: each version of a `type: watch` source's region (the change it made is stored as an
    article, so rules, alerts and delivery treat it as one); and the last value of each `when: crosses`
    number condition, per rule and subject, so a crossing alerts once across restarts and replays."""
    db.execute(
        """CREATE TABLE page_versions (
            id INTEGER PRIMARY KEY,
            source_id TEXT NOT NULL REFERENCES sources(id),
            version INTEGER NOT NULL,
            fetched_at TEXT NOT NULL,
            url TEXT NOT NULL,
            text TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            article_id INTEGER REFERENCES articles(id),
            UNIQUE (source_id, version)
        )"""
    )
    db.execute(
        """CREATE TABLE thresholds (
            rule_id TEXT NOT NULL,
            subject TEXT NOT NULL,
            value REAL NOT NULL,
            armed INTEGER NOT NULL,
            seen_at TEXT NOT NULL,
            PRIMARY KEY (rule_id, subject)
        ) WITHOUT ROWID"""
    )


def _v12(db: sqlite_utils.Database) -> None:
    """How long each logged poll's source took to answer (a source's page charts it)."""
    db.execute("ALTER TABLE poll_log ADD COLUMN response_ms INTEGER")


def _v13(db: sqlite_utils.Database) -> None:
    """The LSH index keeps the word signature's bands only (0-15): the skeleton's are no longer looked up."""
    db.execute("DELETE FROM story_bands WHERE band >= 16")


def _v14(db: sqlite_utils.Database) -> None:
    """Placements numbered in commit order (PostgreSQL; NULL on SQLite), for checking a placement made ahead
    against the ones stored since (`watcher.store.stories.guess`)."""
    db.execute("ALTER TABLE story_sketches ADD COLUMN seq INTEGER")
    db.execute("CREATE INDEX story_sketches_seq ON story_sketches(seq) WHERE seq IS NOT NULL")


def _v15(db: sqlite_utils.Database) -> None:
    """PostgreSQL numbers every placement, whoever writes it (a worker of an earlier release still running
    beside upgraded ones, `watcher migrate`, a replay): a row stored without its number gets the next one,
    under the placement lock its writer holds to its commit."""
    from watcher.store.engine import is_postgres

    if not is_postgres(db):
        return
    db.execute("""CREATE OR REPLACE FUNCTION watcher_number_placement() RETURNS trigger AS $$
        BEGIN
            IF NEW.seq IS NULL THEN
                NEW.seq := (SELECT COALESCE(MAX(seq), 0) + 1 FROM story_sketches WHERE seq IS NOT NULL);
            END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql""")
    db.execute("DROP TRIGGER IF EXISTS story_sketches_numbered ON story_sketches")
    db.execute("CREATE TRIGGER story_sketches_numbered BEFORE INSERT OR UPDATE ON story_sketches "
               "FOR EACH ROW EXECUTE FUNCTION watcher_number_placement()")


def _v16(db: sqlite_utils.Database) -> None:
    """A feed's entries stored, by the digest of their bytes (`watcher.parse.unchanged`): the next poll of a
    changed feed does not read them again while their bytes stay the same."""
    db.execute("ALTER TABLE sources ADD COLUMN item_memory BLOB")


def _v17(db: sqlite_utils.Database) -> None:
    """Each channel's deliveries by state (/metrics, at every scrape) are counted from this index alone, not
    from the whole table."""
    db.execute("CREATE INDEX deliveries_totals ON deliveries(channel, status, attempts)")


def _v18(db: sqlite_utils.Database) -> None:
    """Each queued message keeps the key of the channel URL it is for (`watcher.deliver.targets`), so a
    channel's URLs reordered or removed do not send it to another URL; rows queued before go by place ("#N")."""
    for table in ("deliveries", "notices"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN url_key TEXT NOT NULL DEFAULT ''")
        db.execute(f"UPDATE {table} SET url_key = '#' || CAST(target AS TEXT)")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2, _v3, _v4, _v5, _v6, _v7, _v8, _v9, _v10, _v11,
                                                              _v12, _v13, _v14, _v15, _v16, _v17, _v18]
SCHEMA_VERSION = len(MIGRATIONS)
