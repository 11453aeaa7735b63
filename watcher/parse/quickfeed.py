"""The common feed, read quickly: well-formed UTF-8 RSS 2.0 and Atom 1.0, with lxml.

feedparser reads every dialect and every broken feed, in pure Python: a
50 KB feed of 30 entries costs it ~38 ms of CPU. Most feeds are well-formed
UTF-8 RSS 2.0 or Atom 1.0, which this reads in ~2 ms (lxml; the dates and
links through feedparser's own functions, so they come out the same).
`quick_feed` reads those, giving what `parse_feed` gives through feedparser
(`tests/test_quickfeed.py` holds the two readings of every feed of the
corpus side by side), and returns None for anything else, which feedparser
then reads as before: another encoding, ill-formed XML, a DTD or entity
declarations, `xml:base`, RSS 0.9x/1.0, Atom 0.3, XHTML or markup in a title,
an element feedparser reads into an entry's fields that is not read here.
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import datetime, timezone

from feedparser.datetimes import _parse_date  # dates and URLs read as feedparser reads them
from feedparser.urls import _urljoin
from lxml import etree

from watcher.parse.model import FeedEntry, ParsedFeed

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
SY = "http://purl.org/rss/1.0/modules/syndication/"
MEDIA = "http://search.yahoo.com/mrss/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._-]+)", re.I)
_UTF8 = {"utf-8", "utf8"}
_XML_TYPE = re.compile(r"\s*(?:application/xml|text/xml|[a-z]+/[\w.-]+\+xml)\s*(?:;|$)", re.I)
# Windows-1252 quotes in UTF-8, which feedparser turns into the characters they meant; an uppercase hex reference
_ODD_CHARACTERS = re.compile(rb"\xc2[\x80-\x9f]|&(?:amp;)?#(?:1[2-5][0-9]|[xX][89][0-9a-fA-F]);|&(?:amp;)?#X")
_DOCUMENT = re.compile(r"<(?:!doctype|html|head)\b", re.I)  # a whole page as an entry's HTML

# the elements of an RSS item read here; an item with any other element in a namespace of these (or in none)
# goes to feedparser, which may read it into a field
_RSS_CHANNEL = {"title", "link", "description", "language", "ttl", "item", "image", "copyright", "managingEditor",
                "webMaster", "pubDate", "lastBuildDate", "category", "generator", "docs", "cloud", "rating",
                "textInput", "skipHours", "skipDays", f"{{{SY}}}updatePeriod", f"{{{SY}}}updateFrequency",
                f"{{{SY}}}updateBase", f"{{{ATOM}}}link", f"{{{DC}}}language", f"{{{DC}}}date", f"{{{DC}}}rights",
                f"{{{DC}}}publisher", f"{{{DC}}}creator", f"{{{DC}}}subject"}
# the elements of an RSS item read here; an item with another element in a namespace feedparser reads into
# its fields (or with child elements where there should be text) is read by feedparser
_RSS_ITEM = {"title", "link", "guid", "description", "pubDate", "author", "category", "comments", "enclosure",
             "source", f"{{{CONTENT}}}encoded", f"{{{DC}}}creator", f"{{{DC}}}date", f"{{{DC}}}subject",
             f"{{{MEDIA}}}content", f"{{{MEDIA}}}thumbnail", f"{{{MEDIA}}}group", f"{{{MEDIA}}}credit",
             f"{{{MEDIA}}}title", f"{{{MEDIA}}}description", f"{{{MEDIA}}}keywords", f"{{{MEDIA}}}category",
             f"{{{ATOM}}}link"}
_RSS_CHANNEL_NESTED = frozenset({"item", "image", "cloud", "textInput", "skipHours", "skipDays"})
_MEDIA_CONTAINERS = frozenset({f"{{{MEDIA}}}content", f"{{{MEDIA}}}group"})
_MEDIA_INNER = {f"{{{MEDIA}}}{n}" for n in ("content", "thumbnail", "credit", "title", "description", "keywords",
                                            "category")}
_MEDIA_CAPTIONED = _MEDIA_CONTAINERS | {f"{{{MEDIA}}}description"}
_WATCHED_NS = {"", ATOM, CONTENT, DC, MEDIA, SY, "http://purl.org/dc/terms/", "http://www.w3.org/1999/xhtml",
               "http://www.itunes.com/dtds/podcast-1.0.dtd", "http://purl.org/rss/1.0/",
               "http://backend.userland.com/rss2", "http://purl.org/atom/ns#"}
_ATOM_FEED = {f"{{{ATOM}}}{n}" for n in ("id", "link", "title", "subtitle", "updated", "author", "entry", "category",
                                         "generator", "icon", "logo", "rights", "contributor")}
_ATOM_ENTRY = {f"{{{ATOM}}}{n}" for n in ("id", "link", "title", "summary", "content", "author", "published",
                                          "updated", "category", "contributor", "rights")} \
    | {f"{{{MEDIA}}}{n}" for n in ("thumbnail", "content", "group", "description", "title", "credit")}
_ATOM_NESTED = frozenset({f"{{{ATOM}}}author", f"{{{ATOM}}}contributor", f"{{{ATOM}}}entry"})
_ATOM_LINK = f"{{{ATOM}}}link"
_ATOM_FEED_TAG, _ATOM_ENTRY_TAG = f"{{{ATOM}}}feed", f"{{{ATOM}}}entry"


class _Decline(Exception):
    """Not a feed read here: feedparser reads it."""


def quick_feed(data: bytes, url: str, content_type: str | None) -> ParsedFeed | None:
    """The feed read as `parse_feed` reads it, when it is well-formed UTF-8 RSS 2.0 or Atom 1.0 served as XML
    (`content_type`), with nothing feedparser would read otherwise; else None."""
    if not _xml_utf8(data, content_type):
        return None
    head = data[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head or b"xml:base" in data:
        return None  # a DTD, entities; relative bases
    if _ODD_CHARACTERS.search(data):
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True,
                             strip_cdata=True)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root.getroottree().docinfo.doctype:
        return None  # a DTD further down than the check above looked
    try:
        if root.tag == "rss" and root.get("version") == "2.0" and b"xml:lang" not in data:
            return _rss(root, url)
        if root.tag == _ATOM_FEED_TAG:
            return _atom(root, url)
    except _Decline:
        return None
    return None


def _xml_utf8(data: bytes, content_type: str | None) -> bool:
    """Served as XML (else feedparser calls the feed ill-formed), and UTF-8 by everything that says which
    encoding it is in."""
    if not content_type or not _XML_TYPE.match(content_type):
        return False
    charset = _CHARSET.search(content_type)
    if charset and charset.group(1).lower() not in _UTF8:
        return False
    if not charset and content_type.lstrip().lower().startswith("text/") and not data.isascii():
        return False  # text/xml without a charset is US-ASCII (RFC 3023): feedparser judges it
    declared = _DECLARED.match(data[:200].lstrip(b"\xef\xbb\xbf"))
    return declared is None or declared.group(1).lower() in (b"utf-8", b"utf8")


def _text(el: etree._Element | None) -> str | None:
    if el is None:
        return None
    text = "".join(el.itertext()) if len(el) else (el.text or "")
    if "<![CDATA[" in text or ("<" in text and _DOCUMENT.search(text)):
        raise _Decline  # a CDATA section inside another, a whole page: feedparser cleans them its way
    return text.strip() or None


def _plain(el: etree._Element | None) -> str | None:
    """A text field (title, author): declined when it holds markup, which feedparser sanitizes."""
    text = _text(el)
    if el is not None and len(el):
        raise _Decline
    if text and "<" in text:
        raise _Decline
    return text


def _date(text: str | None) -> datetime | None:
    return utc_date(_parse_date(text) if text else None)


def utc_date(value: time.struct_time | None) -> datetime | None:
    """A date feedparser read (a UTC `struct_time`), as a datetime; None when there is none or it is out of range."""
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc)
    except (OverflowError, ValueError, OSError):
        return None


class _Elements(dict[str, list[etree._Element]]):
    """A parent's child elements by tag, read in one pass."""

    def one(self, tag: str) -> etree._Element | None:
        """The child `tag`, declined when there are several (feedparser keeps the last of some)."""
        found = self.get(tag)
        if not found:
            return None
        if len(found) > 1:
            raise _Decline
        return found[0]

    def text(self, tag: str) -> str | None:
        return _text(self.one(tag))


