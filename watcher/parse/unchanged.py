"""A feed's entries that are byte for byte the ones a poll read before, cut out before feedparser reads it.

A changed feed mostly lists entries the source listed already: a newsroom's
50 KB feed of 20 reports gains one. feedparser, in pure Python, costs ~1 ms
per KB, so reading the whole document again at each change was most of a
changed feed's cost. Here expat (in C) finds each entry's byte range; an entry
whose bytes are those of an entry the source's last polls read and stored
(`ItemMemory`, kept in the source's state) is cut out, and feedparser reads
the rest: the document's own bytes, every byte outside the cut entries in
place, so the entries it reads are read exactly as in the whole document.

The cut is made only where that holds:

- the document is one of three shapes (RSS 2.0 items in one channel, Atom
  entries, RSS 1.0 items), well-formed with its namespaces, without a DOCTYPE
  (no entities declared), in an encoding where markup is ASCII;
- what an entry's reading depends on besides its own bytes did not change
  (`context`: the URL it came from, its Content-Type, the XML declaration, the
  start tags of the entries' ancestors with their namespaces, `xml:base` and
  `xml:lang`); the channel's own children (title, lastBuildDate) do not count;
- feedparser keeps state from one element to the next that one entry, or
  the channel's children, can leave changed for the entries after it: a
  namespace declared anywhere holds for the rest of the document, a base URI
  or language can outlive its element, an element inside one that feedparser
  reads as content (title, description, content:encoded, itunes:summary,
  feedburner:browserFriendly, ...: found from feedparser's own handlers)
  unbalances its count of open content elements, an entry's `<image>` or
  `<textinput>` writes into the feed's. So no element but the entries'
  ancestors may declare a namespace, a base URI or a language, no element
  may stand inside content, no entry may hold an image or textinput, and no
  element named as a feed's or an entry's structure (in any case) may stand
  anywhere but where it belongs. Elements are named as feedparser names them
  (`media:content`, with parts of its own, is not content; `itunes:image` is
  not an image);
- the entries stand together, nothing else between them, and the document's
  first entry is always read: what the channel's children leave for the
  next entry (a channel `description` after an `itunes:summary` makes that
  entry's description its content; an entry's end clears it) is then left
  for the same entry in both readings;
- feedparser then reads the cut document with its strict parser in the
  encoding the headers declare, the whole document decodes in it too, and it
  finds one entry per range left (`watcher.parse.items` checks, and reads the
  whole document otherwise).
"""

from __future__ import annotations

import hashlib
import pyexpat
import re
import struct
from dataclasses import dataclass
from functools import cache
from typing import Collection
from datetime import datetime, timezone

# bump when a change to how entries are read (keys, dates) must not trust what earlier releases remembered
READING = b"watcher-entries-1"
MAX_REMEMBERED = 500  # entries remembered per source (a feed listing more has the rest read at each change)
_NO_DATE = -(2**63)

_RSS_ITEM = "item"
_ATOM = "http://www.w3.org/2005/Atom "
_RDF_ROOT = "http://www.w3.org/1999/02/22-rdf-syntax-ns# RDF"
_RDF_ITEMS = ("http://purl.org/rss/1.0/ item", "http://my.netscape.com/rdf/simple/0.9/ item")
# names feedparser gives a feed's or an entry's structure (in any case, under most prefixes): only where they belong
_STRUCTURE = frozenset({"item", "entry", "channel", "feed", "rss", "rdf"})
_SCOPED = frozenset({"base", "lang"})  # attributes (xml: or not) that feedparser reads as a base URI or language
_FEED_PARTS = frozenset({"image", "textinput"})  # inside an entry, feedparser files their children under the feed's


