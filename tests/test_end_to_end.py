"""Three fictional outlets on a real local server, polled by the real `watcher` command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import FIXTURES, run_cli, run_watcher, write_config
from tests.postgres import query as rows
from watcher.demo.server import OutletServer

OUTLETS = FIXTURES / "outlets"
MANIFEST = json.loads((OUTLETS / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture
def outlets() -> Iterator[OutletServer]:
    with OutletServer(OUTLETS) as server:
        yield server


def configure(tmp_path: Path, base: str, database: str | Path = "data/watcher.db") -> Path:
    sources = [
        {"id": s["source_id"], "url": base + s["path"], "type": s["type"]}
        for s in MANIFEST["feeds"] + MANIFEST["pages"]
    ]
    return write_config(tmp_path, sources, database=str(database))


def test_each_article_stored_once_with_a_clean_body(outlets: OutletServer, tmp_path: Path, database: str | Path) -> None:
    """On both engines: a SQLite file and a PostgreSQL database."""
    config = configure(tmp_path, outlets.base, database)
    first = run_cli("run", "--once", "--config", str(config))
    assert first.returncode == 0, first.stdout + first.stderr
    db = database

    stored = {
        url.removeprefix(outlets.base): (title, author, body, published, alertable, summary_only)
        for url, title, author, body, published, alertable, summary_only in rows(
            db, "SELECT url, title, author, body, published, alertable, summary_only FROM articles")
    }
    expected = {a["path"]: a for a in MANIFEST["articles"]}
    assert len(expected) == MANIFEST["distinct_article_count"]
    assert set(stored) == set(expected), "every article once, under its clean URL, and nothing else"

    for path, article in expected.items():
        title, author, body, published, alertable, summary_only = stored[path]
        for sentence in article["must_contain"]:
            assert sentence in body, f"{path}: missing article sentence {sentence[:60]!r}"
        for junk in article["must_not_contain"]:
            assert junk not in body, f"{path}: navigation/teaser/comment text in body: {junk[:60]!r}"
        assert summary_only == 0
        assert article["title"] in title
        assert author == article["author"]
        assert (published or "")[:10] == article["date"]
        assert alertable == 0, "first poll of a new source is a baseline"

    # the syndicated story reached through two tracking-laden URLs is one article, two entries
    [(article_id, entries)] = rows(
        db, "SELECT article_id, COUNT(*) FROM entries WHERE canonical_url LIKE '%port-strike-ends.html' GROUP BY article_id")
    assert entries == 2
    assert rows(db, "SELECT COUNT(*) FROM articles WHERE url LIKE '%port-strike-ends%'") == [(1,)]

    # the page source yields its three articles, none of its section or navigation links
    courier = {u.removeprefix(outlets.base) for (u,) in rows(db, "SELECT url FROM articles WHERE source_id = 'valley-courier'")}
    assert courier == set(MANIFEST["page_articles"]["/courier/news/index.html"])

    hits_before = len(outlets.requests)
    second = run_cli("run", "--once", "--config", str(config))
    assert second.returncode == 0
    assert rows(db, "SELECT COUNT(*) FROM articles") == [(len(expected),)]
    assert "3 sources (3 ok, 0 failing), 0 new articles" in second.stdout
    article_fetches = [r for r in outlets.requests[hits_before:] if "/2026/" in r]
    assert article_fetches == [], "known articles are not fetched again"

    listing = run_cli("sources", "--json", "--config", str(config))
    assert listing.returncode == 0
    table = {r["id"]: r for r in json.loads(listing.stdout)}
    assert {k: (v["health"], v["articles"]) for k, v in table.items()} == {  # status: ok, or unchanged (same bytes)
        "harbour-gazette": ("ok", 4), "northern-ledger": ("ok", 3), "valley-courier": ("ok", 3)}
    assert all(v["last_poll"] and v["next_poll"] for v in table.values())


def test_page_source_that_advertises_a_feed_says_so(outlets: OutletServer, tmp_path: Path) -> None:
    config = write_config(tmp_path, [{"id": "courier", "url": outlets.base + "/courier/with-feed/index.html", "type": "page"}])
    result = run_cli("run", "--once", "--config", str(config))
    assert result.returncode == 0
    assert f"source courier: page advertises a feed {outlets.base}/courier/feed.xml" in result.stdout
    plain = write_config(tmp_path, [{"id": "courier", "url": outlets.base + "/courier/news/index.html", "type": "page"}])
    again = run_cli("run", "--once", "--config", str(plain))
    assert "advertises a feed" not in again.stdout


def test_demo_runs_without_network(tmp_path: Path) -> None:
    result = run_watcher("demo", "--data-dir", "demo", cwd=tmp_path)  # a relative folder (failed at the watched page)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "demo" / "watched-page.db").is_file() and not (tmp_path / "demo" / "demo").exists()
    demo = json.loads((Path(__file__).parents[1] / "watcher/demo/outlets/manifest.json").read_text())
    assert f"{len(demo['articles'])} articles stored from {len(demo['feeds']) + len(demo.get('pages', []))} outlets" in result.stdout
    assert "Veretsky" in result.stdout
    alerts = [line for line in result.stdout.splitlines() if line.startswith("=== ")]
    assert len([a for a in alerts if "Veretsky" in a]) == 1, "one alert for the story told three ways"
    # the watched page changes during the demo: one alert, with the previous value and the diff
    assert "=== Harbour: stranded passengers passed 1,000 ===" in alerts, alerts
    assert "crossed: was 640, now 1,250" in result.stdout
    assert "+ Officials said **1,250** passengers were stranded" in result.stdout
    titles = {a["path"]: a["title"] for a in demo["articles"]}
    alert_list = result.stdout.split("printed above through the console:// channel:")[1].split("matched no rule")[0]
    assert "2 later outlets attached" in alert_list
    assert titles[demo["older_story"]][:40] not in alert_list
    story_list = result.stdout.split(" stories:\n")[1].split("\n\n")[0]
    assert "[3 from Continental Observer, NewsFlash Hub, The Meridian Post]" in story_list
    assert "joined as rewrite" in story_list  # the synonym-swapped copy and its original, stored in either order
