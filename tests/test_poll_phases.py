"""The poll's pure steps, on plain values: which listed items a poll takes, in which order they are stored,
and that a feed entry's text is made only for the items taken (no server, no store)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from watcher.dedupe.identity import global_guid
from watcher.fetch import Response
from watcher.model import Item
from watcher.parse.items import read_listing, read_source, with_text
from watcher.source.intake import mark_baseline, placing_order, take_new, unseen

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


def item(key: str, minutes: int | None) -> Item:
    return Item(key, key, f"https://news.example/{key}", f"https://news.example/{key}",
                published=None if minutes is None else T0 + timedelta(minutes=minutes))


def test_a_poll_takes_the_newest_items_first_and_undated_ones_last_in_document_order() -> None:
    items = [item("a", 10), item("b", None), item("c", 30), item("d", None), item("e", 20)]
    taken, waiting = take_new(items, 3)
    assert [c.key for c in taken] == ["a", "c", "e"]  # document order kept among those taken
    assert [c.key for c in waiting] == ["b", "d"]
    taken, waiting = take_new(items, 4)
    assert [c.key for c in taken] == ["a", "b", "c", "e"] and [c.key for c in waiting] == ["d"]
    assert take_new(items, 10) == (items, [])


def test_only_unseen_items_count_and_a_first_poll_marks_older_ones_as_baseline() -> None:
    items = [item("a", -60), item("b", 60), item("c", None)]
    assert [c.key for c in unseen(items, {"b"})] == ["a", "c"]
    marked = mark_baseline(items, first_poll=True, added_at=T0)
    assert [c.alertable for c in marked] == [False, True, False]
    assert mark_baseline(items, first_poll=False, added_at=T0) == items


def test_items_are_stored_oldest_first_then_by_key_whatever_the_listing_order() -> None:
    items = [item("z", None), item("m", 5), item("b", 5), item("a", 1)]
    assert [c.key for c in sorted(items, key=placing_order)] == ["a", "b", "m", "z"]


def test_only_distinctive_guids_identify_an_article_across_feeds() -> None:
    assert global_guid("https://news.example/a") == "https://news.example/a"
    assert global_guid("tag:news.example,2026:1") == "tag:news.example,2026:1"
    assert global_guid("0f8fad5b-d9cb-469f-a165-70867728950e") is not None
    assert global_guid("12345") is None and global_guid(None) is None


FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour news</title><ttl>30</ttl>
<item><title>Crane arrives</title><guid isPermaLink="false">crane-1</guid>
<description>&lt;p&gt;The new &lt;b&gt;crane&lt;/b&gt; arrived.&lt;/p&gt;&lt;p&gt;It lifts 80 tonnes.&lt;/p&gt;</description></item>
<item><title>Wall repaired</title><guid isPermaLink="false">wall-2</guid><description>The wall is repaired.</description></item>
<item><title>Repeat</title><guid isPermaLink="false">crane-1</guid><description>A second copy.</description></item>
</channel></rss>"""


def test_a_feed_is_read_once_and_an_entrys_text_made_only_when_it_is_taken() -> None:
    resp = Response("https://news.example/feed.xml", 200, {"content-type": "application/rss+xml"}, FEED, 0.0)
    listing = read_listing("harbour", None, resp)
    assert listing.kind == "feed" and listing.feed_interval == 30 * 60
    assert [c.key for c in listing.items] == ["crane-1", "wall-2"]  # a repeated key counts once
    assert all(c.text == "" for c in listing.items)
    crane = with_text(listing.items[:1], listing)[0]
    assert crane.text == "The new crane arrived.\nIt lifts 80 tonnes."
    kind, items, interval = read_source("harbour", None, resp)  # everything at once, as the feed corpus test reads
    assert (kind, interval) == ("feed", 30 * 60) and [c.text for c in items] == [crane.text, "The wall is repaired."]