@cache
def _content_handlers() -> frozenset[str]:
    """The elements feedparser reads as content (title, description, content:encoded, itunes:summary, ...), by its
    handler names: those whose start handler pushes content, or calls one that does."""
    from feedparser.api import StrictFeedParser

    import watcher.parse.feed  # noqa: F401  (its change to feedparser's media:description handler first)

    starts = {n.removeprefix("_start_"): getattr(StrictFeedParser, n) for n in dir(StrictFeedParser)
              if n.startswith("_start_")}
    found: set[str] = set()
    grown = True
    while grown:
        grown = False
        for name, handler in starts.items():
            called = set(getattr(getattr(handler, "__code__", None), "co_names", ()))
            if name not in found and ("push_content" in called or any(f"_start_{c}" in called for c in found)):
                found.add(name)
                grown = True
    return frozenset(found)


@cache
def _known_namespaces() -> dict[str, str]:
    """feedparser's prefix for each namespace it knows, by the namespace's URI in lower case."""
    from feedparser.mixin import _FeedParserMixin

    return {uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()}


class _Unfit(Exception):
    """The document is not one whose entries can be cut out safely."""


@dataclass(frozen=True)
class FeedLayout:
    """Where a feed document's entries lie: their byte ranges and digests in document order, and the digest of
    what reading them depends on besides their own bytes."""

    context: bytes
    spans: tuple[tuple[int, int], ...]
    digests: tuple[bytes, ...]


def feed_layout(data: bytes, url: str, content_type: str | None) -> FeedLayout | None:
    """The layout of `data`, or None when its entries cannot be cut out safely (see the module's docstring)."""
    if data[:64].lstrip()[:1] not in (b"<", b"\xef"):  # UTF-16/32, JSON, or not markup: not this reader's case
        return None
    scan = _Scan(url, content_type)
    try:
        scan.parser.Parse(data, True)
    except (pyexpat.ExpatError, _Unfit, ValueError, LookupError):  # LookupError: an encoding expat lacks
        return None
    if scan.item_depth is None or not all(_end_tag_at(data, start, end) for start, end in scan.spans):
        return None
    spans = tuple((start, data.index(b">", end) + 1) for start, end in scan.spans)
    digests = tuple(hashlib.blake2b(data[s:e], digest_size=8).digest() for s, e in spans)
    return FeedLayout(hashlib.blake2b(repr(scan.context).encode() + READING, digest_size=8).digest(), spans, digests)


_NAME_END = re.compile(rb"[\s/>]")


def _end_tag_at(data: bytes, start: int, end: int) -> bool:
    """Whether the entry that starts at `start` has its end tag at `end` (expat tells where an end event is, and
    an empty-element entry, `<item/>`, has no end tag: its event stands after it)."""
    m = _NAME_END.search(data, start + 1)
    qname = data[start + 1 : m.start()] if m else b""
    return bool(qname) and data.startswith(b"</" + qname, end) and data[end + 2 + len(qname) : end + 3 + len(qname)] in (
        b">", b" ", b"\t", b"\r", b"\n")


def _split(qualified: str) -> tuple[str, str, str]:
    """expat's "uri local prefix" name (with `namespace_prefixes`) as its namespace, local name and prefix."""
    uri, _, rest = qualified.partition(" ") if " " in qualified else ("", "", qualified)
    local, _, prefix = rest.partition(" ")
    return uri, local, prefix


