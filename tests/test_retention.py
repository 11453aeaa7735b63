"""Retention: old article bodies are emptied (everything else stays) and VACUUM runs on its schedule."""

from __future__ import annotations

import signal
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_config
from tests.ops import publish, start_daemon, stop, wait_for
from tests.pages import news_page, rss
from tests.webserver import Route, WebServer
from watcher.config.schema import RetentionConfig
from watcher.store.retention import check_interval, vacuum_due

RULES = """\
rules:
  - id: harbour
    title: "Harbour news"
    match:
      keywords: [harbour]
    notify: [screen]
"""


def older_than_a_second() -> None:
    """Wait until what was stored so far is older than a 1 s retention by the store's clock, which keeps whole
    seconds (a body stored at 10.9 s is kept as 10 s; a cutoff taken at 12.0 s is 11 s): until two whole seconds
    have turned over."""
    now = time.time()
    time.sleep(int(now) + 2 - now)


def query(db: Path, sql: str) -> list[tuple]:
    """Rows of `sql`, read only: a missing file is an OperationalError, never made here before the daemon makes it."""
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize(
    "retention,message",
    [
        ({"bodies": "soon"}, "retention.bodies: 'soon' is not a duration"),
        ({"vacuum": "fortnightly"}, "retention.vacuum: 'fortnightly' is not a vacuum schedule"),
        ({"body": "90d"}, "unknown key 'body' in retention (did you mean 'bodies'?)"),
    ],
)
def test_retention_mistakes_are_reported_with_file_and_line(tmp_path: Path, retention: dict, message: str) -> None:
    config = write_config(tmp_path, [], retention=retention)
    line = next(i for i, text in enumerate(config.read_text().splitlines(), 1) if text.startswith("retention:")) + 1
    result = run_cli("check", "--config", str(config))
    assert result.returncode == 1
    assert result.stderr.strip().startswith(f"{config}:{line}: {message}")
    assert len(result.stderr.strip().splitlines()) == 1


def test_settings_and_schedule() -> None:
    assert RetentionConfig(bodies="90d", vacuum="weekly") == RetentionConfig(bodies=90 * 86400, vacuum=7 * 86400)
    assert RetentionConfig(vacuum="never").vacuum is None
    assert check_interval(RetentionConfig(bodies="90d", vacuum="weekly")) == 3600
    assert check_interval(RetentionConfig(bodies="2s")) == 2
    now = datetime.now(timezone.utc)
    assert vacuum_due(None, now, 86400)
    assert not vacuum_due(now - timedelta(hours=23), now, 86400)
    assert vacuum_due(now - timedelta(hours=25), now, 86400)
    assert not vacuum_due(None, now, None)


