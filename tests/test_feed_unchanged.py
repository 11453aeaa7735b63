"""A changed feed's entries stored before, byte for byte the same, are not read again: the entries read are read
exactly as in the whole document, every listed entry still counts (its date, its key once), and where that
cannot be made sure the whole document is read."""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_config
from tests.pages import news_page, paragraphs
from tests.webserver import Route, WebServer
from watcher.fetch import Response
from watcher.parse.items import Listing, read_listing
from watcher.parse.model import FeedParseError
from watcher.parse.unchanged import ItemMemory, feed_layout
from watcher.source.schedule import adapted_interval

URL = "https://harbour.example/feeds/news.xml"
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "feed-corpus"


def item(k: int, *, text: str = "", link: str | None = None, guid: str | None = "") -> str:
    when = format_datetime(T0 + timedelta(hours=3 * k), usegmt=True)
    guid_tag = "" if guid is None else f"<guid isPermaLink=\"false\">{guid or f'harbour-{k}'}</guid>"
    link_tag = f"<link>{link}</link>" if link else ""
    return (f"<item><title>Harbour notice {k}</title>{link_tag}{guid_tag}<pubDate>{when}</pubDate>"
            f"<dc:creator>Ana Ruiz</dc:creator><description><![CDATA[<p>The harbour board met for the {k}th time."
            f"{text}</p>]]></description></item>")


def feed(*items: str, channel: str = "<channel>", root: str = "<rss version=\"2.0\" "
         "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">", build: str = "Mon, 23 Nov 2026 08:00:00 GMT") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?>{root}{channel}<title>Harbour news</title>'
            f"<lastBuildDate>{build}</lastBuildDate><ttl>30</ttl><language>en-gb</language>"
            f"{''.join(items)}</channel></rss>").encode()


def read(data: bytes, memory: bytes | None = None, content_type: str | None = "application/rss+xml",
         url: str = URL) -> Listing:
    return read_listing("harbour", "feed", Response(url, 200, {"content-type": content_type} if content_type else {},
                                                    data, 0.1), memory)


def remembered(listing: Listing, keys: set[str] | None = None) -> bytes:
    assert listing.seen is not None, "the feed's entries should be remembered"
    return listing.seen.memory({c.key for c in listing.items} if keys is None else keys)


def same_reading(part: Listing, whole: Listing) -> None:
    """`part` (read with some entries remembered) lists what `whole` lists, and reads its entries as `whole` does."""
    by_key = {c.key: c for c in whole.items}
    for c in part.items:
        assert c == by_key[c.key], (c, by_key.get(c.key))
        assert part.html[c.key] == whole.html[c.key]
    assert part.listed == whole.listed
    assert sorted(map(str, part.dates())) == sorted(map(str, whole.dates()))
    assert adapted_interval(part.dates()) == adapted_interval(whole.dates())
    assert part.feed_interval == whole.feed_interval and part.kind == whole.kind and part.bozo == whole.bozo


def unread(listing: Listing) -> int:
    return len(listing.seen.unread) if listing.seen else 0


def test_a_changed_feed_reads_only_its_new_and_changed_entries_and_lists_them_all() -> None:
    first = read(feed(*(item(k) for k in range(5, 0, -1))))
    assert [c.key for c in first.items] == [f"harbour-{k}" for k in range(5, 0, -1)] and unread(first) == 0
    # a new entry on top, one entry's text corrected, the channel's build date moved
    changed = feed(item(6), item(5), item(4, text=" Corrected: the meeting was on Tuesday."), item(3), item(2),
                   item(1), build="Tue, 24 Nov 2026 09:00:00 GMT")
    second = read(changed, remembered(first))
    assert [c.key for c in second.items] == ["harbour-6", "harbour-4"]
    assert unread(second) == 4
    same_reading(second, read(changed))
    assert second.items[0].language == "en"  # the channel's own values hold for the entries read


