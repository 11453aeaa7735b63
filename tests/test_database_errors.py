"""A database watcher cannot use is one line and exit 1, and is left exactly as it was."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_config
from tests.ops import publish
from tests.webserver import WebServer
from watcher.store.schema import SCHEMA_VERSION

RULES = "rules:\n  - id: harbours\n    title: Harbours\n    match: {keywords: [harbour]}\n"
WRITERS = (["run", "--once"], ["replay", "--send"], ["stories", "--rebuild"])
READERS = (["alerts"], ["sources"], ["stories"], ["replay"])


def _setup(tmp_path: Path, web: WebServer) -> tuple[Path, Path]:
    publish(web, "a", ["harbour-crane-arrives"])
    (tmp_path / "rules.yaml").write_text(RULES)
    config = write_config(tmp_path, [{"id": "a", "url": web.url("/a/feed.xml"), "baseline": False}],
                          rules="rules.yaml")
    return config, tmp_path / "data" / "watcher.db"


def _digest(db: Path) -> dict[str, str]:
    """Every file of the database (the main file, and a -wal or -shm if there is one), by content."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(db.parent.iterdir())
            if p.name.startswith(db.name) and not p.name.endswith(".lock")}


def _refused(config: Path, args: list[str], words: str) -> str:
    result = run_cli(args[0], "--config", str(config), *args[1:])
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1, (args, result.stdout[-2000:], result.stderr[-2000:])
    assert len(lines) == 1, (args, result.stderr[-2000:])
    assert words in lines[0], (args, lines[0])
    assert "Traceback" not in result.stdout + result.stderr
    return lines[0]


def test_a_garbage_database_file_is_refused_untouched(web: WebServer, tmp_path: Path) -> None:
    config, db = _setup(tmp_path, web)
    db.parent.mkdir()
    db.write_bytes(b"these are not the bytes of a database; " * 300)
    before = _digest(db)
    for args in WRITERS + READERS:
        _refused(config, args, "not a SQLite database")
    assert _digest(db) == before
    assert web.hits == [], "it polled with a database it cannot use"


def test_a_database_from_a_newer_watcher_is_refused_before_anything_is_written(web: WebServer, tmp_path: Path) -> None:
    config, db = _setup(tmp_path, web)
    assert run_cli("run", "--once", "--config", str(config)).returncode == 0
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = DELETE")  # one plain file: any write, even a journal mode change, shows
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    conn.commit()
    conn.close()
    before = _digest(db)
    assert list(before) == ["watcher.db"]
    hits = len(web.hits)
    for args in WRITERS + READERS + (["sources", "enable", "a"],):
        _refused(config, args, "newer than this watcher")
    assert _digest(db) == before
    assert len(web.hits) == hits


def _hold_lock(db: Path, first: str = "") -> subprocess.Popen[str]:
    """Another program holding a write lock on `db` (after its statements `first`) until it is killed."""
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys, time\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        f"{first}"
        "c.execute('BEGIN EXCLUSIVE')\n"
        "print('locked', flush=True)\n"
        "time.sleep(300)\n"), str(db)], stdout=subprocess.PIPE, text=True)
    if holder.stdout is None or holder.stdout.readline().strip() != "locked":
        holder.kill()
        holder.wait()
        raise AssertionError("the program meant to hold the lock did not take it")
    return holder


def test_a_database_another_program_holds_locked_is_one_line_and_unchanged(web: WebServer, tmp_path: Path) -> None:
    config, db = _setup(tmp_path, web)
    assert run_cli("run", "--once", "--config", str(config)).returncode == 0
    counts = "SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM alerts), (SELECT last_poll_at FROM sources)"
    conn = sqlite3.connect(db)
    before = conn.execute(counts).fetchone()
    conn.close()
    holder = _hold_lock(db, "c.execute('PRAGMA locking_mode = EXCLUSIVE')\n")
    try:
        hits = len(web.hits)
        for args in (["run", "--once"], ["alerts"], ["replay", "--send"]):
            start = time.monotonic()
            _refused(config, args, "another program holds a lock on it")
            assert time.monotonic() - start < 60
        assert len(web.hits) == hits, "it polled without a database to store into"
    finally:
        holder.kill()
        holder.wait()
    conn = sqlite3.connect(db)
    assert conn.execute(counts).fetchone() == before
    conn.close()


def test_a_write_refused_by_another_programs_lock_after_opening_is_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lock is taken after the command opened the database (a reader may open; its write may not): `rules mute`
    (as `sources enable`, `replay --send`) ended in a sqlite3 traceback."""
    import watcher.store.db
    from watcher.store import Store

    monkeypatch.setattr(watcher.store.db, "BUSY_WAIT", 0.5)
    (tmp_path / "rules.yaml").write_text(RULES)
    config = write_config(tmp_path, [{"id": "a", "url": "https://a.example/feed.xml"}], rules="rules.yaml")
    db = tmp_path / "data" / "watcher.db"
    Store(db).close()
    holder = _hold_lock(db)  # readers may still open it (WAL), writers wait
    try:
        for args in (["rules", "mute", "harbours"], ["rules", "mute", "harbours", "--off"]):
            _refused(config, args, "cannot write to the database: another program holds a lock on it")
    finally:
        holder.kill()
        holder.wait()
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM rule_mutes").fetchone() == (0,)
    conn.close()
    assert run_cli("rules", "mute", "harbours", "--config", str(config)).returncode == 0


def test_a_write_to_a_read_only_database_is_one_line(tmp_path: Path) -> None:
    """A database file that cannot be written (`rules mute`, `stories --rebuild`, `replay --send` on it) was a
    sqlite3 traceback; reading it still works."""
    import os

    from watcher.store import Store

    (tmp_path / "rules.yaml").write_text(RULES)
    config = write_config(tmp_path, [{"id": "a", "url": "https://a.example/feed.xml"}], rules="rules.yaml")
    db = tmp_path / "data" / "watcher.db"
    Store(db).close()
    immutable = os.geteuid() == 0 and subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode == 0
    if not immutable:
        db.chmod(0o444)
    try:
        try:
            db.open("r+b").close()
            pytest.skip("cannot make a file read-only here (root without chattr)")
        except PermissionError:
            pass
        before = db.read_bytes()
        for args in (["rules", "mute", "harbours"], ["stories", "--rebuild"]):
            _refused(config, args, "cannot write to the database: the file (or its folder) is read-only")
        assert db.read_bytes() == before
        assert run_cli("rules", "--config", str(config)).returncode == 0
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(db)], check=True)
        db.chmod(0o644)


def test_a_database_that_names_a_folder_says_so(tmp_path: Path) -> None:
    """`database:` naming a folder: the readers said it 'does not exist yet', `run --once` 'unable to open'."""
    (tmp_path / "rules.yaml").write_text(RULES)
    config = write_config(tmp_path, [{"id": "a", "url": "https://a.example/feed.xml"}], database="data",
                          rules="rules.yaml")
    (tmp_path / "data").mkdir()
    for args in (*READERS, ["run", "--once"]):
        line = _refused(config, args, f"database {tmp_path / 'data'} is a folder, not a database file")
        assert "does not exist yet" not in line, line
    assert list((tmp_path / "data").iterdir()) == []
