"""XML sitemaps (and Google News sitemaps) as a list of article URLs.

A `sitemap` source is for sites that publish neither a feed nor a useful
listing page. A sitemap index names child sitemaps; the poll reads the most
recently modified ones. The XML parser resolves no entities and loads nothing
from the network, so hostile sitemaps cannot expand or reach out.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timezone

from lxml import etree

from watcher.parse.chars import storable_charrefs
from watcher.parse.html import absolute_url
from watcher.parse.model import FeedParseError

MAX_UNZIPPED = 50 * 1000**2  # the sitemap protocol's own limit is 50 MB uncompressed
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, recover=True)


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    published: datetime | None = None  # news:publication_date, else lastmod
    title: str | None = None  # news:title


@dataclass(frozen=True)
class Sitemap:
    entries: tuple[SitemapEntry, ...] = ()
    children: tuple[tuple[str, datetime | None], ...] = ()  # (child sitemap URL, lastmod) of an index


def parse_sitemap(data: bytes, url: str) -> Sitemap:
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data)
    if not data.strip():
        raise FeedParseError("empty response: the server sent no content")
    try:
        root = etree.fromstring(storable_charrefs(data), _PARSER)
    except etree.XMLSyntaxError as e:
        raise FeedParseError(f"not a sitemap: invalid XML ({e})") from None
    if root is None:
        raise FeedParseError("not a sitemap: no XML document")
    kind = etree.QName(root).localname
    if kind == "sitemapindex":
        children = []
        for sm in _children(root, "sitemap"):
            loc = _text(sm, "loc")
            if loc:
                children.append((absolute_url(url, loc), _date(_text(sm, "lastmod"))))
        return Sitemap(children=tuple(children))
    if kind != "urlset":
        raise FeedParseError(f"not a sitemap: the document is <{kind}>, not <urlset> or <sitemapindex>")
    entries = []
    for node in _children(root, "url"):
        loc = _text(node, "loc")
        if not loc:
            continue
        news = next(_children(node, "news"), None)
        published = _date(_text(news, "publication_date")) if news is not None else None
        title = _text(news, "title") if news is not None else None
        entries.append(SitemapEntry(absolute_url(url, loc), published or _date(_text(node, "lastmod")), title))
    return Sitemap(entries=tuple(entries))


def newest(entries: tuple[SitemapEntry, ...], limit: int) -> list[SitemapEntry]:
    """The `limit` most recent entries (undated ones last): a sitemap may list 50,000 URLs."""
    floor = datetime.min.replace(tzinfo=timezone.utc)
    return sorted(entries, key=lambda e: e.published or floor, reverse=True)[:limit]


def _gunzip(data: bytes) -> bytes:
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(data, MAX_UNZIPPED + 1)
    except zlib.error as e:
        raise FeedParseError(f"not a sitemap: bad gzip data ({e})") from None
    if len(out) > MAX_UNZIPPED:
        raise FeedParseError("sitemap is larger than 50 MB uncompressed")
    return out


def _children(node: etree._Element, name: str):  # type: ignore[no-untyped-def]
    return (c for c in node if isinstance(c.tag, str) and etree.QName(c).localname == name)


def _text(node: etree._Element | None, name: str) -> str | None:
    if node is None:
        return None
    child = next(_children(node, name), None)
    text = (child.text or "").strip() if child is not None else ""
    return text or None


def _date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    try:
        return (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    except OverflowError:  # year 1 east of UTC or year 9999 west of it: no UTC date to give
        return None


__all__ = ["Sitemap", "SitemapEntry", "newest", "parse_sitemap"]
