from __future__ import annotations

from watcher.parse.html import advertised_feeds
from watcher.parse.page import discover_links

FRONT = b"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>News - Lakeside Post</title></head>
<body>
<header><a href="/">Lakeside Post</a>
  <nav><a href="/news/">News</a> <a href="/sport/">Sport</a> <a href="/opinion/">Opinion</a>
  <a href="/2026/11/nav-pinned-story-about-elections.html">Elections live</a></nav></header>
<div class="cookie-banner">We use cookies. <a href="/privacy-and-cookie-policy-details">Read our policy</a></div>
<main>
  <h1>News</h1>
  <div class="card"><a href="/2026/11/ferry-timetable-cut-for-winter.html"><img src="/img/ferry.jpg"></a>
    <h2><a href="/2026/11/ferry-timetable-cut-for-winter.html">Ferry timetable cut for winter</a></h2>
    <p>Two sailings a day will go from December.</p></div>
  <div class="card"><h2><a href="https://www.lakeside.example/news/school-roof-repairs-finished?utm_source=home">School roof repairs finished</a></h2></div>
  <div class="card"><h2><a href="/articles/483920">Mayor answers residents' questions</a></h2></div>
  <a href="/sport/">More sport</a>
  <a href="/tag/weather">Weather</a>
  <a href="https://other-site.example.com/2026/11/unrelated-story-elsewhere.html">Partner story</a>
  <a href="/2026/11/ferry-timetable-cut-for-winter.html#comments">12 comments</a>
</main>
<aside class="most-read"><a href="/2026/11/old-bridge-story-most-read.html">Most read</a></aside>
<footer><a href="/about-us-and-our-history">About</a></footer>
</body></html>"""


def test_article_links_found_and_navigation_skipped() -> None:
    links = discover_links(FRONT, "https://lakeside.example/news/")
    urls = [l.url for l in links]
    assert urls == [
        "https://lakeside.example/2026/11/ferry-timetable-cut-for-winter.html",
        "https://www.lakeside.example/news/school-roof-repairs-finished?utm_source=home",
        "https://lakeside.example/articles/483920",
    ]
    assert links[0].title == "Ferry timetable cut for winter"  # the headline, not the image link's empty text


def test_no_feed_advertised_and_one_advertised() -> None:
    assert advertised_feeds(FRONT, "https://lakeside.example/news/") == []
    with_feed = FRONT.replace(b"</head>", b'<link rel="alternate" type="application/rss+xml" href="/news/feed.xml"></head>')
    assert advertised_feeds(with_feed, "https://lakeside.example/news/") == ["https://lakeside.example/news/feed.xml"]


def test_garbage_is_no_links() -> None:
    assert discover_links(b"", "https://x.example/") == ()
    assert discover_links(b"\x00\x01\x02", "https://x.example/") == ()


def test_link_titles_are_read_in_the_charset_the_header_gives() -> None:
    """A page whose charset is only in the Content-Type header: its link titles were read as Latin-1 (lxml's
    default), so a UTF-8 or KOI8-R headline became mojibake. A `<meta>` charset, a BOM and UTF-8 bytes still win."""
    page = ('<html><body><main><h2><a href="/2026/11/ferry-timetable-cut-for-winter.html">Паромное расписание '
            'сокращено на зиму</a></h2></main></body></html>')
    title = "Паромное расписание сокращено на зиму"
    url = "https://lakeside.example/news/"
    assert discover_links(page.encode(), url, "text/html; charset=utf-8")[0].title == title
    assert discover_links(page.encode(), url, "text/html")[0].title == title  # UTF-8 bytes, no charset at all
    assert discover_links(page.encode("koi8-r"), url, 'text/html; charset="KOI8-R"')[0].title == title
    assert discover_links(page.encode(), url, "text/html; charset=iso-8859-1")[0].title == title  # a lying header
    meta = page.replace("<html>", '<html><head><meta charset="windows-1251"></head>').encode("cp1251")
    assert discover_links(meta, url, "text/html")[0].title == title
    assert discover_links(page.encode("utf-16"), url, "text/html; charset=utf-8")[0].title == title
    xhtml = ('<?xml version="1.0" encoding="utf-8"?>' + page).encode()
    assert discover_links(xhtml, url, "application/xhtml+xml")[0].title == title
    assert discover_links(page.encode("cp1251"), url, "text/html; charset=no-such-charset") != ()  # read somehow


def test_each_element_is_judged_once_however_many_links_it_holds() -> None:
    """Every link walked all its ancestors again: 20,000 links 250 elements deep (1.3 MB) were about 13 s of
    CPU at every poll of the page. The links found are the same: those inside a menu are still skipped."""
    import time

    links = b"".join(b'<a href="/2026/11/harbour-story-number-%d">Harbour story %d</a>' % (i, i) for i in range(20_000))
    menu = b'<div class="menu"><a href="/2026/11/menu-pinned-story-here">Pinned</a></div>'
    page = b"<html><body>" + b'<div class="wrap">' * 250 + links + menu + b"</div>" * 250 + b"</body></html>"
    started = time.process_time()
    found = discover_links(page, "https://lakeside.example/news/")
    spent = time.process_time() - started
    assert len(found) == 20_000 and found[-1].url == "https://lakeside.example/2026/11/harbour-story-number-19999"
    assert spent < 5.0, f"{spent:.1f}s of CPU to read the links"
