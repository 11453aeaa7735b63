from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.conftest import run_cli, write_config
from tests.pages import news_page, paragraphs, rss
from tests.webserver import Route, WebServer

NOW = datetime.now(timezone.utc)


def publish(web: WebServer, prefix: str, stories: list[tuple[str, datetime]]) -> None:
    items = []
    for slug, when in stories:
        path = f"/{prefix}/2026/11/{slug}.html"
        web.route(path, Route(news_page(slug.replace("-", " "), paragraphs(slug.replace("-", " ")))))
        items.append({"title": slug, "link": "{{BASE}}" + path, "guid": f"{prefix}-{slug}", "published": when})
    web.route(f"/{prefix}/feed.xml", Route(rss(items)))


def alertable(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT url, alertable FROM articles").fetchall()
    conn.close()
    return {url.rsplit("/", 1)[1].removesuffix(".html"): flag for url, flag in rows}


def test_first_poll_is_a_baseline_unless_turned_off(web: WebServer, tmp_path: Path) -> None:
    old = NOW - timedelta(days=2)
    publish(web, "a", [("old-news-from-tuesday", old)])
    publish(web, "b", [("old-news-from-monday", old)])
    config = write_config(tmp_path, [
        {"id": "a", "url": web.url("/a/feed.xml")},
        {"id": "b", "url": web.url("/b/feed.xml"), "baseline": False},
    ])
    assert run_cli("run", "--once", "--config", str(config)).returncode == 0
    db = tmp_path / "data/watcher.db"
    assert alertable(db) == {"old-news-from-tuesday": 0, "old-news-from-monday": 1}

    # published after the source was added, seen on a later poll: alerts
    publish(web, "a", [("old-news-from-tuesday", old), ("fresh-news-this-morning", NOW + timedelta(minutes=1))])
    assert run_cli("run", "--once", "--config", str(config)).returncode == 0
    assert alertable(db)["fresh-news-this-morning"] == 1


def test_daemon_polls_on_schedule_and_stops_cleanly_on_sigterm(web: WebServer, tmp_path: Path) -> None:
    publish(web, "a", [("council-meets-tonight", NOW)])
    config = write_config(tmp_path, [{"id": "a", "url": web.url("/a/feed.xml"), "interval": "2s"}])
    proc = subprocess.Popen([sys.executable, "-m", "watcher", "run", "--config", str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while web.hits.count("/a/feed.xml") < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert web.hits.count("/a/feed.xml") >= 3, "the daemon polled at its interval"
        proc.send_signal(signal.SIGTERM)
        start = time.monotonic()
        out, _ = proc.communicate(timeout=30)
        took = time.monotonic() - start
        assert proc.returncode == 0, out
        assert took < 10, f"took {took:.1f}s to stop: `docker stop` would have killed it"
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "stop requested" in out and "stopped" in out
    assert "Traceback" not in out
    conn = sqlite3.connect(tmp_path / "data/watcher.db")
    assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 1
    assert conn.execute("SELECT last_status FROM sources").fetchone()[0] in ("ok", "unchanged")  # same bytes: not parsed again


def test_restart_does_not_repoll_early(web: WebServer, tmp_path: Path) -> None:
    publish(web, "a", [("quiet-day-at-the-harbour", NOW)])
    config = write_config(tmp_path, [{"id": "a", "url": web.url("/a/feed.xml"), "interval": "1h"}])
    assert run_cli("run", "--once", "--config", str(config)).returncode == 0
    hits = web.hits.count("/a/feed.xml")
    log = tmp_path / "daemon.log"
    with log.open("w") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "watcher", "run", "--config", str(config)],
                                stdout=sink, stderr=subprocess.STDOUT, text=True)
    try:
        # the signal handlers are in place once the daemon says it is watching; an early poll would come right then
        deadline = time.monotonic() + 60
        while "watching 1 sources" not in log.read_text() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "watching 1 sources" in log.read_text(), log.read_text()
        time.sleep(2)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    out = log.read_text()
    assert proc.returncode == 0, out
    assert web.hits.count("/a/feed.xml") == hits  # next poll is an hour after the last one
