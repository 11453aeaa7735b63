"""Hostile and broken sources: each fails alone, the others are polled, nothing stored is lost."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from tests.conftest import run_cli, write_config
from tests.pages import news_page, paragraphs, rss
from tests.webserver import Route, WebServer


def count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def good_feed(web: WebServer, n: int) -> None:
    items = []
    for i in range(n):
        path = f"/good/2026/11/story-number-{i}-about-things.html"
        web.route(path, Route(news_page(f"Good story {i}", paragraphs(f"harbour wall project phase {i}"))))
        items.append({"title": f"Good story {i}", "link": "{{BASE}}" + path, "guid": f"good-{i}",
                      "published": datetime(2026, 11, 20, 8, i, tzinfo=timezone.utc)})
    web.route("/good/feed.xml", Route(rss(items), content_type="application/rss+xml"))


def test_broken_sources_fail_alone_and_lose_nothing(web: WebServer, tmp_path: Path) -> None:
    good_feed(web, 2)
    # every bad source starts healthy with one article, then turns bad on the second poll
    bad_names = ["html", "empty", "invalid", "encoding", "huge", "silent"]
    for name in bad_names:
        path = f"/{name}/2026/11/first-article-of-{name}-outlet.html"
        web.route(path, Route(news_page(f"First of {name}", paragraphs(f"{name} bridge repairs"))))
        web.route(f"/{name}/feed.xml", Route(rss([{"title": f"First of {name}", "link": "{{BASE}}" + path, "guid": f"{name}-1"}])))
    sources = [{"id": "good", "url": web.url("/good/feed.xml")}] + [
        {"id": n, "url": web.url(f"/{n}/feed.xml")} for n in bad_names
    ]
    config = write_config(tmp_path, sources, defaults={"interval": "15m", "timeout": "3s"},
                          http={"allow_private": True, "max_bytes": "2MB"})
    first = run_cli("run", "--once", "--config", str(config))
    assert first.returncode == 0, first.stderr
    db = tmp_path / "data/watcher.db"
    assert count(db, "SELECT COUNT(*) FROM articles") == 2 + len(bad_names)

    good_feed(web, 4)  # the good source publishes two more
    page = news_page("Not a feed", paragraphs("home page"))
    page = page.replace(b"</head>", b'<link rel="alternate" type="application/rss+xml" href="/html/real-feed.xml"></head>')
    web.route("/html/feed.xml", Route(page, content_type="text/html"))
    web.route("/empty/feed.xml", Route(b""))
    web.route("/invalid/feed.xml", Route(b"<?xml version='1.0'?><rss version='2.0'><channel><item><title>Broken",
                                         content_type="application/xml"))
    web.route("/encoding/feed.xml", Route(
        rss([{"title": "Кириллица в заголовке", "link": "{{BASE}}/encoding/2026/11/first-article-of-encoding-outlet.html",
              "guid": "encoding-1"}]).decode().encode("windows-1251"),
        content_type="application/rss+xml; charset=utf-8"))
    web.route("/huge/feed.xml", Route(b"<rss>" + b"<!-- padding -->" * 330_000 + b"</rss>"))  # about 5 MB
    web.route("/silent/feed.xml", Route(b"", hang=30))

    second = run_cli("run", "--once", "--config", str(config))
    assert second.returncode == 0, second.stderr
    log = second.stdout
    assert "source html: parse: not a feed: the URL serves an HTML page; it advertises the feed " in log
    assert f"{web.base}/html/real-feed.xml" in log
    assert "source empty: parse: empty response" in log
    assert "source invalid: parse:" in log
    assert "source huge: too_large:" in log
    assert "source silent: timeout:" in log
    assert "source good: ok, 4 entries, 2 new articles" in log
    assert "Traceback" not in log + second.stderr
    # nothing stored before is lost; the good source's two new articles arrived
    assert count(db, "SELECT COUNT(*) FROM articles") == 4 + len(bad_names)
    statuses = dict(sqlite3.connect(db).execute("SELECT id, last_status FROM sources").fetchall())
    assert statuses == {"good": "ok", "html": "parse", "empty": "parse", "invalid": "parse",
                        "encoding": "ok", "huge": "too_large", "silent": "timeout"}

    listing = run_cli("sources", "--config", str(config))
    assert listing.returncode == 0
    assert "exceeds the 2000000-byte cap" in listing.stdout


def test_page_that_cannot_be_fetched_keeps_the_feed_text(web: WebServer, tmp_path: Path) -> None:
    summary = "The ferry operator said on Friday that winter sailings would be cut from four a day to two."
    web.route("/feed.xml", Route(rss([{"title": "Ferry cuts", "link": "{{BASE}}/2026/11/ferry-cuts-winter.html",
                                       "guid": "f-1", "summary": summary}])))
    web.route("/2026/11/ferry-cuts-winter.html", Route(b"oops", status=503))
    config = write_config(tmp_path, [{"id": "ferry", "url": web.url("/feed.xml")}])
    result = run_cli("run", "--once", "--config", str(config))
    assert result.returncode == 0
    conn = sqlite3.connect(tmp_path / "data/watcher.db")
    body, summary_only, error = conn.execute("SELECT body, summary_only, extract_error FROM articles").fetchone()
    assert body == summary and summary_only == 1 and error == "HTTP 503"


def test_a_feed_that_first_served_an_html_page_is_read_as_a_feed_when_it_comes_back(
        web: WebServer, tmp_path: Path) -> None:
    """A source without `type:` whose first poll got an HTML page (a bot check) was detected as a page and kept
    so: when its feed came back, every poll read it as a page, an "ok" of 0 entries, and no entry was read."""
    web.route("/good/feed.xml", Route(b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
                                      b"<p>Checking your browser before accessing the site.</p></body></html>"))
    config = write_config(tmp_path, [{"id": "good", "url": web.url("/good/feed.xml")}])
    db = tmp_path / "data/watcher.db"
    assert run_cli("run", "--once", "--config", str(config)).returncode == 0
    assert count(db, "SELECT COUNT(*) FROM sources WHERE type = 'page'") == 1

    good_feed(web, 3)  # the feed is back, at the same URL
    done = run_cli("run", "--once", "--config", str(config))
    assert done.returncode == 0, done.stdout + done.stderr
    assert count(db, "SELECT COUNT(*) FROM entries") == 3, done.stdout + done.stderr
    assert count(db, "SELECT COUNT(*) FROM sources WHERE type = 'feed'") == 1
    # the entries it lists on coming back are its baseline, as on a first poll: not an alert each
    assert count(db, "SELECT COUNT(*) FROM articles WHERE alertable = 1") == 0, done.stdout + done.stderr


def test_a_watched_page_made_a_feed_at_the_same_url_takes_what_it_lists_as_a_baseline(
        web: WebServer, tmp_path: Path) -> None:
    """A source changed from `type: watch` to `type: feed` at the same URL: the watch's ETag got a 304 and the feed
    was not read until it changed; then every entry it listed was new, an alert each."""
    web.route("/good/feed.xml", Route(news_page("Harbour figures", paragraphs("harbour wall repairs")), etag='"w1"'))
    config = write_config(tmp_path, [{"id": "good", "url": web.url("/good/feed.xml"), "type": "watch"}])
    db = tmp_path / "data/watcher.db"
    assert run_cli("run", "--once", "--config", str(config)).returncode == 0
    good_feed(web, 3)
    web.routes["/good/feed.xml"].etag = '"w1"'  # the same validator: it must not be sent for another kind
    config.write_text(config.read_text().replace("type: watch", "type: feed"), encoding="utf-8")
    done = run_cli("run", "--once", "--config", str(config))
    assert done.returncode == 0, done.stdout + done.stderr
    assert count(db, "SELECT COUNT(*) FROM entries") == 3, done.stdout + done.stderr
    assert count(db, "SELECT COUNT(*) FROM articles WHERE alertable = 1") == 0, done.stdout + done.stderr
    assert "3 baseline" in done.stdout, done.stdout

    good_feed(web, 4)  # its next entry is news
    done = run_cli("run", "--once", "--config", str(config))
    assert count(db, "SELECT guid FROM articles WHERE alertable = 1") == "good-3", done.stdout + done.stderr


def test_a_feed_that_served_an_html_page_for_a_while_alerts_on_what_it_published_meanwhile(
        web: WebServer, tmp_path: Path) -> None:
    """A feed that served an HTML page for a poll (a bot check) lists, when it comes back, the entries stored
    before: its new ones are news, not a baseline."""
    good_feed(web, 2)
    config = write_config(tmp_path, [{"id": "good", "url": web.url("/good/feed.xml")}])
    db = tmp_path / "data/watcher.db"
    assert run_cli("run", "--once", "--config", str(config)).returncode == 0
    web.route("/good/feed.xml", Route(b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
                                      b"<p>Checking your browser before accessing the site.</p></body></html>"))
    assert run_cli("run", "--once", "--config", str(config)).returncode == 0
    good_feed(web, 3)
    done = run_cli("run", "--once", "--config", str(config))
    assert count(db, "SELECT COUNT(*) FROM entries") == 3, done.stdout + done.stderr
    assert count(db, "SELECT COUNT(*) FROM articles WHERE alertable = 1") == 1, done.stdout + done.stderr
