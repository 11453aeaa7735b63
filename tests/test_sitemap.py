from __future__ import annotations

import gzip
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_config
from tests.pages import news_page, paragraphs
from tests.webserver import Route, WebServer
from watcher.parse.model import FeedParseError
from watcher.parse.sitemap import newest, parse_sitemap

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>{{BASE}}/2026/11/harbour-dredging-contract.html</loc>
    <news:news><news:publication><news:name>Coast Times</news:name><news:language>en</news:language></news:publication>
    <news:publication_date>2026-11-20T09:30:00+00:00</news:publication_date><news:title>Harbour dredging contract signed</news:title></news:news></url>
  <url><loc>{{BASE}}/2026/11/night-bus-route-returns.html</loc><lastmod>2026-11-19</lastmod></url>
  <url><loc>/2026/11/relative-link-story-here.html</loc></url>
</urlset>"""

INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{{BASE}}/sitemaps/2026-11.xml</loc><lastmod>2026-11-20</lastmod></sitemap>
<sitemap><loc>{{BASE}}/sitemaps/2019-01.xml</loc><lastmod>2019-01-31</lastmod></sitemap>
</sitemapindex>"""


def test_news_sitemap() -> None:
    sm = parse_sitemap(NEWS_SITEMAP.replace(b"{{BASE}}", b"https://coast.example"), "https://coast.example/sitemap.xml")
    first, second, third = sm.entries
    assert first.title == "Harbour dredging contract signed"
    assert first.published == datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
    assert second.published == datetime(2026, 11, 19, tzinfo=timezone.utc)
    assert third.url == "https://coast.example/2026/11/relative-link-story-here.html"
    assert [e.url for e in newest(sm.entries, 1)] == [first.url]


def test_index_and_gzip() -> None:
    sm = parse_sitemap(gzip.compress(INDEX.replace(b"{{BASE}}", b"https://coast.example")), "https://coast.example/s.xml")
    assert sm.children == (
        ("https://coast.example/sitemaps/2026-11.xml", datetime(2026, 11, 20, tzinfo=timezone.utc)),
        ("https://coast.example/sitemaps/2019-01.xml", datetime(2019, 1, 31, tzinfo=timezone.utc)),
    )


@pytest.mark.parametrize("data,message", [
    (b"", "empty response"), (b"<rss version='2.0'><channel/></rss>", "not <urlset>"),
    (gzip.compress(b"\0" * 60_000_000), "larger than 50 MB"),
])
def test_not_a_sitemap(data: bytes, message: str) -> None:
    with pytest.raises(FeedParseError, match=message):
        parse_sitemap(data, "https://coast.example/sitemap.xml")


def test_sitemap_source_end_to_end(web: WebServer, tmp_path: Path) -> None:
    web.route("/sitemap.xml", Route(INDEX, content_type="application/xml"))
    web.route("/sitemaps/2026-11.xml", Route(NEWS_SITEMAP, content_type="application/xml"))
    for slug in ("harbour-dredging-contract", "night-bus-route-returns", "relative-link-story-here"):
        web.route(f"/2026/11/{slug}.html", Route(news_page(slug, paragraphs(slug.replace("-", " ")))))
    config = write_config(tmp_path, [{"id": "coast", "url": web.url("/sitemap.xml")}])  # type detected
    result = run_cli("run", "--once", "--config", str(config))
    assert result.returncode == 0, result.stdout
    assert "/sitemaps/2019-01.xml" in web.hits  # both children read (3 most recent at most)
    conn = sqlite3.connect(tmp_path / "data/watcher.db")
    assert conn.execute("SELECT COUNT(*) FROM articles WHERE summary_only = 0").fetchone()[0] == 3
    assert conn.execute("SELECT type FROM sources").fetchone()[0] == "sitemap"


