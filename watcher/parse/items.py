"""What a source lists, as `Item`s: the entries of a feed, the article links of a page, the URLs of a sitemap.

Pure: a fetched document in, values out (the poll runs `read_listing` in a reader process). A feed entry's text
is made from its HTML only for the entries a poll takes (`with_text`): most entries of a changed feed were
seen before, and turning every summary into text again at each poll is the costly part of reading a feed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping

from watcher.dedupe import canonical_url
from watcher.fetch import Response
from watcher.model import Item
from watcher.parse.feed import parse_feed
from watcher.parse.html import advertised_feeds, html_to_text, looks_like_html
from watcher.parse.model import MAX_TEXT, FeedParseError, ParsedFeed, clip, clip_title
from watcher.parse.page import PageLink, discover_links
from watcher.parse.sitemap import SitemapEntry

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


def items_from_feed(feed: ParsedFeed) -> tuple[list[Item], dict[str, tuple[str, str]]]:
    """The feed's entries as items (text not yet made) and each item's HTML (content and summary)."""
    out: list[Item] = []
    html: dict[str, tuple[str, str]] = {}
    for e in feed.entries:
        canon = canonical_url(e.url) if e.url else None
        key = e.guid or canon
        if not key:
            continue  # an entry with neither id nor link cannot be told apart from others
        if key in html:
            continue  # a repeated key: the first one listed counts
        out.append(Item(key, e.guid, e.url, canon, clip_title(e.title), "", e.author, e.published,
                        language=feed.language))
        html[key] = (e.content or "", e.summary or "")
    return out, html


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


def read_listing(source_id: str, type_: str | None, resp: Response) -> Listing:
    """The items of a feed or the links of a page; an unknown type is detected (and then kept)."""
    if type_ == "page":
        return _page(resp)
    if type_ == "sitemap" or (type_ is None and looks_like_sitemap(resp.content)):
        return Listing("sitemap")
    try:
        feed = parse_feed(resp.content, resp.url, resp.headers.get("content-type"))
    except FeedParseError:
        if type_ is None and looks_like_html(resp.content):
            return _page(resp)
        raise
    items, html = items_from_feed(feed)
    if feed.bozo and not items:
        raise FeedParseError(f"ill-formed feed with no usable entries: {feed.bozo}")
    return Listing("feed", tuple(items), feed.ttl_seconds, html, bozo=feed.bozo)


def note_bozo(source_id: str, listing: Listing) -> None:
    """Log that a feed is ill-formed but readable (in the poll's process: `read_listing` may run in a worker)."""
    if listing.bozo:
        log.info("source %s: feed is ill-formed but readable: %s", source_id, listing.bozo)


def _page(resp: Response) -> Listing:
    feeds = advertised_feeds(resp.content, resp.url)
    return Listing("page", tuple(items_from_links(discover_links(resp.content, resp.url))),
                   advertised_feed=feeds[0] if feeds else None)


def read_source(source_id: str, type_: str | None, resp: Response) -> tuple[str, list[Item], int | None]:
    """`read_listing` with every item's text made: kind, items, the feed's own least poll interval."""
    listing = read_listing(source_id, type_, resp)
    note_bozo(source_id, listing)
    return listing.kind, with_text(listing.items, listing), listing.feed_interval
