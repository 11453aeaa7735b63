"""What a source lists, as `Item`s: the entries of a feed, the article links of a page, the URLs of a sitemap.

Pure: a fetched document in, values out (the poll runs `read_listing` in a reader process). Most entries of a
changed feed were read before: those whose bytes the source's last polls read and stored are not read again
(`watcher.parse.unchanged`), and a feed entry's text is made from its HTML only for the entries a poll takes
(`with_text`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Iterable, Mapping

from watcher.dedupe import canonical_url, is_page_link
from watcher.fetch import Response
from watcher.model import Item
from watcher.parse.feed import parse_feed
from watcher.parse.html import advertised_feeds, html_to_text, looks_like_html
from watcher.parse.model import MAX_TEXT, FeedEntry, FeedParseError, ParsedFeed, clip, clip_title
from watcher.parse.page import PageLink, discover_links
from watcher.parse.sitemap import SitemapEntry
from watcher.parse.unchanged import FeedLayout, ItemMemory, Listed, Seen, cut, feed_layout, key_digest

log = logging.getLogger("watcher.parse.items")


@dataclass(frozen=True)
class Listing:
    """A source's document read: its kind (feed, page or sitemap), its items in document order, and the feed's
    own least poll interval (seconds) if it gives one. A sitemap's items are read by the poll (it may fetch
    child sitemaps); a page may advertise a feed to poll instead."""

    kind: str
    items: tuple[Item, ...] = ()
    feed_interval: int | None = None
    html: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # item key -> the entry's content, summary
    advertised_feed: str | None = None  # a page's first <link rel="alternate"> feed
    bozo: str | None = None  # why a feed that could be read anyway is ill-formed
    seen: Seen | None = None  # a feed's entries for the next poll to remember (None: nothing to remember)

    @property
    def listed(self) -> int:
        """How many entries the document lists (read now or remembered), each key once."""
        return len(self.items) + (len(self.seen.unread) if self.seen else 0)

    def dates(self) -> list[datetime | None]:
        """The date of every entry listed, read now or remembered."""
        return [c.published for c in self.items] + [e.published for e in (self.seen.unread if self.seen else ())]


def items_from_feed(feed: ParsedFeed) -> tuple[list[Item], dict[str, tuple[str, str]]]:
    """The feed's entries as items (text not yet made) and each item's HTML (content and summary)."""
    out: list[Item] = []
    html: dict[str, tuple[str, str]] = {}
    for e in feed.entries:
        item = _item(e, feed.language)
        if item is None or item.key in html:
            continue  # a repeated key: the first one listed counts
        out.append(item)
        html[item.key] = (e.content or "", e.summary or "")
    return out, html


def _item(e: FeedEntry, language: str | None) -> Item | None:
    """A feed entry as an item; None when it has neither id nor link (it cannot be told apart from others)."""
    url = e.url if e.url and is_page_link(e.url) else None  # a `javascript:void(0)` link is no link
    canon = canonical_url(url) if url else None
    key = e.guid or canon
    if not key:
        return None
    return Item(key, e.guid, url, canon, clip_title(e.title), "", e.author, e.published, language=language)


def items_around(feed: ParsedFeed, layout: FeedLayout, unread: Mapping[int, bytes],
                 memory: ItemMemory | None) -> tuple[list[Item], dict[str, tuple[str, str]], Seen]:
    """`items_from_feed` for a feed read without the entries at the indexes in `unread` (its `feed.entries` are
    the others, in order): every entry listed, read or remembered, counted once per key in document order."""
    read = iter(feed.entries)
    out: list[Item] = []
    html: dict[str, tuple[str, str]] = {}
    listed: list[Listed] = []
    keys: set[bytes] = set()
    for i, digest in enumerate(layout.digests):
        if i in unread:
            assert memory is not None
            was = memory.entries[digest]
            if was.key not in keys:
                keys.add(was.key)
                listed.append(Listed(digest, was.key, was.published))
            continue
        e = next(read)
        item = _item(e, feed.language)
        key = key_digest(item.key) if item else b""
        if item is None or key in keys:
            continue
        keys.add(key)
        out.append(item)
        html[item.key] = (e.content or "", e.summary or "")
        listed.append(Listed(digest, key, item.published, item.key))
    return out, html, Seen(layout.context, tuple(listed))


def entry_text(content: str, summary: str) -> str:
    """The feed's own text of an entry: its content, else its summary, as plain text."""
    return clip(html_to_text(content) or html_to_text(summary), MAX_TEXT)


def with_text(items: Iterable[Item], listing: Listing) -> list[Item]:
    """`items` with the feed's own text made (only those a poll takes need it)."""
    return [replace(c, text=entry_text(*listing.html[c.key])) if c.key in listing.html else c for c in items]


