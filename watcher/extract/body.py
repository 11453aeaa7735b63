"""Article body and metadata from raw HTML bytes, with trafilatura.

Measured with ``benchmarks/extraction.py`` on two sets with different
conventions (scrapinghub's news benchmark; Readability's test pages), each
split by site into a tune and a held-out half. Every step below is a general
rule, none is tied to a site; a correction stays only while it does not lose
on either set (the benchmark prints what each one adds).

1. Metadata: ``trafilatura.extract_metadata`` on the untouched page, i.e. what
   ``bare_extraction(with_metadata=True)`` computes, before our pruning can
   hide a byline from it.
2. Re-joining an article body that the page splits into several same-class
   containers (trafilatura only reads the first one).
3. trafilatura's own output (default mode, no reader comments) is the
   reference and the fallback; its readability/justext fallbacks run only
   when the fast pass finds little text or the precision pass loses the
   article (about one page in ten), so the cost stays near two fast passes.
4. Paragraphs and lists made of links to other stories ("Related: <a>...</a>")
   are pruned, then one trafilatura pass in *precision* mode without the
   fallbacks (``fast``): it drops teasers and link lists that the default mode
   keeps. Precision mode sometimes prunes the article itself: when it keeps
   less than a fifth of the default output, the same pass with the fallbacks
   is tried, and failing that the default output stands.
5. The section headings that precision mode drops inside the article are put
   back from the default output.
6. Where the fast precision pass found nothing, a fallback answer under 100
   characters is the page's menus and buttons, not an article, unless it is
   nearly all the text the page has (a page that is one short note).
7. schema.org ``articleBody`` (JSON-LD, ``jsonld.py``) replaces the text when it is the same
   article, only more complete, and stands in when trafilatura found nothing.
8. A first line repeating the headline is dropped: the title has its own field.
   Only a title the page declares in its head counts (meta tags, JSON-LD,
   ``<title>`` or a part of it): where the title field falls back to the lone
   ``<h1>``, that heading is the article's, not a repeat.
9. Paragraphs of the default output that lie between the first and the last
   paragraph the precision pass kept are put back unless links make up most
   of them (precision mode also drops short paragraphs inside the article).
10. A paragraph that the precision pass cut short (it drops the text after an
   empty element inside the block, e.g. a spacer ``<div>`` or an inline
   link's tail) is replaced by the default output's whole paragraph when its
   words are, in order, part of that one paragraph and of no other.
11. For the precision pass, a ``<div>`` of plain prose beside ``<p>``
   paragraphs is marked a paragraph: that mode reads div text only on pages
   with little ``<p>`` text, and drops such a paragraph (``paragraphs.py``).
12. A paragraph the page repeats among siblings is repeated in the text:
   trafilatura keeps one copy of identical blocks (``paragraphs.py``).
13. Photo galleries and slideshows embedded in the article are pruned before
   both passes, unless that leaves no article (``galleries.py``).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from copy import deepcopy

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    examine_title_element,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document

from watcher.extract.dates import page_date
from watcher.extract.galleries import find_galleries
from watcher.extract.jsonld import json_ld_bodies, prefer_json_ld
from watcher.extract.model import Extracted
from watcher.extract.paragraphs import mark_text_divs, norm, with_repeated_paragraphs
from watcher.extract.tree import load_html
from watcher.parse.chars import storable, storable_or_none

# A precision-mode result shorter than this share of the default output has
# lost the article (a fragment of it, or nothing). Measured on both sets: the
# precision pass rightly drops up to ~3/4 of the default text on pages that
# list other stories around the article, so the bar is low (0.15-0.3 is the
# usable range; the sets disagree inside it).
_PRECISE_MIN_SHARE = 0.2
# Below this many characters the fast default pass may have missed the article
# and the full one, with trafilatura's readability/justext fallbacks, runs
# (2x trafilatura's MIN_EXTRACTED_SIZE; needed on ~1 page in 10).
_MIN_CONFIDENT_CHARS = 500
# Where the fast precision pass found nothing, a fallback answer shorter than
# this is the page's leftover menus and buttons ("Home Help"), not an article,
# unless it holds this share of the page's own text (the page is that short).
_MIN_ARTICLE_CHARS = 100
_WHOLE_PAGE_SHARE = 0.8

# A block is a link teaser when links hold >= 80% of its words and at most 4
# words are not linked (a label such as "Related:" or "READ MORE:").
_TEASER_LINK_SHARE = 0.8
_TEASER_MAX_LABEL_WORDS = 4
# Chinese, Japanese and Korean put no spaces between words: each of their
# characters counts as a word, or a long paragraph with one link counts as one.
_UNSPACED_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")

# Same-class body containers are merged when each holds real text and they
# sit close together in one <article> (not a feed of several stories).
_BODY_CLASS = re.compile(
    r"article[-_]*(?:body|content|text)|entry-content|post[-_]?(?:body|content)|story[-_]?body|body[-_]?text",
    re.IGNORECASE,
)
_CHUNK_MIN_CHARS = 200  # a few sentences: not a teaser card
_CHUNK_MAX_DEPTH = 3  # levels up to a common ancestor

_WORD = re.compile(r"\w+")

# The corrections made on top of trafilatura, by name; benchmarks/extraction.py
# measures each one by switching it off.
CORRECTIONS = frozenset(
    {
        "precision_pass",
        "headings",
        "link_teasers",
        "body_chunks",
        "min_length",
        "headline",
        "json_ld",
        "interior_paragraphs",
        "cut_paragraphs",
        "text_divs",
        "repeated_paragraphs",
        "galleries",
    }
)


def extract_article(
    html: bytes,
    url: str | None = None,
    *,
    need_date: bool = True,
    corrections: Collection[str] = CORRECTIONS,
) -> Extracted | None:
    """Return the article's main text and metadata, or None when there is no body.

    Takes the raw bytes: trafilatura detects the encoding better than a
    decode done beforehand. A caller that already has the author or date
    (from the feed entry) can skip their search, the costliest metadata steps.
    """
    # Parsed once: bare_extraction copies a tree it is given, so this tree
    # serves metadata, both passes and the JSON-LD lookup.
    tree = load_html(html)
    if tree is None:
        return None
    meta, declared_titles = _metadata(tree, url, need_date=need_date)  # reads, never edits, the tree
    ld_bodies = json_ld_bodies(tree)

    if "body_chunks" in corrections:
        _merge_body_chunks(tree)
    whole = None
    if "galleries" in corrections and (galleries := find_galleries(tree)):
        whole = deepcopy(tree)
        for gallery in galleries:
            gallery.drop_tree()  # keeps the tail text
    text = _main_text(tree, url, corrections)
    if whole is not None and len(text) < _MIN_ARTICLE_CHARS:
        tree = whole  # the galleries were the article
        text = _main_text(tree, url, corrections)
    if "repeated_paragraphs" in corrections:
        text = with_repeated_paragraphs(text, tree)
    if "headline" in corrections:
        text = _drop_headline(text, declared_titles)
    if "json_ld" in corrections:
        text = prefer_json_ld(text, ld_bodies)
    if not text:
        return None
    # (a JSON-LD value's lone "\ud800" becomes U+FFFD: no store can keep it)
    return Extracted(
        text=storable(text),
        title=storable_or_none(meta.title),
        author=storable_or_none(meta.author),
        date=storable_or_none(meta.date),
        sitename=storable_or_none(meta.sitename),
        language=storable_or_none(meta.language) or _page_language(tree),
        description=storable_or_none(meta.description),
    )


_LANG = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$", re.IGNORECASE)


def _page_language(tree: HtmlElement) -> str | None:
    """The language the page declares (<html lang>, content-language, og:locale), as 'en', 'ru', ..."""
    candidates = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    for meta in tree.iter("meta"):
        key = (meta.get("http-equiv") or meta.get("property") or meta.get("name") or "").lower()
        if key in ("content-language", "og:locale", "language", "dc.language"):
            candidates.append(meta.get("content"))
    for value in candidates:
        value = (value or "").strip().split(",")[0].strip()
        if value and _LANG.match(value):
            return value.replace("_", "-").split("-")[0].lower()
    return None


def _metadata(tree: HtmlElement, url: str | None, *, need_date: bool = True) -> tuple[Document, list[str]]:
    """trafilatura.extract_metadata's steps for the fields we keep, and the titles the page declares.

    Categories, tags, licence and hostname are skipped: we store none of
    them and they cost about a third of extract_metadata's time. The author
    comes from meta tags and JSON-LD only: trafilatura's byline search over
    the page cost 14% of extraction time on the extraction benchmark and
    gave 48 authors there, many of them wrong ("Rmb", "Jdadmin", "The
    Russian; Syrian defense ministries"); feeds usually name the author.
    """
    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None  # a lone word is a handle, not a byline (as trafilatura does)
    try:
        meta = extract_meta_json(tree, meta)
    except Exception:  # trafilatura's JSON-LD reader can trip on odd data; keep the meta tags
        pass
    # The headline the page states in its head (meta tags, JSON-LD, <title>
    # and its parts around a separator), not the lone <h1> that extract_title
    # falls back to: a first line equal to that is the h1 itself, not a repeat.
    declared = [t for t in (meta.title, *examine_title_element(tree)) if t]
    meta.title = meta.title or extract_title(tree)
    meta.url = meta.url or extract_url(tree, url)
    if need_date:
        meta.date = page_date(tree, meta.url)
    meta.sitename = meta.sitename or extract_sitename(tree)
    if meta.sitename:
        meta.sitename = meta.sitename.lstrip("@")
        if meta.sitename and "." not in meta.sitename and not meta.sitename[0].isupper():
            meta.sitename = meta.sitename.title()
    elif meta.url and (m := META_URL.match(meta.url)):
        meta.sitename = m[1]
    meta.clean_and_trim()
    return meta, declared


def _main_text(tree: HtmlElement, url: str | None, corrections: Collection[str]) -> str:
    """The precision pass where it kept the article, else trafilatura's own output."""
    if "precision_pass" not in corrections:
        return _trafilatura_text(tree, url, precise=False, fast=False)[0]
    # The default output (the reference, and the fallback) reads the page
    # before the teaser pruning, which is for the precision pass only.
    default, headings = _trafilatura_text(tree, url, precise=False, fast=True)
    pruned = _for_precision(tree, corrections)
    text, _ = _trafilatura_text(pruned, url, precise=True, fast=True)
    found = bool(text)
    if len(default) < _MIN_CONFIDENT_CHARS or _lost_article(text, default):
        # trafilatura's fallback extractors are for this case: run them
        default, headings = _trafilatura_text(tree, url, precise=False, fast=False)
        if _lost_article(text, default):
            text, _ = _trafilatura_text(pruned, url, precise=True, fast=False)
            if _lost_article(text, default):
                text = default
    if not found and "min_length" in corrections and len(text) < _MIN_ARTICLE_CHARS:
        if not _is_whole_page(text, tree):
            return ""  # the fallbacks' answer on a page without an article
    if "cut_paragraphs" in corrections:
        text = _with_whole_paragraphs(text, default)
    if "interior_paragraphs" in corrections:
        text = _with_interior_paragraphs(text, default, tree)
    return _restore_headings(text, default, headings) if "headings" in corrections else text


_VISIBLE_TEXT = etree.XPath(".//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]")


def _is_whole_page(text: str, tree: HtmlElement) -> bool:
    """text is nearly all the visible text of an HTML page's body (not of a fragment or of garbage)."""
    body = tree.find("body")
    if body is None:
        return False
    return len(norm(text)) >= _WHOLE_PAGE_SHARE * len(norm(" ".join(_VISIBLE_TEXT(body))))


# The interior paragraphs are put back only where the default output holds
# nearly all of the precise text's lines (both passes split it alike).
_SAME_LINES_SHARE = 0.9


def _with_interior_paragraphs(text: str, default: str, tree: HtmlElement) -> str:
    """The default output's lines from the first to the last line of text, less link teasers."""
    kept = [norm(line) for line in text.splitlines() if line.strip()]
    lines = [line for line in default.splitlines() if line.strip()]
    in_default = {norm(line) for line in lines}
    if sum(len(line) for line in kept if line in in_default) < _SAME_LINES_SHARE * sum(map(len, kept)):
        return text
    kept_set = set(kept)
    where = [i for i, line in enumerate(lines) if norm(line) in kept_set]
    if not where:  # no text kept (an empty <article>)
        return text
    interior = lines[where[0] : where[-1] + 1]
    if all(norm(line) in kept_set for line in interior):
        return text
    anchors = {norm(a.text_content()) for a in tree.iter("a")}
    return "\n".join(
        line for line in interior if norm(line) in kept_set or _link_share(norm(line), anchors) < _TEASER_LINK_SHARE
    )


# A line shorter than this is a heading or a label, not a paragraph cut short.
_CUT_MIN_WORDS = 5


def _with_whole_paragraphs(text: str, default: str) -> str:
    """Each line of text that is a shortened copy of one default line, as that whole line.

    The shortened line (a sentence at least, not a heading) must start like
    the longer line and have its words in the same order there, and no other
    shortened line may fit the same longer line (a default line that joins
    several paragraphs, hidden text and all, is not a whole paragraph).
    """
    lines = text.splitlines()
    in_default = {norm(line) for line in default.splitlines() if line.strip()}
    cut = {i: _WORD.findall(line) for i, line in enumerate(lines) if norm(line) not in in_default}
    cut = {i: words for i, words in cut.items() if len(words) >= _CUT_MIN_WORDS}
    if not cut:
        return text
    unused = in_default - {norm(line) for line in lines}
    by_first_word: dict[str, list[tuple[str, list[str]]]] = {}
    for line in default.splitlines():
        if norm(line) in unused and (full := _WORD.findall(line)):
            by_first_word.setdefault(full[0], []).append((line, full))
    for i, words in cut.items():
        holders = [
            (line, full)
            for line, full in by_first_word.get(words[0], [])
            if len(full) > len(words) and _in_order(words, full)
        ]
        if len(holders) != 1:
            continue
        line, full = holders[0]
        vocabulary = set(full)
        if sum(vocabulary.issuperset(other) and _in_order(other, full) for other in cut.values()) == 1:
            lines[i] = line
    return "\n".join(lines)


def _in_order(words: list[str], full: list[str]) -> bool:
    """words is a subsequence of full."""
    rest = iter(full)
    return all(word in rest for word in words)


def _link_share(line: str, anchors: set[str]) -> float:
    """Share of the line's words that are the text of some link on the page."""
    total = _words(line)
    linked = sum(_words(a) for a in anchors if len(a) >= 2 and a in line)
    return min(1.0, linked / total) if total else 1.0


def _lost_article(precise: str, default: str) -> bool:
    return not precise or len(precise) < _PRECISE_MIN_SHARE * len(default)


def _trafilatura_text(tree: HtmlElement, url: str | None, *, precise: bool, fast: bool) -> tuple[str, set[str]]:
    """The body text and the set of its headings' lines."""
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        fast=fast,
        favor_precision=precise,
        include_comments=False,
        include_tables=True,
    )
    body = getattr(doc, "body", None)
    headings = {norm(" ".join(h.itertext())) for h in body.iter("head")} if body is not None else set()
    return (getattr(doc, "text", None) or "").strip(), headings


