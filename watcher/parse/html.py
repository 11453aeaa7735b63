"""Small facts about HTML documents: is it HTML, which feeds does it advertise; links made absolute."""

from __future__ import annotations

import codecs
import re
from urllib.parse import urljoin, urlsplit

_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([^\s;\"']+)", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*>")


def html_source(data: bytes, content_type: str | None = None) -> str | bytes:
    """An HTML document as lxml.html should read it. lxml reads bytes in the encoding a `<meta>` names, else in
    Latin-1, never in the one the Content-Type header gives: a UTF-8 page whose charset is only in the header
    became mojibake. So: bytes that are UTF-8 are read as UTF-8, else as the header's charset; a document with
    a byte order mark, or without a charset we know, is left to lxml."""
    if data.startswith(_BOMS):
        return data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        m = _CHARSET.search(content_type or "")
        try:
            text = data.decode(m.group(1), errors="replace") if m else None
        except LookupError:  # a charset Python does not know
            text = None
        if text is None:
            return data
    return _XML_DECLARATION.sub("", text, count=1)  # (lxml refuses text that declares an encoding)


def absolute_url(base: str, link: str) -> str:
    """`link` resolved against `base`. A link too broken to resolve ('http://[::1') stays as it is: it is one
    entry's problem, which its fetch reports, never the whole document's."""
    try:
        return urljoin(base, link.strip())
    except ValueError:
        return link.strip()


def looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head or b"<body" in head


def advertised_feeds(data: bytes, url: str) -> list[str]:
    """Feed URLs a page links to (`<link rel=alternate>`, or feed-looking anchors)."""
    from trafilatura.feeds import (  # only page sources need it
        FeedParameters,
        determine_feed,
    )
    host = urlsplit(url).netloc
    base = f"{urlsplit(url).scheme}://{host}"
    text = data.decode("utf-8", errors="replace")
    try:
        return determine_feed(text, FeedParameters(base, host, url))
    except Exception:  # a broken page simply advertises nothing
        return []


def html_to_text(fragment: str | None) -> str:
    """Plain text of an HTML fragment (a feed summary), one paragraph per line."""
    if not fragment:
        return ""
    import lxml.html
    from lxml import etree

    if "<" not in fragment:
        return " ".join(fragment.split())
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return " ".join(fragment.split())
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for block in root.iter("p", "div", "li", "h1", "h2", "h3", "h4", "blockquote"):
        block.tail = "\n" + (block.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)