def _children(parent: etree._Element, allowed: set[str], nested: frozenset[str] = frozenset()) -> _Elements:
    """`parent`'s elements by tag. Declined: an element feedparser may read into a field (one in a namespace
    it reads, not among `allowed`), elements inside a text field (an image in a category: feedparser reads
    their titles) unless the field is among `nested`, and an Atom alternate link in RSS (feedparser takes it
    for the link; others, `self`, are not read)."""
    out = _Elements()
    for child in parent:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag not in allowed:
            if (tag[1:].split("}", 1)[0] if tag[0] == "{" else "") in _WATCHED_NS:
                raise _Decline
            continue
        if len(child) and tag not in nested:
            raise _Decline
        if tag == _ATOM_LINK and parent.tag != _ATOM_FEED_TAG and parent.tag != _ATOM_ENTRY_TAG \
                and (child.get("rel") or "alternate") == "alternate":
            raise _Decline
        out.setdefault(tag, []).append(child)
    for container in nested & _MEDIA_CONTAINERS:
        for element in out.get(container, ()):
            _children(element, _MEDIA_INNER, frozenset({f"{{{MEDIA}}}content"}))
    return out


def _rss(root: etree._Element, url: str) -> ParsedFeed:
    channel = _children(root, {"channel"}, frozenset({"channel"})).one("channel")
    if channel is None:
        raise _Decline
    found = _children(channel, _RSS_CHANNEL, _RSS_CHANNEL_NESTED)
    language = found.text("language") or found.text(f"{{{DC}}}language")
    return ParsedFeed(
        title=_plain(found.one("title")),
        link=_uri(url, found.text("link")),
        entries=tuple(_rss_item(item, url) for item in found.get("item", ())),
        format="rss20",
        ttl_seconds=feed_interval(found.text("ttl"), found.text(f"{{{SY}}}updatePeriod"),
                                  found.text(f"{{{SY}}}updateFrequency")),
        language=(language or "").split("-")[0].lower() or None,
    )


