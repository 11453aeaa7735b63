"""JSON Feed 1.0/1.1 parsing: the shapes publishers actually emit, and the broken ones."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from watcher.parse.jsonfeed import looks_like_json_feed, parse_json_feed
from watcher.parse.model import FeedParseError

BASE = "https://blog.example.org/feeds/main.json"

FEED_11 = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Example Blog",
    "home_page_url": "/blog/",
    "feed_url": "https://blog.example.org/feeds/main.json",
    "authors": [{"name": "Site Editor", "url": "https://blog.example.org/about"}],
    "language": "en",
    "items": [
        {
            "id": "https://blog.example.org/blog/2024/05/launch",
            "url": "2024/05/launch",
            "title": "We launched",
            "summary": "Short version.",
            "content_html": "<p>We <b>launched</b>.</p>",
            "content_text": "We launched.",
            "date_published": "2024-05-01T09:30:00+02:00",
            "date_modified": "2024-05-02t10:00:00z",
            "authors": [{"url": "https://x.example"}, {"name": "Ana Núñez"}],
            "tags": ["news"],
        },
        {
            # no id: the spec requires one, real feeds forget it
            "url": "/blog/2024/04/notes",
            "content_text": "Plain notes.",
            "date_published": "last Tuesday",
        },
        {"id": 1234, "external_url": "https://elsewhere.example/story", "content_text": "Link post."},
        "not an item",
        42,
        {"id": "naive-date", "content_text": "x", "date_published": "2024-03-01T12:00:00"},
    ],
}

FEED_10 = {
    "version": "https://jsonfeed.org/version/1",
    "title": "Old Style",
    "home_page_url": "https://old.example.com/",
    "author": {"name": "Feed Author"},
    "items": [
        {
            "id": "a1",
            "url": "https://old.example.com/a1",
            "title": "First",
            "content_text": "Text only.",
            "author": {"name": "Item Author"},
            "date_published": "Tue, 10 Jun 2003 04:00:00 GMT",
        },
        {"id": "a2", "url": "https://old.example.com/a2", "content_html": "<p>Two</p>"},
    ],
}


def _bytes(doc: object) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


# --- sniffing ---


def test_sniff_accepts_json_feed_with_bom_and_whitespace() -> None:
    assert looks_like_json_feed(b"\xef\xbb\xbf \n\t" + _bytes(FEED_11))


def test_sniff_accepts_php_escaped_slashes() -> None:
    # PHP's json_encode escapes '/', so the plain marker is absent.
    data = b'{"version":"https:\\/\\/jsonfeed.org\\/version\\/1","title":"t","items":[]}'
    assert b"jsonfeed.org/version" not in data
    assert looks_like_json_feed(data)


def test_sniff_finds_version_past_the_first_2kb() -> None:
    doc = {"title": "t", "description": "x" * 5000, "items": [], "version": "https://jsonfeed.org/version/1.1"}
    data = _bytes(doc)
    assert data.index(b"jsonfeed.org") > 2048
    assert looks_like_json_feed(data)


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>',
        b'{"version": "2.0", "items": []}',  # some other JSON API
        b'[{"version": "https://jsonfeed.org/version/1"}]',  # array, not object
        b"{ not json at all " + b"x" * 3000,
        b"",
    ],
)
def test_sniff_rejects_other_documents(data: bytes) -> None:
    assert looks_like_json_feed(data) is False


# --- JSON Feed 1.1 ---


def test_feed_level_fields_11() -> None:
    feed = parse_json_feed(_bytes(FEED_11), BASE)
    assert feed.format == "json11"
    assert feed.title == "Example Blog"
    assert feed.link == "https://blog.example.org/blog/"  # relative home_page_url resolved
    assert feed.bozo == "2 item(s) are not objects"
    assert len(feed.entries) == 4  # the string and the number are skipped


def test_full_item_11() -> None:
    e = parse_json_feed(_bytes(FEED_11), BASE).entries[0]
    assert e.guid == "https://blog.example.org/blog/2024/05/launch"
    assert e.url == "https://blog.example.org/blog/2024/05/launch"  # resolved against home_page_url
    assert e.title == "We launched"
    assert e.summary == "Short version."
    assert e.content == "<p>We <b>launched</b>.</p>"  # HTML preferred over text
    assert e.author == "Ana Núñez"  # first author that has a name
    assert e.published == datetime(2024, 5, 1, 7, 30, tzinfo=timezone.utc)
    assert e.published.utcoffset().total_seconds() == 0
    assert e.updated == datetime(2024, 5, 2, 10, 0, tzinfo=timezone.utc)  # lowercase t/z


def test_item_without_id_falls_back_to_url_and_inherits_feed_author() -> None:
    e = parse_json_feed(_bytes(FEED_11), BASE).entries[1]
    assert e.guid == "https://blog.example.org/blog/2024/04/notes"
    assert e.url == e.guid
    assert e.title is None
    assert e.summary is None  # content_text is content, not a summary
    assert e.content == "Plain notes."
    assert e.author == "Site Editor"
    assert e.published is None  # "last Tuesday" is not a date


def test_numeric_id_and_external_url() -> None:
    e = parse_json_feed(_bytes(FEED_11), BASE).entries[2]
    assert e.guid == "1234"
    assert e.url == "https://elsewhere.example/story"


def test_naive_date_is_taken_as_utc() -> None:
    e = parse_json_feed(_bytes(FEED_11), BASE).entries[3]
    assert e.published == datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)
    assert e.published.tzinfo is not None


def test_relative_urls_without_home_page_use_document_url() -> None:
    doc = {"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "x", "url": "../posts/7"}]}
    feed = parse_json_feed(_bytes(doc), BASE)
    assert feed.link is None
    assert feed.title is None
    assert feed.entries[0].url == "https://blog.example.org/posts/7"


# --- JSON Feed 1.0 ---


def test_feed_10() -> None:
    feed = parse_json_feed(_bytes(FEED_10), "https://old.example.com/feed.json")
    assert feed.format == "json10"
    assert feed.link == "https://old.example.com/"
    assert feed.bozo is None
    first, second = feed.entries
    assert first.author == "Item Author"
    assert first.content == "Text only."
    assert first.published == datetime(2003, 6, 10, 4, 0, tzinfo=timezone.utc)  # RFC 822 tolerated
    assert second.author == "Feed Author"  # 1.0 inheritance from the top-level author
    assert second.content == "<p>Two</p>"
    assert second.published is None


def test_version_url_variants() -> None:
    doc = {"version": "http://www.jsonfeed.org/version/1.1", "title": "t", "items": []}
    assert parse_json_feed(_bytes(doc), BASE).format == "json11"


def test_missing_items_is_tolerated_but_noted() -> None:
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "Empty"}
    feed = parse_json_feed(_bytes(doc), BASE)
    assert feed.entries == ()
    assert feed.bozo is not None and "items" in feed.bozo


def test_wrong_types_in_fields_become_none() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": {"en": "t"},
        "items": [{"id": True, "url": 5, "title": ["x"], "content_text": "ok", "date_published": 17, "authors": "me"}],
    }
    feed = parse_json_feed(_bytes(doc), BASE)
    assert feed.title is None
    e = feed.entries[0]
    assert (e.guid, e.url, e.title, e.author, e.published) == (None, None, None, None, None)
    assert e.content == "ok"


# --- errors ---


def test_invalid_json_names_the_position() -> None:
    with pytest.raises(FeedParseError, match=r"invalid JSON at line 2, column \d+"):
        parse_json_feed(b'{"version": "https://jsonfeed.org/version/1.1",\n "items": [,]}', BASE)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b'{"version": "2.0", "items": []}', "not a JSON Feed: version"),
        (b'{"title": "no version"}', "not a JSON Feed: version"),
        (b'["https://jsonfeed.org/version/1.1"]', "JSON list, not an object"),
        (b'<?xml version="1.0"?><rss/>', "invalid JSON"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "title": "\xff"}', "not valid UTF-8"),
        (b"[" * 100_000, "invalid JSON"),  # nesting deep enough to hit the recursion limit
    ],
)
def test_not_a_json_feed(data: bytes, words: str) -> None:
    with pytest.raises(FeedParseError) as info:
        parse_json_feed(data, BASE)
    assert words in str(info.value)
    assert "\n" not in str(info.value)


def test_a_date_with_no_utc_equivalent_is_no_date_and_the_other_items_stay() -> None:
    """Year 1 east of UTC and year 9999 west of it are valid RFC 3339 but have no UTC date: that item has no
    date, and the feed is read (the error escaped the poll as a traceback that ended `watcher run --once`)."""
    doc = {"version": "https://jsonfeed.org/version/1.1", "items": [
        {"id": "early", "url": "https://x.example/1", "date_published": "0001-01-01T00:00:00+05:00"},
        {"id": "late", "url": "https://x.example/2", "date_modified": "9999-12-31T23:00:00-05:00"},
        {"id": "rfc822", "url": "https://x.example/3", "date_published": "Fri, 31 Dec 9999 23:59:59 -1200"},
        {"id": "fine", "url": "https://x.example/4", "date_published": "2026-11-20T08:00:00Z"},
    ]}
    entries = parse_json_feed(_bytes(doc), BASE).entries
    assert [e.guid for e in entries] == ["early", "late", "rfc822", "fine"]
    assert [e.published for e in entries[:3]] == [None, None, None]
    assert entries[1].updated is None
    assert entries[3].published == datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


def test_a_lone_surrogate_escape_becomes_the_replacement_character() -> None:
    """JSON's "\\ud800" decodes to half a surrogate pair, which UTF-8 (and so every store) cannot hold: one such
    title failed the whole poll. A whole pair ("\\ud83d\\udea2") is one character and stays."""
    doc = ('{"version": "https://jsonfeed.org/version/1.1", "title": "Echo \\udc00", "items": ['
           '{"id": "a\\ud800", "title": "Crane \\ud800 arrives", "content_text": "Ship \\ud83d\\udea2 at the quay",'
           ' "authors": [{"name": "Ana \\udfff Ruiz"}]}]}').encode()
    feed = parse_json_feed(doc, BASE)
    [entry] = feed.entries
    assert (feed.title, entry.guid, entry.title, entry.content, entry.author) == (
        "Echo \ufffd", "a\ufffd", "Crane \ufffd arrives", "Ship \U0001f6a2 at the quay", "Ana \ufffd Ruiz")