def test_entries_left_waiting_are_read_again_until_they_are_stored() -> None:
    data = feed(*(item(k) for k in range(4, 0, -1)))
    first = read(data)
    stored_two = remembered(first, {"harbour-4", "harbour-3"})  # the others waited (max_new_per_poll)
    again = read(data, stored_two)
    # (the document's first entry is always read)
    assert [c.key for c in again.items] == ["harbour-4", "harbour-2", "harbour-1"] and unread(again) == 1
    same_reading(again, first)
    assert ItemMemory.from_bytes(remembered(again)) is not None
    assert len(ItemMemory.from_bytes(remembered(again)).entries) == 4  # type: ignore[union-attr]


@pytest.mark.parametrize("change", ["xml:base", "namespace", "url", "content-type"])
def test_what_an_entrys_reading_depends_on_outside_it_makes_every_entry_read_again(change: str) -> None:
    items = [item(k, link=f"news/{k}.html", guid=None) for k in (3, 2, 1)]  # relative links: keys from the base
    before = feed(*items, channel='<channel xml:base="https://harbour.example/a/">')
    first = read(before)
    assert [c.key for c in first.items][0] == "https://harbour.example/a/news/3.html"
    after, kwargs = before, {}
    if change == "xml:base":
        after = feed(*items, channel='<channel xml:base="https://harbour.example/b/">')
    elif change == "namespace":
        after = before.replace(b"http://purl.org/dc/elements/1.1/", b"http://purl.org/dc/terms/")
    elif change == "url":
        kwargs = {"url": "https://harbour.example/moved/news.xml"}
    else:
        kwargs = {"content_type": "application/xml"}
    second = read(after, remembered(first), **kwargs)  # type: ignore[arg-type]
    assert unread(second) == 0 and len(second.items) == 3
    same_reading(second, read(after, **kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize("name, data", [
    ("doctype", b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY h "harbour">]><rss version="2.0"><channel>'
                b"<item><guid>a</guid><title>&h;</title></item></channel></rss>"),
    ("empty entry", b'<rss version="2.0"><channel><item><guid>a</guid></item><item/></channel></rss>'),
    ("nested entry", b'<rss version="2.0"><channel><item><guid>a</guid><item><guid>b</guid></item></item>'
                     b"</channel></rss>"),
    ("two channels", b'<rss version="2.0"><channel><item><guid>a</guid></item></channel><channel/></rss>'),
    ("item outside the channel", b'<rss version="0.91"><channel/><item><guid>a</guid></item></rss>'),
    ("unknown root", b"<news><item><guid>a</guid></item></news>"),
    ("utf-16", '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><item><guid>a</guid>'
               "</item></channel></rss>".encode("utf-16")),
    ("ill-formed", b'<rss version="2.0"><channel><item><guid>a</guid><title>AT&T</title></item></channel></rss>'),
    ("an entry's own base URI", b'<rss version="2.0"><channel><item xml:base="https://b.example/"><guid>a</guid>'
                                b"</item></channel></rss>"),
    ("a language on a channel child", b'<rss version="2.0"><channel><image lang="fr"><url>u</url></image>'
                                      b"<item><guid>a</guid></item></channel></rss>"),
    ("a namespace declared in an entry", b'<rss version="2.0"><channel><item xmlns:dc="http://purl.org/dc/terms/">'
                                         b"<guid>a</guid></item></channel></rss>"),
    ("a namespace declared on a channel child", b'<rss version="2.0"><channel><image xmlns:x="https://x.example/">'
                                                b"<url>u</url></image><item><guid>a</guid></item></channel></rss>"),
    ("a channel inside an entry", b'<rss version="2.0"><channel><item><guid>a</guid><channel>x</channel></item>'
                                  b"</channel></rss>"),
    ("an entry named in capitals", b'<rss version="2.0"><channel><Item><guid>a</guid></Item><item><guid>b</guid>'
                                   b"</item></channel></rss>"),
    ("RSS 1.0 declared per item", b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><item '
                                  b'xmlns="http://purl.org/rss/1.0/"><link>https://x.example/1</link></item></rdf:RDF>'),
    ("an upper-case base URI", b'<rss version="2.0"><channel><item xml:BASE="https://b.example/"><guid>a</guid>'
                               b"</item></channel></rss>"),
    ("an element inside a description", b'<rss version="2.0"><channel><item><guid>a</guid><description><title>x'
                                        b"</title></description></item></channel></rss>"),
    ("xhtml content", b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>a</id><content type="xhtml"><div '
                      b'xmlns="http://www.w3.org/1999/xhtml"><p>x</p></div></content></entry></feed>'),
    ("an image inside an entry", b'<rss version="2.0"><channel><item><guid>a</guid><image><url>u</url></image>'
                                 b"</item></channel></rss>"),
    ("a channel child between entries", b'<rss version="2.0"><channel><item><guid>a</guid></item><ttl>5</ttl>'
                                        b"<item><guid>b</guid></item></channel></rss>"),
    ("an element inside feedburner's content", b'<rss version="2.0" xmlns:feedburner="http://rssnamespace.org/'
                                               b'feedburner/ext/1.0"><channel><item><guid>a</guid><feedburner:'
                                               b"browserFriendly>x<title/></feedburner:browserFriendly></item>"
                                               b"</channel></rss>"),
    ("unknown encoding", b'<?xml version="1.0" encoding="bogus"?><rss version="2.0"><channel><item><guid>a</guid>'
                         b"</item></channel></rss>"),
])
def test_documents_whose_entries_cannot_be_cut_out_safely_are_read_whole(name: str, data: bytes) -> None:
    assert feed_layout(data, URL, "application/rss+xml") is None, name
    try:
        listing = read(data)
    except FeedParseError:
        return  # not a readable feed at all: as before
    assert listing.seen is None


def test_markup_inside_text_a_bom_and_attributes_do_not_move_an_entrys_bounds() -> None:
    tricky = ('<item><title>Quay &lt;item&gt; works</title><guid isPermaLink="false">tricky</guid>'
              '<!-- </item> --><description><![CDATA[<p>a </item> inside text <item></p>]]></description>'
              '<enclosure url="https://harbour.example/a.mp3?x=1&amp;y=>" length="1" type="audio/mpeg"/></item>')
    data = b"\xef\xbb\xbf" + feed(item(2), tricky, item(1))
    first = read(data)
    assert [c.key for c in first.items] == ["harbour-2", "tricky", "harbour-1"]
    changed = b"\xef\xbb\xbf" + feed(item(3), item(2), tricky, item(1))
    second = read(changed, remembered(first))
    assert [c.key for c in second.items] == ["harbour-3"] and unread(second) == 3
    same_reading(second, read(changed))


def test_an_encoding_the_headers_leave_to_the_text_makes_the_whole_document_read() -> None:
    # text/xml without a charset is US-ASCII: a new entry's 'é' makes feedparser read the document in the
    # encoding it declares instead (and say so); the remembered entries alone read as ASCII, so it is read whole
    first = read(feed(item(2), item(1)), content_type="text/xml")
    changed = feed(item(3, text=" Café reopens."), item(2), item(1))
    second = read(changed, remembered(first), content_type="text/xml")
    assert unread(second) == 0 and len(second.items) == 3
    same_reading(second, read(changed, content_type="text/xml"))
    assert second.bozo == read(changed, content_type="text/xml").bozo == "document declared as us-ascii, but parsed as utf-8"
    ascii_change = feed(item(4), item(2), item(1))  # the same headers, nothing but ASCII: cut as any feed
    assert unread(read(ascii_change, remembered(first), content_type="text/xml")) == 2


def test_a_key_listed_twice_counts_once_in_document_order_whichever_copy_is_remembered() -> None:
    early, late = item(1, guid="dup"), item(9, guid="dup")  # one key, two dates
    first = read(feed(item(5), early, late))
    assert [c.key for c in first.items] == ["harbour-5", "dup"]
    reordered = feed(item(6), late.replace("Harbour notice 9", "Harbour notice 9b"), item(5), early)
    second = read(reordered, remembered(first))
    same_reading(second, read(reordered))


def test_a_memory_from_elsewhere_or_damaged_reads_the_whole_document() -> None:
    data = feed(item(2), item(1))
    memory = remembered(read(data))
    for blob in (memory[:-3], b"x" * 8, memory[:8] + b"\0" * 24):
        listing = read(data, blob)
        assert len(listing.items) + unread(listing) == 2
        same_reading(listing, read(data))
    other = remembered(read(feed(item(2), item(1), channel='<channel xml:lang="de">')))
    assert unread(read(data, other)) == 0


@pytest.mark.skipif(not CORPUS.is_dir(), reason="feed corpus not found beside the checkout (../shared/data)")
def test_every_corpus_feed_reads_the_same_with_any_of_its_entries_remembered() -> None:
    types = {".xml": "application/xml", ".rdf": "application/rdf+xml"}
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in types)
    rng = random.Random(7)
    cut_reads = 0
    for path in files:
        data = path.read_bytes()
        for content_type in (types[path.suffix], "text/xml", None):
            try:
                whole = read(data, content_type=content_type, url="https://corpus.example/dir/feed.xml")
            except FeedParseError:
                continue
            if whole.seen is None or not whole.items:
                continue
            keys = [c.key for c in whole.items]
            for known in (set(keys), set(keys[1:]), {k for k in keys if rng.random() < 0.5}):
                part = read(data, remembered(whole, known), content_type=content_type,
                            url="https://corpus.example/dir/feed.xml")
                try:
                    same_reading(part, whole)
                    assert {c.key for c in part.items} | known >= set(keys)
                except AssertionError as e:
                    raise AssertionError(f"{path.relative_to(CORPUS)} ({content_type}): {e}") from e
                cut_reads += unread(part) > 0
    assert cut_reads >= 5, cut_reads  # (most of its feeds list one entry, and the first one is always read)


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_polls_of_a_changed_feed_store_each_new_report_and_read_only_those(tmp_path: Path, web: WebServer) -> None:
    def publish(ks: list[int]) -> None:
        items = []
        for k in ks:
            path = f"/news/2026/11/harbour-notice-{k}.html"
            web.route(path, Route(news_page(f"Harbour notice {k}", paragraphs(f"harbour crane number {k}"))))
            items.append(item(k, link="{{BASE}}" + path))
        web.route("/feed.xml", Route(feed(*items), content_type="application/rss+xml"))

    publish([4, 3, 2, 1])
    config = write_config(tmp_path, [{"id": "harbour", "url": web.url("/feed.xml")}])
    db = tmp_path / "data/watcher.db"
    outputs = []
    for ks in ([4, 3, 2, 1], [5, 4, 3, 2, 1], [7, 6, 5, 4, 3, 2]):
        publish(ks)
        result = run_cli("run", "--once", "--config", str(config))
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        outputs.append(result.stdout + result.stderr)
    assert "not read again" not in outputs[0]
    assert "ok, 5 entries, 1 new articles" in outputs[1] and "(4 entries stored before and unchanged, not read " \
        "again)" in outputs[1], outputs[1][-2000:]
    assert "ok, 6 entries, 2 new articles" in outputs[2] and "(4 entries stored before" in outputs[2], outputs[2][-2000:]
    assert rows(db, "SELECT COUNT(*), COUNT(DISTINCT key) FROM entries") == [(7, 7)]
    assert sorted(r[0] for r in rows(db, "SELECT title FROM articles")) == sorted(f"Harbour notice {k}" for k in range(1, 8))
    (memory,) = rows(db, "SELECT item_memory FROM sources")[0]
    assert len(ItemMemory.from_bytes(memory).entries) == 6  # type: ignore[union-attr]  # what the feed lists now


