"""Two paragraph-level repairs around trafilatura's passes (see body.py's list).

* ``mark_text_divs``: precision mode reads ``<div>`` text only when the page's
  ``<p>`` text is short (under trafilatura's minimum size), so a paragraph that
  a page writes as a bare ``<div>`` beside its ``<p>`` paragraphs is dropped,
  and with it the heading before it (a heading left last is deleted). A div
  that holds only text and inline elements, a sentence or more of words that
  are mostly not links, next to a ``<p>`` with text, is marked a paragraph for
  that pass.
* ``with_repeated_paragraphs``: trafilatura keeps one copy of paragraphs with
  the same text (it drops a block equal to the one before it, and its recovery
  of loose text skips text it already has); a page that repeats a paragraph
  inside one container shows it as many times, so the text does too.
"""

from __future__ import annotations

import re
from collections import Counter

from lxml.html import HtmlElement

# Elements that keep a <div> a run of text (anything else makes it a container).
_INLINE = frozenset(
    "a abbr b bdi bdo br cite code del dfn em font i img ins kbd mark picture q s samp small source span "
    "strong sub sup svg time u var wbr".split()
)
# A sentence at least, and links under a fifth of the words: not a menu or a button row.
_MIN_WORDS = 10
_MAX_LINK_SHARE = 0.2
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def mark_text_divs(tree: HtmlElement) -> None:
    """Rename to <p> each text-only <div> with prose that sits beside a <p> with text (edits tree)."""
    beside_p: dict[HtmlElement, bool] = {}  # per parent (a div renamed here has a <p> sibling already)
    for div in list(tree.iter("div")):
        parent = div.getparent()
        if parent is None:
            continue
        if parent not in beside_p:
            beside_p[parent] = any(sibling.tag == "p" and sibling.text_content().strip() for sibling in parent)
        if not beside_p[parent]:
            continue
        if any(isinstance(el.tag, str) and el.tag.lower() not in _INLINE for el in div.iterdescendants()):
            continue
        words = len(div.text_content().split())
        linked = sum(len(a.text_content().split()) for a in div.iter("a"))
        if words - linked >= _MIN_WORDS and linked < _MAX_LINK_SHARE * words:
            div.tag = "p"


def with_repeated_paragraphs(text: str, tree: HtmlElement) -> str:
    """text with each paragraph the page repeats among siblings as many times as the page shows it.

    Only visible ``<p>`` elements of one parent count, of a sentence or more,
    and only paragraphs the text already has (once or more) are repeated, next
    to their last copy.
    """
    lines = text.splitlines()
    normed = [norm(line) for line in lines]
    have = Counter(normed)
    missing: dict[str, int] = {}
    for parent in {p.getparent() for p in tree.iter("p")} - {None}:
        # only a paragraph the text has, and that the parent shows more often than that, can be missing: the
        # costlier visibility test runs for those alone
        siblings = [(child, t) for child in parent if child.tag == "p" and have[t := norm(child.text_content())]]
        often = Counter(t for _, t in siblings)
        shown = Counter(
            t
            for child, t in siblings
            if often[t] > have[t] and len(t.split()) >= _MIN_WORDS and not _hidden(child)
        )
        for paragraph, times in shown.items():
            if have[paragraph] < times:
                missing[paragraph] = max(missing.get(paragraph, 0), times - have[paragraph])
    if not missing:
        return text
    last = {line: i for i, line in enumerate(normed) if line in missing}
    out: list[str] = []
    for i, line in enumerate(lines):
        out.append(line)
        if last.get(normed[i]) == i:
            out.extend([line] * missing[normed[i]])
    return "\n".join(out)


def _hidden(el: HtmlElement) -> bool:
    """el or an ancestor is hidden by an attribute or an inline style."""
    return any(
        a.get("hidden") is not None or a.get("aria-hidden") == "true" or _HIDDEN_STYLE.search(a.get("style") or "")
        for a in (el, *el.iterancestors())
    )


def norm(line: str) -> str:
    """The line with its runs of white space made one space, trimmed: lines compared across outputs."""
    return " ".join(line.split())
