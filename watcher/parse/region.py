"""The watched region of a page or JSON document, as plain text lines (pure: bytes in, text out).

A `type: watch` source versions this text: the page's main text, the elements a CSS selector or an XPath
selects, or the values a JSON path finds; `ignore` patterns (timestamps, counters) are removed first so
they make no change of their own.
"""

from __future__ import annotations

import json as jsonlib
from dataclasses import dataclass
from itertools import chain
from typing import Any, Iterable, Iterator

from watcher.parse.chars import storable
from watcher.parse.html import html_source, text_lines

NOISE = ("script", "style", "noscript", "template", "svg")
CHROME = ("nav", "header", "footer", "aside", "form")  # page furniture, left out of the main text
BLOCKS = frozenset(("p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article",
                    "main", "pre", "dd", "dt", "table", "ul", "ol", "td", "th"))
_ENDS = BLOCKS | {"br"}  # a line ends after each of these


class RegionError(ValueError):
    """The document cannot be read as the region asks (not HTML/JSON, nothing selected, a bad expression)."""


@dataclass(frozen=True)
class Region:
    css: str | None = None
    xpath: str | None = None
    json: str | None = None
    ignore: tuple[str, ...] = ()
    _compiled: Any = None  # the XPath (CSS is translated to one) or the JSON path
    _ignore: tuple[Any, ...] = ()

    @classmethod
    def of(cls, *, css: str | None = None, xpath: str | None = None, json: str | None = None,
           ignore: tuple[str, ...] = ()) -> "Region":
        """A region with its expression compiled; ValueError says what is wrong with it."""
        from watcher.match.regex import compile_user_regex

        compiled: Any = None
        if css:
            from cssselect import SelectorError
            from lxml.cssselect import CSSSelector

            try:
                compiled = CSSSelector(css)
            except SelectorError as e:
                raise ValueError(f"css '{css}' is not a CSS selector: {e}") from None
        elif xpath:
            from lxml import etree

            try:
                compiled = etree.XPath(xpath)
            except etree.XPathSyntaxError as e:
                raise ValueError(f"xpath '{xpath}' is not an XPath: {e}") from None
        elif json:
            from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
            from jsonpath_ng.ext import parse

            try:
                compiled = parse(json)
            except (JsonPathLexerError, JsonPathParserError, ValueError, TypeError, AttributeError) as e:
                raise ValueError(f"json '{json}' is not a JSON path: {e}") from None
        return cls(css, xpath, json, ignore, compiled, tuple(compile_user_regex(p) for p in ignore))

    @property
    def label(self) -> str:
        if self.css:
            return f"css {self.css}"
        if self.xpath:
            return f"xpath {self.xpath}"
        if self.json:
            return f"json {self.json}"
        return "main text"

    def text(self, data: bytes, content_type: str = "", limit: int | None = None) -> str:
        """The region's text, one line per block or value, ignore patterns removed, blank lines dropped. With
        `limit`, the lines past the first `limit` characters are not made (the text is longer than `limit`
        then, and begins as the whole text does)."""
        if self.json or _is_json(data, content_type):
            lines: Iterable[str] = self._json_lines(data)
        else:
            lines = self._html_lines(html_source(data, content_type))
        out = []
        size = -1
        for line in lines:
            for rx in self._ignore:
                line = rx.sub("", line)
            line = " ".join(line.split())
            if line:
                out.append(line)
                size += len(line) + 1
                if limit is not None and size > limit:
                    break
        return "\n".join(out)

    def _json_lines(self, data: bytes) -> list[str]:
        try:
            return self._json_values(data)
        except RecursionError:  # (a document of 100,000 nested arrays is a few hundred KB)
            raise RegionError("not JSON this reader can take: nested too deeply") from None

    def _json_values(self, data: bytes) -> list[str]:
        try:
            doc = jsonlib.loads(data.decode("utf-8-sig", errors="replace"))
        except ValueError as e:
            raise RegionError(f"not JSON: {e}") from None
        # (a value's "\ud800" or "\u0000" is a character no store keeps: U+FFFD; lxml reads HTML's as U+FFFD itself)
        if self._compiled is None:
            return storable(jsonlib.dumps(doc, indent=1, ensure_ascii=False, sort_keys=True)).splitlines()
        values = [m.value for m in self._compiled.find(doc)]
        if not values:
            raise RegionError(f"{self.label} finds nothing in the document")
        return [storable(v if isinstance(v, str) else jsonlib.dumps(v, ensure_ascii=False, sort_keys=True))
                for v in values]

    def _html_lines(self, data: str | bytes) -> Iterable[str]:
        import lxml.html
        from lxml import etree

        try:
            root = lxml.html.document_fromstring(data)
        except (etree.ParserError, ValueError) as e:
            raise RegionError(f"not an HTML page: {e}") from None
        for el in list(root.iter(*NOISE)):
            _drop(el)
        if self._compiled is None:
            main = root.find(".//main")
            main = root.find(".//article") if main is None else main
            if main is None:
                main = root.find("body") if root.find("body") is not None else root
                for el in list(main.iter(*CHROME)):
                    _drop(el)
            return element_lines(main)
        try:
            found = self._compiled(root)
        except etree.XPathError as e:
            raise RegionError(f"{self.label}: {e}") from None
        if isinstance(found, (str, bytes, float, bool)):
            found = [found]
        if not found:
            raise RegionError(f"{self.label} selects nothing on the page")
        # (an attribute or text() result is a line of its own)
        return chain.from_iterable(element_lines(item) if isinstance(item, etree._Element) else (str(item),)
                                   for item in found)


def element_lines(el: Any) -> Iterator[str]:
    """The visible text of an element, a line per block (paragraph, list item, row, heading), blank lines
    dropped; the tree is left as it is (`watcher.parse.html.text_lines`)."""
    return text_lines(el, _ENDS, BLOCKS)


def _drop(el: Any) -> None:
    """Take an element out of the text, its tail text kept where it is: emptied and renamed, not removed (removing
    it joins its tail to the text before it, and lxml refuses to set text holding a control character)."""
    el.clear(keep_tail=True)
    el.tag = "dropped"


def _is_json(data: bytes, content_type: str) -> bool:
    if "json" in content_type.lower():
        return True
    head = data[:64].lstrip()
    return head[:1] in (b"{", b"[")