def _restore_headings(text: str, default: str, headings: set[str]) -> str:
    """Put back the headings of the default output that sit inside the precise text.

    Precision mode deletes short headings with the link-heavy ones; a heading
    is restored where, in the default output, it directly precedes a line the
    precise text kept, after at least one such line (not the page's title).
    """
    kept = {norm(line) for line in text.splitlines() if line.strip()}
    lines = [norm(line) for line in default.splitlines() if line.strip()]
    before: dict[str, list[str]] = {}  # kept line -> headings to insert before it
    seen_kept = False
    for line, following in zip(lines, lines[1:]):
        if line in kept:
            seen_kept = True
        elif seen_kept and line in headings and following in kept:
            before.setdefault(following, []).append(line)
    if not before:
        return text
    out: list[str] = []
    for line in text.splitlines():
        out.extend(before.pop(norm(line), []))
        out.append(line)
    return "\n".join(out)


# --- page pre-pruning ---------------------------------------------------------


def _word_count(el: HtmlElement) -> int:
    return _words(el.text_content())


def _words(text: str) -> int:
    # str.split runs in C (\w+ counting cost 2 ms a page); the script test only where it can matter
    unspaced = len(_UNSPACED_SCRIPT.findall(text)) if not text.isascii() else 0
    return len(text.split()) + unspaced