def _rss_item(item: etree._Element, url: str) -> FeedEntry:
    found = _children(item, _RSS_ITEM, _MEDIA_CONTAINERS)
    author = found.one("author")
    if author is None:
        author = found.one(f"{{{DC}}}creator")
    elif f"{{{DC}}}creator" in found:
        raise _Decline  # both: feedparser's choice
    published = _date(found.text("pubDate"))
    updated = _date(found.text(f"{{{DC}}}date")) or published
    guid_el = found.one("guid")
    guid, link = _text(guid_el), _uri(url, found.text("link"))
    if guid and guid_el is not None and (guid_el.get("isPermaLink") or "true").lower() != "false":
        guid = _uri(url, guid)  # a permalink: resolved, and the entry's link when it has none
        link = link or guid
    return FeedEntry(
        guid=guid,
        url=link,
        title=_plain(found.one("title")),
        summary=found.text("description"),
        content=_longest([*found.get(f"{{{CONTENT}}}encoded", ()), *_captions(item, found)]),
        author=_plain(author),
        published=published or updated,
        updated=updated,
    )


def _captions(parent: etree._Element, found: _Elements) -> list[etree._Element]:
    """The media descriptions of an item or entry (its own and its media containers'), which feedparser
    counts among the content."""
    if not (found.keys() & _MEDIA_CAPTIONED):
        return []
    return list(parent.iter(f"{{{MEDIA}}}description"))