def atom(*ks: int) -> bytes:
    entries = "".join(f"<entry><id>tag:harbour.example,2026:{k}</id><title type=\"html\">Quay &amp;lt;{k}&amp;gt;</title>"
                      f"<updated>2026-11-2{k}T08:00:00Z</updated><link href=\"/n/{k}\"/><summary>Notice {k}</summary>"
                      "</entry>" for k in ks)
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">'
            f"<title>Harbour</title><updated>2026-11-2{ks[0]}T09:00:00Z</updated>{entries}</feed>").encode()


def rdf(*ks: int) -> bytes:
    items = "".join(f'<item rdf:about="https://harbour.example/n/{k}"><title>Notice {k}</title>'
                    f"<link>https://harbour.example/n/{k}</link><dc:date>2026-11-2{k}T08:00:00Z</dc:date></item>"
                    for k in ks)
    return ('<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<channel rdf:about="https://harbour.example/"><title>Harbour</title></channel>{items}</rdf:RDF>').encode()


@pytest.mark.parametrize("make", [atom, rdf])
def test_atom_and_rss_1_entries_are_cut_out_alike(make) -> None:  # type: ignore[no-untyped-def]
    first = read(make(3, 2, 1), content_type="application/atom+xml")
    second = read(make(5, 4, 3, 2, 1), remembered(first), content_type="application/atom+xml")
    assert len(second.items) == 2 and unread(second) == 3
    same_reading(second, read(make(5, 4, 3, 2, 1), content_type="application/atom+xml"))