class _Scan:
    """One expat pass: the context (XML declaration, the entries' ancestors) and the entries' byte ranges."""

    def __init__(self, url: str, content_type: str | None) -> None:
        self.context: list[object] = [url, content_type]
        self.spans: list[tuple[int, int]] = []
        self.item_depth: int | None = None
        self.item_name = ""  # RSS 1.0 and 0.90 share the RDF root: its first item-named child says which
        self.depth = 0
        self.outer = ""  # the element at depth 1 the parser is in (RSS 2.0's items stand in the channel)
        self.channels = 0
        self.start = -1
        self.between = False  # an element beside the entries came after one of them
        self.declared: list[tuple[str | None, str]] = []  # namespaces declared for the element about to start
        self.prefixes: dict[str, str] = {}  # feedparser's own prefix for a prefix the ancestors declare
        self.open: list[str] = []  # feedparser's handler names of the open elements
        p = self.parser = pyexpat.ParserCreate(namespace_separator=" ")
        p.namespace_prefixes = True  # names come as "uri local prefix": feedparser goes by the prefix for some
        p.ordered_attributes = True
        p.XmlDeclHandler = lambda *decl: self.context.append(decl)
        p.StartDoctypeDeclHandler = self._doctype
        p.StartNamespaceDeclHandler = self._namespace
        p.StartElementHandler = self._start
        p.EndElementHandler = self._end

    def _doctype(self, *args: object) -> None:
        raise _Unfit("a DOCTYPE may declare entities")

    def _namespace(self, prefix: str | None, uri: str) -> None:
        self.declared.append((prefix, uri))

    def _start(self, qualified: str, attrs: list[str]) -> None:
        depth = self.depth
        self.depth = depth + 1
        uri, local, prefix = _split(qualified)
        name = f"{uri} {local}" if uri else local
        handler = self._handler(uri, local, prefix)
        if self.open and self.open[-1] in _content_handlers():
            raise _Unfit(f"an element {name!r} inside {self.open[-1]!r}")
        if self.start >= 0 and handler in _FEED_PARTS:
            raise _Unfit(f"an element {name!r} inside an entry")
        self.open.append(handler)
        lowered = local.lower()  # feedparser reads names in any case
        if depth == 0:
            self._root(name)
            self._ancestor(depth, name, attrs)
        elif depth == 1 and lowered == "channel" and not self.channels and self.item_depth == 2 and name == "channel":
            self.channels, self.outer = 1, name
            self._ancestor(depth, name, attrs)
        elif depth == 1 and lowered == "channel" and not self.channels and self.item_name != _ATOM + "entry":
            self.channels, self.outer = 1, name  # RSS 1.0's channel: beside its items
            self._beside(depth)
            self._inside(name, attrs)
        elif depth == self.item_depth and self._is_entry(name):
            if self.between:
                raise _Unfit("an element between two entries")
            self.start = self.parser.CurrentByteIndex
            self._inside(name, attrs)
        elif lowered in _STRUCTURE:
            raise _Unfit(f"an element named {name!r} at depth {depth}")
        else:
            if depth == 1:
                self.outer = name
            self._beside(depth)
            self._inside(name, attrs)

    def _handler(self, uri: str, local: str, prefix: str) -> str:
        """The name of feedparser's handler for the element (`_start_<name>`), as its strict parser makes it."""
        lowered = uri.lower()
        if "backend.userland.com/rss" in lowered:
            lowered = "http://backend.userland.com/rss"
        known = _known_namespaces().get(lowered, prefix or None)
        known = self.prefixes.get(known, known) if known else known
        return f"{known.lower()}_{local.lower()}" if known else local.lower()

    def _beside(self, depth: int) -> None:
        """An element at the entries' level that is not one: the entries after it would read after it."""
        if self.spans and self.start < 0 and depth == (self.item_depth if self.item_depth == 1 else 2) \
                and (self.item_depth == 1 or self.outer == "channel"):
            self.between = True

    def _ancestor(self, depth: int, name: str, attrs: list[str]) -> None:
        """An element the entries stand in: what it declares (namespaces, base, language) is their context."""
        known = _known_namespaces()
        for prefix, uri in self.declared:
            self.context.append(("xmlns", prefix, uri))
            if prefix and uri.lower() in known:
                self.prefixes[prefix] = known[uri.lower()]
        self.context.append((depth, name, tuple(attrs)))
        self.declared = []

    def _inside(self, name: str, attrs: list[str]) -> None:
        """Any other element. feedparser keeps a namespace declared anywhere for the rest of the document, and
        an element's base URI or language can outlive it there (a `div` in HTML content is never popped), so
        what an entry or a channel child declares could change how the entries after it read."""
        if self.declared:
            raise _Unfit(f"a namespace declared on {name!r}")
        if any(a.split(" ")[1 if " " in a else 0].lower() in _SCOPED for a in attrs[0::2]):  # (lower-cased there)
            raise _Unfit(f"a base URI or language set on {name!r}")

    def _is_entry(self, name: str) -> bool:
        if self.item_depth == 2:
            return name == _RSS_ITEM and self.outer == "channel"
        if not self.item_name and name in _RDF_ITEMS:
            self.item_name = name
        return name == self.item_name

    def _root(self, name: str) -> None:
        if name == "rss":
            self.item_depth, self.item_name = 2, _RSS_ITEM
        elif name == _ATOM + "feed":
            self.item_depth, self.item_name = 1, _ATOM + "entry"
        elif name == _RDF_ROOT:
            self.item_depth = 1
        else:
            raise _Unfit(f"root element {name!r}")

    def _end(self, qualified: str) -> None:
        self.depth -= 1
        self.open.pop()
        uri, local, _ = _split(qualified)
        name = f"{uri} {local}" if uri else local
        if self.depth == self.item_depth and name == self.item_name and self.start >= 0:
            self.spans.append((self.start, self.parser.CurrentByteIndex))
            self.start = -1