def _longest(elements: list[etree._Element], first: str | None = None) -> str | None:
    """feedparser's entry content: the longest of its values (`first`, then the elements' texts)."""
    values = ([first or ""] if first is not None else []) + [_text(e) or "" for e in elements]
    return (max(values, key=len) or None) if values else None


def _uri(base: str, value: str | None) -> str | None:
    """A link or id made absolute against the feed's URL, as feedparser makes it."""
    return _urljoin(base, value) or None if value else None


_SY_PERIOD = {"hourly": 3600, "daily": 86400, "weekly": 7 * 86400, "monthly": 30 * 86400, "yearly": 365 * 86400}


def feed_interval(ttl: object, period: object, frequency: object) -> int | None:
    """The feed's own least time between polls: RSS `ttl` (minutes) or `sy:updatePeriod` / `sy:updateFrequency`."""
    hints = []
    ttl = str(ttl or "").strip()
    if ttl.isdigit() and int(ttl) > 0:
        hints.append(int(ttl) * 60)
    seconds = _SY_PERIOD.get(str(period or "").strip().lower())
    if seconds:
        freq = str(frequency or "1").strip()
        hints.append(seconds // max(1, int(freq)) if freq.isdigit() else seconds)
    return max(hints) if hints else None


def _atom(root: etree._Element, url: str) -> ParsedFeed:
    found = _children(root, _ATOM_FEED, _ATOM_NESTED)
    return ParsedFeed(
        title=_atom_text(found.one(f"{{{ATOM}}}title"), title=True),
        link=_atom_link(found, url),
        entries=tuple(_atom_entry(e, url) for e in found.get(_ATOM_ENTRY_TAG, ())),
        format="atom10",
        language=(root.get(XML_LANG) or "").strip().split("-")[0].lower() or None,
    )


def _atom_entry(entry: etree._Element, url: str) -> FeedEntry:
    found = _children(entry, _ATOM_ENTRY, _ATOM_NESTED | _MEDIA_CONTAINERS)
    published = _date(found.text(f"{{{ATOM}}}published"))
    updated = _date(found.text(f"{{{ATOM}}}updated"))
    content = found.one(f"{{{ATOM}}}content")
    if content is not None and content.get("src"):
        raise _Decline
    return FeedEntry(
        guid=_uri(url, found.text(f"{{{ATOM}}}id")),
        url=_atom_link(found, url),
        title=_atom_text(found.one(f"{{{ATOM}}}title"), title=True),
        summary=_atom_text(found.one(f"{{{ATOM}}}summary")),
        content=_longest(_captions(entry, found), first=_atom_text(content)),
        author=_atom_author(found),
        published=published or updated,
        updated=updated or published,
    )


def _atom_text(el: etree._Element | None, title: bool = False) -> str | None:
    """An Atom text construct (`text` or `html`); declined when it is XHTML or holds what feedparser would
    clean (markup in a title or in text, an entity in an HTML title)."""
    if el is None:
        return None
    kind = (el.get("type") or "text").lower()
    if kind not in ("text", "html") or len(el):
        raise _Decline
    text = _text(el)
    if text and (("<" in text and (title or kind == "text")) or (title and kind == "html" and "&" in text)):
        raise _Decline
    return text


def _atom_link(found: _Elements, url: str) -> str | None:
    """The alternate link; declined without one (feedparser takes the id, or another link, then)."""
    for link in found.get(_ATOM_LINK, ()):
        if (link.get("rel") or "alternate") == "alternate" and link.get("href"):
            return _uri(url, link.get("href"))
    raise _Decline


def _atom_author(found: _Elements) -> str | None:
    authors = found.get(f"{{{ATOM}}}author")
    if not authors:
        return None
    if len(authors) > 1:
        raise _Decline  # feedparser keeps the last
    parts = _children(authors[0], {f"{{{ATOM}}}{n}" for n in ("name", "email", "uri")})
    name, email = _plain(parts.one(f"{{{ATOM}}}name")), _plain(parts.one(f"{{{ATOM}}}email"))
    return f"{name} ({email})" if name and email else name or email
