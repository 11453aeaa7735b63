"""Photo galleries embedded in an article: pruned before trafilatura reads the page.

A slideshow widget inside the story's container ("1/40", a caption per
photo, player buttons) passes trafilatura's tests as text and can outweigh
the article itself. An element whose class or id names a gallery, slideshow
or carousel, holding several pictures or items, is dropped, unless it holds
half the page's text or more (then the gallery is the page); body.py reads the
page whole again when nothing is left without the galleries.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

_GALLERY = re.compile(r"gallery|slideshow|carousel", re.IGNORECASE)
_MIN_ITEMS = 3  # <li>, <figure> or <img> inside
_MAX_PAGE_SHARE = 0.5
_NEVER = frozenset({"html", "body", "main", "article"})
# Every class and id value of the page, each able to name its element (a smart string): only the elements
# whose value names a gallery become Python objects, not every element with a class or id.
_NAMES = etree.XPath("descendant-or-self::*/@class | descendant-or-self::*/@id")


def find_galleries(tree: HtmlElement) -> list[HtmlElement]:
    """The outermost gallery widgets of the page."""
    page_chars = None  # the body's text, measured once a candidate needs it (most pages have none)
    doomed: list[HtmlElement] = []
    named = (value.getparent() for value in _NAMES(tree) if _GALLERY.search(value))
    for el in dict.fromkeys(named):  # in document order, once each (its class and its id may both match)
        if el.tag in _NEVER:
            continue
        if any(ancestor in doomed for ancestor in el.iterancestors()):
            continue
        items = sum(1 for _ in el.iter("li", "figure", "img"))
        if items < _MIN_ITEMS:
            continue
        if page_chars is None:
            body = tree.find("body")
            page_chars = _chars(body) if body is not None else 0
        if _chars(el) < _MAX_PAGE_SHARE * page_chars:
            doomed.append(el)
    return doomed


def _chars(el: HtmlElement) -> int:
    return len(" ".join(el.text_content().split()))