def test_a_lastmod_with_no_utc_equivalent_is_no_date_and_the_poll_goes_on(web: WebServer, tmp_path: Path) -> None:
    """Year 1 east of UTC and year 9999 west of it are valid W3C dates but have no UTC date: storing one ended
    `watcher run --once` with a traceback. Such a URL is taken undated, beside the others."""
    urls = [("early-lastmod-story", "0001-01-01T00:00:00+05:00"), ("late-lastmod-story", "9999-12-31T23:00:00-05:00"),
            ("plain-lastmod-story", "2026-11-20T09:30:00Z")]
    web.route("/sitemap.xml", Route(("<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                                     + "".join(f"<url><loc>{{{{BASE}}}}/2026/11/{slug}.html</loc><lastmod>{when}</lastmod></url>"
                                               for slug, when in urls) + "</urlset>").encode(),
                                    content_type="application/xml"))
    for slug, _ in urls:
        web.route(f"/2026/11/{slug}.html", Route(news_page(slug, paragraphs(slug.replace("-", " ")))))
    config = write_config(tmp_path, [{"id": "coast", "url": web.url("/sitemap.xml"), "type": "sitemap"}])
    result = run_cli("run", "--once", "--config", str(config))
    assert result.returncode == 0, result.stdout
    conn = sqlite3.connect(tmp_path / "data/watcher.db")
    stored = dict(conn.execute("SELECT url, published FROM entries").fetchall())
    assert {u.rsplit("/", 1)[1] for u in stored} == {f"{slug}.html" for slug, _ in urls}, stored
    assert sorted(map(str, stored.values())) == ["2026-11-20T09:30:00+00:00", "None", "None"], stored


def test_an_index_of_indexes_is_read_one_level_down_and_an_index_naming_itself_is_skipped(
        web: WebServer, tmp_path: Path) -> None:
    """A yearly index of monthly indexes gave no entry, and the poll said ok; so did an index listing itself."""
    web.route("/sitemap.xml", Route(b"<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/"
                                    b"sitemap/0.9'><sitemap><loc>{{BASE}}/sitemap.xml</loc><lastmod>2026-11-21"
                                    b"</lastmod></sitemap><sitemap><loc>{{BASE}}/sitemaps/2026.xml</loc>"
                                    b"<lastmod>2026-11-20</lastmod></sitemap></sitemapindex>",
                                    content_type="application/xml"))
    web.route("/sitemaps/2026.xml", Route(INDEX, content_type="application/xml"))
    web.route("/sitemaps/2026-11.xml", Route(NEWS_SITEMAP, content_type="application/xml"))
    for slug in ("harbour-dredging-contract", "night-bus-route-returns", "relative-link-story-here"):
        web.route(f"/2026/11/{slug}.html", Route(news_page(slug, paragraphs(slug.replace("-", " ")))))
    config = write_config(tmp_path, [{"id": "coast", "url": web.url("/sitemap.xml"), "type": "sitemap"}])
    result = run_cli("run", "--once", "--config", str(config))
    assert result.returncode == 0, result.stdout
    assert "sitemap.xml skipped: it is the index itself or listed before" in result.stdout, result.stdout
    assert web.hits.count("/sitemap.xml") == 1, web.hits
    conn = sqlite3.connect(tmp_path / "data/watcher.db")
    assert conn.execute("SELECT COUNT(*) FROM articles WHERE summary_only = 0").fetchone()[0] == 3


def test_a_reference_to_half_a_surrogate_pair_is_that_entrys_replacement_character() -> None:
    """lxml's recovering parser kept `&#xD800;` as bytes it could not read back: a UnicodeDecodeError that failed
    the whole poll."""
    doc = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
           b"<url><loc>https://coast.example/news/crane-&#xD800;-arrives.html</loc></url>"
           b"<url><loc>https://coast.example/news/ferry-resumes.html</loc></url></urlset>")
    sm = parse_sitemap(doc, "https://coast.example/sitemap.xml")
    assert [e.url for e in sm.entries] == ["https://coast.example/news/crane-\ufffd-arrives.html",
                                           "https://coast.example/news/ferry-resumes.html"]
