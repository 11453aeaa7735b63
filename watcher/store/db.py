"""The store: one SQLite database (WAL mode) or one PostgreSQL database (`database: postgresql://...`), opened,
checked and migrated here, and read and written through one part per noun, each handed the connection (the
same surface on both engines, `watcher.store.engine`):

- `store.sources`: each source's polling state and health, and hosts that asked for a pause;
- `store.articles`: entries and articles (a new article with its story, entry and matches, atomically);
- `store.stories`: placing a new article in its story, and the stories for listing;
- `store.alerts`: matches and the alerts they make (the once-per-story policy is `alert.decide`);
- `store.outbox`: deliveries and admin notices waiting to be sent, and each channel's failures;
- `store.meta`: small named values (versions, digest times).

Each part's methods take and return the values of `watcher.model`: callers never see the engine."""

from __future__ import annotations

import logging
import sqlite3
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import sqlite_utils

from watcher.dedupe.sketch import SKETCH_VERSION
from watcher.errors import StoreError
from watcher.store.alerts import Alerts
from watcher.store.articles import Articles, Stories
from watcher.store.checkpoint import FALLBACK_PAGES, LOG_LIMIT, Checkpointer
from watcher.store.engine import describe, is_postgres, is_url, migration_lock
from watcher.store.meta import Meta
from watcher.store.outbox import Outbox
from watcher.store.schema import MIGRATIONS, SCHEMA_VERSION
from watcher.store.sources import Sources


log = logging.getLogger("watcher.store")


OPEN_WAIT = 5.0  # seconds to wait at open for a lock another program holds on the database
BUSY_WAIT = 30.0  # seconds a statement waits for a lock once the database is open
CACHE_KB = 16_000  # SQLite page cache of a writing connection (the default is 2,000 KB)