def _is_link_teaser(el: HtmlElement) -> bool:
    """Mostly link text plus at most a short label: a pointer to another page.

    trafilatura's own link-density test lets these through when a label
    ("Related:", "Read more:") lowers the link share below its 90% bar.
    """
    links = list(el.iter("a"))
    if not links:  # cheap exit for the bulk of paragraphs
        return False
    total = _word_count(el)
    linked = sum(map(_word_count, links))
    return total > 0 and linked >= _TEASER_LINK_SHARE * total and total - linked <= _TEASER_MAX_LABEL_WORDS


def _for_precision(tree: HtmlElement, corrections: Collection[str]) -> HtmlElement:
    """The page as the precision pass reads it: less link teasers, prose divs as paragraphs."""
    if not {"link_teasers", "text_divs"} & set(corrections):
        return tree
    pruned = deepcopy(tree)  # ~1 ms a page
    if "link_teasers" in corrections:
        _prune_link_teasers(pruned)
    if "text_divs" in corrections:
        mark_text_divs(pruned)
    return pruned


# Only a paragraph with a link can be a teaser: the others never become Python objects.
_LINKED_PARAGRAPHS = etree.XPath("descendant::p[descendant::a]")


def _prune_link_teasers(tree: HtmlElement) -> None:
    doomed = [p for p in _LINKED_PARAGRAPHS(tree) if _is_link_teaser(p)]
    for lst in tree.iter("ul", "ol"):
        items = [li for li in lst if li.tag == "li"]
        if len(items) >= 2 and all(_is_link_teaser(li) for li in items):
            doomed.append(lst)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()  # keeps the tail text


