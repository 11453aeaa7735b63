"""The page's HTML tree as trafilatura parses it, with each element's Python class chosen in C.

lxml.html asks a Python method (``HtmlElementClassLookup.lookup``) for the
class of every element proxy it makes, and trafilatura's passes make a great
many (every ``iter``, XPath result and ancestor walk): the callback alone cost
about 8% of extraction time. Here the same parser settings use lxml's C-level
default lookup instead: every element is an ``HtmlElement`` (lxml.html's
``FormElement``, ``InputElement`` ... only add form-filling helpers that
neither trafilatura nor we call). The class stays with the tree's document,
so trafilatura's copies of it keep the fast lookup. Output is unchanged
(``benchmarks/extraction_outputs.py``: every field of every page of both
extraction sets identical).
"""

from __future__ import annotations

import threading

import trafilatura
import trafilatura.utils
from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HTMLParser, HtmlProcessingInstruction

# trafilatura's own parser settings (trafilatura.utils.HTML_PARSER)
_PARSER = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True)
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
    )
)

_SWAP = threading.Lock()  # one swap of trafilatura's parser at a time


def load_html(html: bytes) -> HtmlElement | None:
    """trafilatura.load_html (its decoding, repairs and checks), parsing with the parser above.

    trafilatura reads its parser from a module global at each call, so the
    global points at ours for this one call, under a lock (the web console's
    workbench extracts in threads; a trafilatura call of someone else's in
    another thread meanwhile would get an equivalent tree).
    """
    if not hasattr(trafilatura.utils, "HTML_PARSER"):  # a trafilatura that parses otherwise
        return trafilatura.load_html(html)
    with _SWAP:
        saved = trafilatura.utils.HTML_PARSER
        trafilatura.utils.HTML_PARSER = _PARSER
        try:
            return trafilatura.load_html(html)
        finally:
            trafilatura.utils.HTML_PARSER = saved