class Store:
    """The database: a SQLite file, or a PostgreSQL database given by URL. `readonly` opens an existing one for
    reading only: never created, migrated or changed."""

    def __init__(self, path: str | Path, readonly: bool = False, application: str = "watcher") -> None:
        self.url = str(path) if is_url(path) else None
        self.path = Path(path)  # a SQLite file (for a URL: not a file, never opened as one)
        self.name = describe(self.url or self.path)
        self.readonly = readonly
        if self.url:
            from watcher.store.postgres import PostgresDatabase  # psycopg is loaded only for a PostgreSQL store

            self.db: Any = PostgresDatabase(self.url, readonly, application)
            conn: Any = self.db
        else:
            conn = self._open_file()
            self.db = sqlite_utils.Database(conn)
        self.meta = Meta(self.db)
        self.sources = Sources(self.db)
        self.articles = Articles(self.db)
        self.stories = Stories(self.db, self.meta)
        self.alerts = Alerts(self.db)
        self.outbox = Outbox(self.db)
        try:
            version = self._check_version()  # reads only: a database we must refuse is left as it was
            if not readonly and not self.url:
                self._enable_wal()
                self.db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; durable at checkpoints
                # the story indexes' inner pages stay in memory (placing an article reads ~50 index keys)
                self.db.execute(f"PRAGMA cache_size = -{CACHE_KB}")
                self.db.execute(f"PRAGMA wal_autocheckpoint = {FALLBACK_PAGES}")  # a backstop: see Checkpointer
                self.db.execute(f"PRAGMA journal_size_limit = {LOG_LIMIT}")  # a big write's log shrinks back
            if not self.url:
                self.db.execute("PRAGMA foreign_keys = ON")  # PostgreSQL always checks them
            self.wait_for_locks(BUSY_WAIT)
            if not readonly:
                self._migrate(version)
                self._check_sketch_version()
        except sqlite3.DatabaseError as e:
            conn.close()
            raise StoreError(self._unusable(e)) from None
        except StoreError:
            conn.close()
            raise
        # commits do not wait for the log to be copied into the database file
        self._checkpointer = Checkpointer(self.path) if not readonly and not self.url else None

    def _open_file(self) -> sqlite3.Connection:
        if self.path.is_dir():
            raise StoreError(f"database {self.path} is a folder, not a database file: name a file "
                             f"(database: {self.path / 'watcher.db'})")
        if self.readonly and not self.path.is_file():
            raise StoreError(f"database {self.path} does not exist yet: nothing has been polled "
                             "(`watcher run --once` or the daemon creates it)")
        try:
            if self.readonly:
                return sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=OPEN_WAIT)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return sqlite3.connect(self.path, timeout=OPEN_WAIT)
        except (OSError, sqlite3.Error) as e:
            raise StoreError(f"cannot open database {self.path}: {e}") from None

    def _enable_wal(self) -> None:
        """WAL mode, kept by the file once set. Setting it needs the file to itself, and SQLite does not wait
        for that (another process opening a new database at the same moment holds it): tried again meanwhile."""
        deadline = time.monotonic() + OPEN_WAIT
        while True:
            try:
                self.db.enable_wal()
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def close(self) -> None:
        if self._checkpointer:
            self._checkpointer.stop()
        self.db.close()

    def ping(self) -> None:
        """One trivial read: raises sqlite3.Error when the database does not answer."""
        self.db.execute("SELECT 1").fetchone()

    def wait_for_locks(self, seconds: float) -> None:
        """How long a statement waits for another program's lock before it fails."""
        if self.url:
            self.db.execute(f"SET lock_timeout = {int(seconds * 1000)}")
        else:
            self.db.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    def count(self, table: str) -> int:
        return int(self.db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0])

    def transaction(self) -> AbstractContextManager[object]:
        """Several writes as one (a poll's articles and its record): all stored or none, one commit."""
        return self.db.atomic()

    def _unusable(self, e: sqlite3.DatabaseError) -> str:
        text = str(e)
        if self.url:
            return f"cannot use database {self.name}: {text}"
        if "not a database" in text or "malformed" in text:
            return (f"cannot use database {self.path}: it is not a SQLite database ({text}); "
                    "move it away or set `database:` to another file")
        if "locked" in text or "busy" in text:
            return (f"cannot use database {self.path}: another program holds a lock on it (waited {OPEN_WAIT:g}s); "
                    "close that program, or try again when it is done")
        return f"cannot use database {self.path}: {text}"

    # -- schema -----------------------------------------------------------
    def schema_version(self) -> int:
        return self._version_and_tables()[0]

    def _version_and_tables(self) -> tuple[int, list[str]]:
        """The stored schema version and the tables, from one read of the table list: another process's first
        migration commits its tables and `meta` at once, so one list never shows its tables without `meta`
        (two reads could, and took a database being migrated by a worker starting beside us for a foreign one)."""
        tables = self.db.table_names()
        if "meta" not in tables:
            return 0, tables
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return (int(row[0]) if row else 0), tables

    def _check_version(self) -> int:
        """The stored schema version, refused (before anything is written) when this watcher cannot use it."""
        try:
            version, tables = self._version_and_tables()
        except ValueError:
            raise StoreError(f"database {self.name} has an unreadable schema version; it was not written by watcher") from None
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"database {self.name} has schema version {version}, newer than this watcher "
                f"understands ({SCHEMA_VERSION}); upgrade watcher"
            )
        if version == 0 and tables:
            raise StoreError(f"database {self.name} holds tables that are not watcher's "
                             f"({', '.join(tables[:5])}); set `database:` to another "
                             + ("database" if self.url else "file"))
        if self.readonly and version == 0:  # an empty file, or one a starting daemon has yet to fill
            raise StoreError(f"database {self.name} has no watcher tables yet: nothing has been polled "
                             "(`watcher run --once` or the daemon creates them)")
        if self.readonly and version < SCHEMA_VERSION:
            raise StoreError(f"database {self.name} has schema version {version}; this watcher reads version "
                             f"{SCHEMA_VERSION}: start the daemon or `watcher run --once` once to upgrade it")
        return version

    def _migrate(self, version: int) -> None:
        """The missing migrations, the same on both engines, as one transaction: a program reading the database
        meanwhile (`watcher alerts` beside a daemon creating it) sees it as it was or as it is, never half way."""
        if version < SCHEMA_VERSION:  # an up-to-date database waits for no lock
            with migration_lock(self.db):
                version = self._check_version()  # another process may have migrated while we waited
                with self.db.atomic():
                    if "meta" not in self.db.table_names():
                        self.db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
                    for migration in MIGRATIONS[version:]:
                        migration(self.db)  # type: ignore[arg-type]
                    self.db.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [str(SCHEMA_VERSION)])
        if is_postgres(self.db):
            self.db.learn_identity()

    def _check_sketch_version(self) -> None:
        """Sketches made by another version of the sketching code are made anew, once."""
        stored = self.meta.get("story_sketch_version")
        if stored == str(SKETCH_VERSION):
            return
        if stored is not None and self.count("story_sketches"):
            log.info("story sketches are version %s; rebuilding them as version %d", stored, SKETCH_VERSION)
            self.stories.rebuild(resketch=True)
        self.meta.set("story_sketch_version", str(SKETCH_VERSION))