def _nearest_article(el: HtmlElement) -> HtmlElement | None:
    return next(el.iterancestors("article"), None)


def _merge_body_chunks(tree: HtmlElement) -> None:
    """Move later same-class body containers into the first one.

    Pages that break the story into chunks (ads, paywall teasers in between)
    repeat the body container; trafilatura extracts only the first.
    """
    groups: dict[tuple[str, str], list[HtmlElement]] = {}
    for el in tree.iter("div", "section"):
        cls = " ".join((el.get("class") or "").split())
        if cls and _BODY_CLASS.search(cls):
            groups.setdefault((el.tag, cls), []).append(el)
    for first, *rest in (members for members in groups.values() if len(members) > 1):
        if _are_chunks_of_one_body(first, rest):
            for chunk in rest:
                _detach_keeping_tail(chunk)
                first.append(chunk)


def _are_chunks_of_one_body(first: HtmlElement, rest: list[HtmlElement]) -> bool:
    """Each holds real text, none is inside another, and they are close
    together within the same <article> (not a feed of several stories)."""
    if any(len(" ".join(m.text_content().split())) < _CHUNK_MIN_CHARS for m in (first, *rest)):
        return False
    article = _nearest_article(first)
    near = list(first.iterancestors())[:_CHUNK_MAX_DEPTH]
    for chunk in rest:
        ancestors = list(chunk.iterancestors())
        if first in ancestors or _nearest_article(chunk) is not article:
            return False
        if not any(a in near for a in ancestors[:_CHUNK_MAX_DEPTH]):
            return False
    return True


def _detach_keeping_tail(el: HtmlElement) -> None:
    """Remove el from its parent but leave its tail text where it was."""
    parent, tail = el.getparent(), el.tail
    el.tail = None
    if tail and parent is not None:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    if parent is not None:
        parent.remove(el)


def _drop_headline(text: str, titles: list[str]) -> str:
    """Drop a first line that only repeats a title the page declares (kept in its own field)."""
    first, _, rest = text.partition("\n")
    words = _WORD.findall(first.lower())
    if rest and any(words == _WORD.findall(title.lower()) for title in titles):
        return rest.lstrip("\n")
    return text