def cut(data: bytes, spans: tuple[tuple[int, int], ...], skip: set[int]) -> bytes:
    """`data` without the entries at the indexes in `skip`; every other byte in place."""
    parts, at = [], 0
    for i in sorted(skip):
        start, end = spans[i]
        parts.append(data[at:start])
        at = end
    parts.append(data[at:])
    return b"".join(parts)


def key_digest(key: str) -> bytes:
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()


@dataclass(frozen=True)
class Remembered:
    """An entry a source's feed listed and the store holds: its key's digest and its date."""

    key: bytes
    published: datetime | None


@dataclass(frozen=True)
class ItemMemory:
    """The entries of a source's feed that are stored, by the digest of their bytes (the poll's pace is read
    from every listed entry's date, and an entry's key counts once however often it is listed), under the
    context they were read in."""

    context: bytes
    entries: dict[bytes, Remembered]

    def to_bytes(self) -> bytes:
        parts = [self.context]
        for digest, r in list(self.entries.items())[:MAX_REMEMBERED]:
            when = int(r.published.timestamp()) if r.published else _NO_DATE
            parts.append(digest + r.key + struct.pack("<q", when))
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, blob: bytes | None) -> ItemMemory | None:
        """The memory stored as `blob`; None for none, or for a blob this release cannot read."""
        if not blob or len(blob) % _ENTRY != 8:
            return None
        entries: dict[bytes, Remembered] = {}
        for at in range(8, len(blob), _ENTRY):
            (seconds,) = struct.unpack_from("<q", blob, at + 16)
            try:
                when = None if seconds == _NO_DATE else datetime.fromtimestamp(seconds, timezone.utc)
            except (OverflowError, OSError, ValueError):
                return None
            entries[bytes(blob[at : at + 8])] = Remembered(bytes(blob[at + 8 : at + 16]), when)
        return cls(bytes(blob[:8]), entries)


_ENTRY = 24  # bytes a remembered entry takes: its digest, its key's, its date


@dataclass(frozen=True)
class Listed:
    """One entry a feed lists, counted once per key in document order: read now (`key` set) or left unread
    because it is remembered (`key` None: the store holds it)."""

    digest: bytes
    key_digest: bytes
    published: datetime | None
    key: str | None = None


@dataclass(frozen=True)
class Seen:
    """What a feed's reading leaves for the next poll to remember: the context and every listed entry."""

    context: bytes
    listed: tuple[Listed, ...]

    @property
    def unread(self) -> tuple[Listed, ...]:
        return tuple(e for e in self.listed if e.key is None)

    def memory(self, known: Collection[str]) -> bytes:
        """The memory to keep: the entries left unread and those read whose key the store now holds."""
        entries = {e.digest: Remembered(e.key_digest, e.published)
                   for e in self.listed if e.key is None or e.key in known}
        return ItemMemory(self.context, entries).to_bytes()