def items_from_links(links: tuple[PageLink, ...]) -> list[Item]:
    out = []
    for link in links:
        canon = canonical_url(link.url)
        out.append(Item(canon, None, link.url, canon, clip_title(link.title)))
    return _unique(out)


def items_from_sitemap(entries: Iterable[SitemapEntry]) -> list[Item]:
    out = []
    for e in entries:
        canon = canonical_url(e.url)
        out.append(Item(canon, None, e.url, canon, clip_title(e.title), published=e.published))
    return _unique(out)


def looks_like_sitemap(data: bytes) -> bool:
    head = data[:1024]
    return data[:2] == b"\x1f\x8b" or b"<urlset" in head or b"<sitemapindex" in head


def _unique(items: list[Item]) -> list[Item]:
    seen: set[str] = set()
    out = []
    for c in items:
        if c.key not in seen:
            seen.add(c.key)
            out.append(c)
    return out


def read_listing(source_id: str, type_: str | None, resp: Response, memory: bytes | None = None) -> Listing:
    """The items of a feed or the links of a page; an unknown type is detected (and then kept). `memory`: the
    source's remembered entries (`ItemMemory`), not read again where their bytes are the same.

    A `page` whose document is no HTML page is read as the feed or sitemap it is: a feed that served an HTML
    page (a bot check, a maintenance notice) on its first poll was detected as a page, and its entries were
    never read again (every later poll an "ok" of 0 entries)."""
    if type_ == "page" and looks_like_html(resp.content):
        return _page(resp)
    if type_ == "sitemap" or (type_ in (None, "page") and looks_like_sitemap(resp.content)):
        return Listing("sitemap")
    try:
        return _feed(resp, memory)
    except FeedParseError:
        if type_ == "page" or (type_ is None and looks_like_html(resp.content)):
            return _page(resp)
        raise


def _feed(resp: Response, memory: bytes | None) -> Listing:
    feed, layout, unread, known = _read_feed(resp, memory)
    seen = None
    if layout is None:
        items, html = items_from_feed(feed)
    else:
        items, html, seen = items_around(feed, layout, unread, known)
    if feed.bozo and not items and not (seen and seen.unread):
        raise FeedParseError(f"ill-formed feed with no usable entries: {feed.bozo}")
    return Listing("feed", tuple(items), feed.ttl_seconds, html, bozo=feed.bozo, seen=seen)


def _read_feed(resp: Response, memory: bytes | None
               ) -> tuple[ParsedFeed, FeedLayout | None, dict[int, bytes], ItemMemory | None]:
    """The feed read (without its remembered entries where that reads the others exactly as the whole document
    would: `watcher.parse.unchanged`), its layout (None: its entries cannot be remembered), the indexes of the
    entries left unread with their digests, and the memory they are in."""
    data, url, content_type = resp.content, resp.url, resp.headers.get("content-type")
    layout = feed_layout(data, url, content_type)
    known = ItemMemory.from_bytes(memory) if layout else None
    if layout and known and known.context == layout.context:
        # (the first entry is always read: see `watcher.parse.unchanged`)
        unread = {i: d for i, d in enumerate(layout.digests) if d in known.entries and i > 0}
        if unread:
            try:
                feed = parse_feed(cut(data, layout.spans, set(unread)), url, content_type)
            except FeedParseError:
                feed = None
            if feed is not None and feed.strict and _decodes(data, feed.encoding) \
                    and len(feed.entries) == len(layout.spans) - len(unread):
                return feed, layout, unread, known
    feed = parse_feed(data, url, content_type)
    if layout and not (feed.strict and len(feed.entries) == len(layout.spans)):
        layout = None  # its entries cannot be told by their bytes: none is remembered
    return feed, layout, {}, None


def _decodes(data: bytes, encoding: str) -> bool:
    """Whether the whole document reads in `encoding` (so feedparser reads it, too, in the one it declares)."""
    try:
        data.decode(encoding)  # ("" is no encoding: LookupError)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def note_bozo(source_id: str, listing: Listing) -> None:
    """Log that a feed is ill-formed but readable (in the poll's process: `read_listing` may run in a worker)."""
    if listing.bozo:
        log.info("source %s: feed is ill-formed but readable: %s", source_id, listing.bozo)


def _page(resp: Response) -> Listing:
    feeds = advertised_feeds(resp.content, resp.url)
    return Listing("page", tuple(items_from_links(discover_links(resp.content, resp.url, resp.headers.get("content-type")))),
                   advertised_feed=feeds[0] if feeds else None)


def read_source(source_id: str, type_: str | None, resp: Response) -> tuple[str, list[Item], int | None]:
    """`read_listing` with every item's text made: kind, items, the feed's own least poll interval."""
    listing = read_listing(source_id, type_, resp)
    note_bozo(source_id, listing)
    return listing.kind, with_text(listing.items, listing), listing.feed_interval