def podcast(*episodes: tuple[int, str]) -> bytes:
    items = "".join(f"<item><guid isPermaLink=\"false\">ep-{k}</guid><title>Episode {k}</title><description>Short {k}{extra}</description>"
                    f"<itunes:summary>Long notes on episode {k}</itunes:summary></item>" for k, extra in episodes)
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>Harbour talk</title>'
            f"<itunes:summary>About the show</itunes:summary><description>The show</description>{items}"
            "</channel></rss>").encode()


def test_what_the_channel_leaves_for_the_first_entry_is_read_alike() -> None:
    # a channel description after its itunes:summary leaves feedparser reading the next entry's description as
    # its content: the document's first entry is always read, so that entry is the same in both readings
    first = read(podcast((2, ""), (1, "")))
    changed = podcast((2, ""), (1, " (corrected)"))
    second = read(changed, remembered(first))
    assert [c.key for c in second.items] == ["ep-2", "ep-1"] and unread(second) == 0
    same_reading(second, read(changed))
    grown = podcast((3, ""), (2, ""), (1, ""))
    third = read(grown, remembered(first))
    assert [c.key for c in third.items] == ["ep-3"] and unread(third) == 2
    same_reading(third, read(grown))


def test_photo_and_podcast_extensions_with_parts_of_their_own_are_cut_out() -> None:
    def rich(*ks: int) -> bytes:
        items = "".join(f"<item><guid isPermaLink=\"false\">r-{k}</guid><title>Report {k}</title>"
                        f'<media:content url="https://harbour.example/{k}.jpg" medium="image"><media:title>Quay {k}'
                        f"</media:title><media:credit>Desk</media:credit></media:content>"
                        f'<itunes:image href="https://harbour.example/{k}.png"/><description>Text {k}</description>'
                        "</item>" for k in ks)
        return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" '
                f'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>Harbour</title>{items}'
                "</channel></rss>").encode()

    first = read(rich(3, 2, 1))
    second = read(rich(4, 3, 2, 1), remembered(first))
    assert [c.key for c in second.items] == ["r-4"] and unread(second) == 3
    same_reading(second, read(rich(4, 3, 2, 1)))
