"""A real PostgreSQL server for the tests: an unprivileged cluster in a temporary folder (initdb, pg_ctl),
listening only on a unix socket in that folder, started once per test session (per xdist worker) and stopped
at its end. Each test gets a database of its own. Without PostgreSQL's binaries (Debian: the `postgresql`
package) the tests that ask for it skip, saying so.

`database` is the fixture the engine-parametrised tests take: a SQLite file, then a postgresql:// URL (as
`database:` in write_config, `database=str(database)`); `query` reads either, with the store's `?` SQL."""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Iterator, Sequence

import pytest

USER = "watcher"  # the cluster's superuser (the tests connect as it, without a password, over the socket)
ENGINES = ["sqlite", "postgresql"]


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, or Debian's /usr/lib/postgresql/N/bin (the newest)."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda f: int(f.split("/")[-2]), reverse=True):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


class PostgresServer:
    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        # under /tmp: a unix socket's path is limited to ~100 bytes, and the cluster's user must reach it
        self.folder = Path(tempfile.mkdtemp(prefix="watcher-pg-", dir="/tmp" if Path("/tmp").is_dir() else None))
        self.data = self.folder / "data"
        self.as_user: dict[str, Any] = {}
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root: the cluster belongs to `nobody`
            nobody = pwd.getpwnam("nobody")
            self.as_user = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
            os.chown(self.folder, nobody.pw_uid, nobody.pw_gid)
        self._names = itertools.count(1)

    def _run(self, *args: str) -> None:
        done = subprocess.run([str(self.bin / args[0]), *args[1:]], capture_output=True, text=True, timeout=120,
                              cwd=self.folder, **self.as_user)
        if done.returncode:
            raise RuntimeError(f"{' '.join(args[:2])} failed ({done.returncode}): {done.stdout}{done.stderr}")

    def start(self) -> PostgresServer:
        self._run("initdb", "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8",
                  "--no-sync")
        options = (f"-c listen_addresses='' -c unix_socket_directories='{self.folder}' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=16MB -c max_connections=40")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-o", options, "-w",
                  "-t", "60", "start")
        return self

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql://{USER}@/{database}?host={self.folder}"

    def new_database(self) -> str:
        """A fresh, empty database: its URL."""
        import psycopg

        name = f"test_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    bin_dir = binaries()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin; "
                    "Debian: apt-get install postgresql): the PostgreSQL runs are skipped")
    server = PostgresServer(bin_dir).start()
    yield server
    close_readers()
    server.stop()


@pytest.fixture(params=ENGINES)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """Where a test's store lives: a SQLite file, or a fresh PostgreSQL database (its URL)."""
    if request.param == "sqlite":
        return tmp_path / "watcher.db"
    return request.getfixturevalue("postgres").new_database()  # type: ignore[no-any-return]


def another_database(request: pytest.FixtureRequest, database: str | Path, folder: Path) -> str | Path:
    """One more empty store on the engine of `database`: a file in `folder`, or a fresh PostgreSQL database."""
    if str(database).startswith("postgresql://"):
        return request.getfixturevalue("postgres").new_database()  # type: ignore[no-any-return]
    return folder / "watcher.db"


_READERS: dict[str, Any] = {}  # the session reading the last PostgreSQL database asked (one at a time)


def _reader(url: str) -> Any:
    """A read-only session on `url`, kept open between reads: a new one costs the server ~15 ms of CPU, and a test
    polling the store every 20 ms would keep a core busy. Autocommit: each read sees what is committed then."""
    from watcher.store.postgres import PostgresDatabase

    if url not in _READERS:
        close_readers()
        _READERS[url] = PostgresDatabase(url, readonly=True, application="watcher tests")
    return _READERS[url]


def close_readers() -> None:
    while _READERS:
        _READERS.popitem()[1].close()


def query(database: str | Path, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """The rows of one read (SQL as the store writes it, `?` placeholders) on a SQLite file or a PostgreSQL URL,
    beside a daemon that may be writing: SQLite is opened read-only (WAL), PostgreSQL by a read-only session.
    A missing table is the engine's error: sqlite3.OperationalError, or a sqlite3.DatabaseError on PostgreSQL."""
    if str(database).startswith("postgresql://"):
        return _reader(str(database)).execute(sql, params).fetchall()
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()
