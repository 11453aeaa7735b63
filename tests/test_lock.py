"""One process per database: whatever polls or sends holds a lock beside it; readers never write."""

from __future__ import annotations

import hashlib
import signal
import socket
import sqlite3
from pathlib import Path

from tests.conftest import run_cli, run_watcher, write_config
from tests.ops import publish, start_daemon, stop, wait_for
from tests.receivers import WebhookReceiver
from tests.webserver import WebServer

RULES = """\
rules:
  - id: harbours
    title: "Harbour news"
    match:
      keywords: [harbour]
    notify: [hook]
"""


def _config(tmp_path: Path, web: WebServer, hooks: WebhookReceiver) -> Path:
    (tmp_path / "rules.yaml").write_text(RULES)
    return write_config(tmp_path, [{"id": "a", "url": web.url("/a/feed.xml"), "interval": "1h", "baseline": False}],
                        rules="rules.yaml", channels={"hook": {"urls": [f"json://{hooks.base}/alerts"]}})


def _polled(config: Path) -> bool:
    db = config.parent / "data" / "watcher.db"
    if not db.exists():
        return False
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return bool(conn.execute("SELECT COUNT(*) FROM alerts").fetchone()[0])
    except sqlite3.OperationalError:  # tables not made yet
        return False
    finally:
        conn.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_second_poller_or_sender_is_refused_while_the_daemon_runs(web: WebServer, hooks: WebhookReceiver,
                                                                    tmp_path: Path) -> None:
    publish(web, "a", ["harbour-crane-arrives"])
    config = _config(tmp_path, web, hooks)
    log = tmp_path / "daemon.log"
    proc = start_daemon(config, log=log)
    try:
        wait_for(lambda: _polled(config), timeout=90)
        feed_polls = web.hits.count("/a/feed.xml")
        for args in (["run", "--once"], ["replay", "--send"], ["run"]):
            result = run_watcher(*args, "--config", str(config), timeout=60)
            lines = result.stderr.strip().splitlines()
            assert result.returncode == 1, (args, result.stdout, result.stderr)
            assert len(lines) == 1, (args, result.stderr)
            assert f"pid {proc.pid}" in lines[0] and socket.gethostname() in lines[0], lines[0]
        assert web.hits.count("/a/feed.xml") == feed_polls, "a refused process polled anyway"
        assert len(hooks.snapshot()) <= 1, "the one alert was sent twice"

        # readers work beside the daemon
        for args in (["alerts"], ["sources"], ["stories"], ["check"], ["replay"]):
            result = run_cli(*args, "--config", str(config))
            assert result.returncode == 0, (args, result.stderr)
            assert "Traceback" not in result.stderr
        assert "harbours" in run_cli("alerts", "--config", str(config)).stdout
    finally:
        code, _ = stop(proc, signal.SIGTERM)
    assert code == 0, log.read_text()
    assert "Traceback" not in log.read_text()

    # the lock goes with its holder
    again = run_cli("run", "--once", "--config", str(config))
    assert again.returncode == 0, again.stderr


def test_a_killed_daemon_leaves_no_stale_lock(web: WebServer, hooks: WebhookReceiver, tmp_path: Path) -> None:
    publish(web, "a", ["harbour-crane-arrives"])
    config = _config(tmp_path, web, hooks)
    proc = start_daemon(config)
    try:
        wait_for(lambda: _polled(config), timeout=90)
    finally:
        proc.kill()
        proc.wait()
    result = run_cli("run", "--once", "--config", str(config))
    assert result.returncode == 0, result.stderr


def test_readers_never_create_a_database(tmp_path: Path) -> None:
    config = write_config(tmp_path, [{"id": "a", "url": "http://127.0.0.1:9/feed.xml"}])
    for args in (["alerts"], ["sources"], ["stories"]):
        result = run_cli(*args, "--config", str(config))
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        assert len(lines) == 1 and "does not exist" in lines[0], (args, result.stderr)
    assert not (tmp_path / "data").exists(), list((tmp_path / "data").iterdir())
    assert run_cli("check", "--config", str(config)).returncode == 0
    assert not (tmp_path / "data").exists()


def test_readers_never_migrate_an_older_database(tmp_path: Path) -> None:
    from watcher.store.schema import MIGRATIONS

    config = write_config(tmp_path, [{"id": "a", "url": "http://127.0.0.1:9/feed.xml"}])
    db = tmp_path / "data" / "watcher.db"
    db.parent.mkdir()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    import sqlite_utils

    for migrate in MIGRATIONS[:3]:
        migrate(sqlite_utils.Database(conn))
    conn.execute("INSERT INTO meta VALUES ('schema_version', '3')")
    conn.commit()
    conn.close()
    before = _digest(db)
    for args in (["alerts"], ["sources"], ["stories"]):
        result = run_cli(*args, "--config", str(config))
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        assert len(lines) == 1 and "schema version 3" in lines[0], (args, result.stderr)
    assert _digest(db) == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["watcher.db"]
