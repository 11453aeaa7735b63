"""Small facts about HTML documents: is it HTML, which feeds does it advertise; links made absolute."""

from __future__ import annotations

import codecs
import re
from typing import Any, Collection, Iterator
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
    return "\n".join(text_lines(root, _SUMMARY_BLOCKS))


_SUMMARY_BLOCKS = frozenset(("br", "p", "div", "li", "h1", "h2", "h3", "h4", "blockquote"))


# what str.splitlines breaks a line at
_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def text_lines(el: Any, ends: Collection[str], starts: Collection[str] = ()) -> Iterator[str]:
    """The text of an element as `text_content()` joins it, a line per block, blank lines dropped and spaces
    collapsed: a line ends after each element whose tag is in `ends`, and before the own text of each one in
    `starts`.

    Made by walking the tree, which is left as it is: no copy of a big page's tree, no text set on it (lxml
    refuses a control character such as a form feed in text it is given, though it reads one from a page),
    and each line made as it is taken."""
    line: list[str] = []

    def ended() -> str | None:
        text = " ".join("".join(line).split())
        line.clear()
        return text or None

    def pieces(text: str) -> Iterator[str]:  # the lines `text` ends, its last piece left in `line`
        parts = _BREAK.split(text)
        line.append(parts[0])
        for part in parts[1:]:
            if (done := ended()) is not None:
                yield done
            line.append(part)

    stack: list[tuple[Any, bool]] = [(el, False)]
    while stack:
        e, closing = stack.pop()
        if closing:
            if e is not el:
                if e.tag in ends:
                    if (done := ended()) is not None:
                        yield done
                if e.tail:
                    yield from pieces(e.tail)
            continue
        if isinstance(e.tag, str):  # (a comment's or processing instruction's own text is not shown)
            if e.text:
                if e.tag in starts and (done := ended()) is not None:
                    yield done
                yield from pieces(e.text)
            stack.append((e, True))
            stack.extend((child, False) for child in reversed(e))
        else:
            stack.append((e, True))
    if (done := ended()) is not None:
        yield done
