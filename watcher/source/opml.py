"""OPML subscription lists (feed reader exports) turned into `sources:` entries."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.entities import name2codepoint
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import yaml
from lxml import etree

from watcher.errors import WatcherError
from watcher.parse.chars import storable_charrefs

if TYPE_CHECKING:
    from watcher.config import SourceConfig


@dataclass(frozen=True)
class ImportedSource:
    id: str
    url: str
    title: str | None
    tags: tuple[str, ...]


class OpmlError(WatcherError):
    """The file is not an OPML document we can read; the message is one line."""


# Letters NFKD leaves alone. Cyrillic is spelled out because exports from
# Russian/Ukrainian readers would otherwise lose every folder name.
_TRANSLIT = str.maketrans(
    {
        "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "ı": "i",
        "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "ye",
        "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m",
        "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ў": "u", "ф": "f",
        "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e",
        "ю": "yu", "я": "ya",
    }
)
_MAX_SLUG = 60  # long blog titles make unwieldy ids
# Characters PyYAML accepts in a stream, minus its line breaks (\x85, \u2028, \u2029):
# anything else in a `# title` comment would break the file or end the comment early.
_NOT_COMMENT_SAFE = re.compile("[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LXML_POSITION = re.compile(r",\s*line \d+, column \d+\s*$")
# HTML's named characters, which XML does not know: exports written by hand or by HTML-minded tools put
# `&nbsp;` or `&eacute;` in titles; written as numbers they read as the characters they name
_HTML_NAMED = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_NAMED = frozenset({"amp", "lt", "gt", "quot", "apos"})


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens; '' when nothing Latin-like is left."""
    text = unicodedata.normalize("NFKD", text.lower().translate(_TRANSLIT))
    text = text.encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"['`]", "", text)  # "Bob's Blog" -> bobs-blog, not bob-s-blog
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > _MAX_SLUG:
        cut = slug[:_MAX_SLUG]
        slug = (cut.rsplit("-", 1)[0] if "-" in cut else cut).strip("-")
    return slug


def read_opml(data: bytes, existing_ids: frozenset[str] = frozenset()) -> list[ImportedSource]:
    """The feeds of an OPML file in document order, with ids unique in the file and vs `existing_ids`."""
    root = _parse(data)
    if not isinstance(root.tag, str) or etree.QName(root).localname.lower() != "opml":
        name = etree.QName(root).localname if isinstance(root.tag, str) else "?"
        raise OpmlError(f"not an OPML file: the root element is <{name}>, not <opml>")
    body = next((c for c in root if isinstance(c.tag, str) and etree.QName(c).localname.lower() == "body"), None)
    if body is None:
        raise OpmlError("not an OPML file: <opml> has no <body>")

    taken = set(existing_ids)
    seen_urls: set[str] = set()
    sources: list[ImportedSource] = []
    for attrs, tags in _feed_outlines(body, ()):
        url = _attr(attrs, "xmlurl")
        if url is None or url in seen_urls or not _is_http(url):
            continue
        seen_urls.add(url)
        title = _name(attrs)
        base = slugify(title or "") or _host_slug(url)
        source_id = _unique(base, taken)
        taken.add(source_id)
        sources.append(ImportedSource(id=source_id, url=url, title=title, tags=tags))
    return sources


def sources_yaml(sources: list[ImportedSource]) -> str:
    """YAML text of a top-level `sources:` list, each entry under a `# title` comment."""
    if not sources:
        return "sources: []\n"
    lines = ["sources:"]
    for s in sources:
        if s.title:
            lines.append(f"  # {_NOT_COMMENT_SAFE.sub(' ', s.title).strip()}")
        entry: dict[str, object] = {"id": s.id, "url": s.url}
        if s.tags:
            entry["tags"] = list(s.tags)
        # safe_dump does the quoting; a huge width keeps long URLs on one line.
        dumped = yaml.safe_dump([entry], sort_keys=False, allow_unicode=True, width=2**31 - 1)
        lines.extend("  " + line for line in dumped.splitlines())
    return "\n".join(lines) + "\n"


def _numbered(found: re.Match[bytes]) -> bytes:
    name = found[1].decode("ascii")
    if name in _XML_NAMED or name not in name2codepoint:
        return found[0]  # XML's own, or a name HTML does not have either: the parser says what it makes of it
    return b"&#%d;" % name2codepoint[name]


def _parse(data: bytes) -> etree._Element:
    # No entity substitution, no DTD or network access, libxml2's size limits on:
    # a billion-laughs bomb fails fast and an external entity is never read.
    if b"<!ENTITY" not in data:  # a document that declares entities of its own keeps them (and they stay unread)
        data = _HTML_NAMED.sub(_numbered, data)
    data = storable_charrefs(data)  # (`&#xD800;`, `&#0;`: U+FFFD, not a refused document)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        msg = " ".join(_LXML_POSITION.sub("", e.msg or str(e)).split())
        raise OpmlError(f"invalid XML at line {e.lineno}: {msg}") from None


def _feed_outlines(parent: etree._Element, tags: tuple[str, ...]) -> Iterator[tuple[dict[str, str], tuple[str, ...]]]:
    """(attributes, folder tags) of every outline that has an xmlUrl, in document order."""
    for el in parent:
        if not isinstance(el.tag, str) or etree.QName(el).localname.lower() != "outline":
            continue
        # Attribute names are case-insensitive in practice (xmlUrl, xmlurl, XMLURL).
        attrs = {etree.QName(k).localname.lower(): v for k, v in el.attrib.items()}
        if _attr(attrs, "xmlurl") is not None:
            yield attrs, tags
            yield from _feed_outlines(el, tags)  # odd but seen: outlines nested in a feed
        else:
            tag = slugify(_name(attrs) or "")
            # A folder whose name leaves no slug (e.g. Chinese) adds no tag.
            yield from _feed_outlines(el, tags + (tag,) if tag and tag not in tags else tags)


def _attr(attrs: dict[str, str], name: str) -> str | None:
    return attrs.get(name, "").strip() or None


def _name(attrs: dict[str, str]) -> str | None:
    """An outline's display name: OPML's required `text`, else `title`."""
    name = _attr(attrs, "text") or _attr(attrs, "title")
    return " ".join(name.split()) if name else None  # exports wrap and indent long titles


def _is_http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _host_slug(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return slugify(host.removeprefix("www.")) or "feed"


def _unique(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def opml_document(sources: Iterable[SourceConfig]) -> str:
    """The configured sources as an OPML 2.0 file (secrets in URLs masked), each source's tags as its category."""
    from xml.sax.saxutils import escape

    from watcher.logs import redact_link

    quote = {'"': "&quot;"}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<opml version="2.0"><head><title>watcher sources</title></head><body>']
    for s in sources:
        cat = f' category="{escape(",".join(s.tags), quote)}"' if s.tags else ""
        lines.append(f'<outline type="rss" text="{escape(s.id, quote)}" title="{escape(s.id, quote)}" '
                     f'xmlUrl="{escape(redact_link(s.url), quote)}"{cat}/>')
    lines.append("</body></opml>")
    return "\n".join(lines) + "\n"