def test_old_bodies_are_emptied_and_everything_else_stays(web: WebServer, tmp_path: Path) -> None:
    urls = publish(web, "a", ["harbour-crane-arrives", "harbour-dredging-starts"])
    (tmp_path / "rules.yaml").write_text(RULES)
    sources = [{"id": "a", "url": web.url("/a/feed.xml"), "baseline": False}]
    channels = {"screen": {"urls": ["console://"]}}
    config = write_config(tmp_path, sources, rules="rules.yaml", channels=channels)
    assert run_cli("run", "--once", "--config", str(config)).returncode == 0
    db = tmp_path / "data/watcher.db"
    kept = "SELECT url, title, body_hash, alertable FROM articles ORDER BY url"
    before = query(db, kept)
    counts = "SELECT (SELECT COUNT(*) FROM matches), (SELECT COUNT(*) FROM alerts), (SELECT COUNT(*) FROM entries)"
    assert query(db, counts) == [(2, 2, 2)]

    older_than_a_second()
    publish(web, "a", ["harbour-crane-arrives", "harbour-dredging-starts", "library-opens-late"])
    config = write_config(tmp_path, sources, rules="rules.yaml", channels=channels, retention={"bodies": "1s"})
    result = run_cli("run", "--once", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "retention: emptied the bodies of 2 articles" in result.stdout

    rows = query(db, "SELECT url, body, pruned_at FROM articles ORDER BY url")
    emptied = {url: (body, pruned) for url, body, pruned in rows if url in urls}
    assert all(body == "" and pruned for body, pruned in emptied.values()) and len(emptied) == 2
    [(new_body, new_pruned)] = [(body, pruned) for url, body, pruned in rows if url not in urls]
    assert "Brookfield" in new_body and new_pruned is None  # stored after the cutoff: kept whole
    assert [r for r in query(db, kept) if r[0] in urls] == before  # fingerprints and flags stay
    assert query(db, counts) == [(2, 2, 3)]  # matches, alerts and entries stay

    # the emptied articles are still known: polling the feed again stores nothing new
    assert run_cli("run", "--once", "--config", str(config)).returncode == 0
    assert query(db, "SELECT COUNT(*) FROM articles") == [(3,)]


def long_article(web: WebServer, n: int) -> dict:
    """An article of about 20 KB, so emptying it frees whole database pages."""
    paragraphs = [f"Report {n}, part {i}: the harbour committee heard evidence number {n * 100 + i} about the "
                  f"state of quay {i} and the cost of repairs estimated at {i * 7 + n} thousand pounds this year."
                  for i in range(120)]
    path = f"/long/{n}.html"
    web.route(path, Route(news_page(f"Harbour report {n}", paragraphs)))
    return {"title": f"Harbour report {n}", "link": "{{BASE}}" + path, "guid": f"long-{n}",
            "published": datetime.now(timezone.utc)}


def test_vacuum_compacts_the_file_on_its_schedule(web: WebServer, tmp_path: Path) -> None:
    web.route("/long/feed.xml", Route(rss([long_article(web, n) for n in range(6)]),
                                      content_type="application/rss+xml"))
    sources = [{"id": "long", "url": web.url("/long/feed.xml")}]
    config = write_config(tmp_path, sources)
    assert run_cli("run", "--once", "--config", str(config)).returncode == 0
    db = tmp_path / "data/watcher.db"
    older_than_a_second()

    config = write_config(tmp_path, sources, retention={"bodies": "1s", "vacuum": "never"})
    assert run_cli("run", "--once", "--config", str(config)).returncode == 0
    assert query(db, "SELECT COUNT(*) FROM articles WHERE body = ''") == [(6,)]
    assert query(db, "PRAGMA freelist_count")[0][0] > 0  # emptied bodies left free pages
    assert query(db, "SELECT value FROM meta WHERE key = 'vacuum_last'") == []

    config = write_config(tmp_path, sources, retention={"bodies": "1s", "vacuum": "weekly"})
    result = run_cli("run", "--once", "--config", str(config))
    assert result.returncode == 0
    assert "vacuum: database compacted" in result.stdout
    assert query(db, "PRAGMA freelist_count") == [(0,)]
    [(last,)] = query(db, "SELECT value FROM meta WHERE key = 'vacuum_last'")

    result = run_cli("run", "--once", "--config", str(config))  # within the week: no second VACUUM
    assert "vacuum:" not in result.stdout
    assert query(db, "SELECT value FROM meta WHERE key = 'vacuum_last'") == [(last,)]


def test_the_daemon_prunes_and_vacuums_on_schedule(web: WebServer, tmp_path: Path) -> None:
    publish(web, "a", ["harbour-crane-arrives"])
    config = write_config(tmp_path, [{"id": "a", "url": web.url("/a/feed.xml"), "interval": "1h"}],
                          retention={"bodies": "2s", "vacuum": "2s"})
    db = tmp_path / "data/watcher.db"

    def pruned_and_vacuumed_twice() -> bool:
        try:
            pruned = query(db, "SELECT COUNT(*) FROM articles WHERE pruned_at IS NOT NULL")[0][0]
            vacuums.update(v for (v,) in query(db, "SELECT value FROM meta WHERE key = 'vacuum_last'"))
        except sqlite3.OperationalError:  # not created yet, or busy
            return False
        return pruned == 1 and len(vacuums) >= 2

    vacuums: set[str] = set()
    log = tmp_path / "daemon.log"
    proc = start_daemon(config, log=log)
    try:
        wait_for(pruned_and_vacuumed_twice, timeout=60)
    finally:
        code, _ = stop(proc, signal.SIGTERM)
    assert code == 0, log.read_text()
    assert "retention: emptied the bodies of 1 articles" in log.read_text()
