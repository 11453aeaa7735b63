"""schema.org ``articleBody`` (JSON-LD): the publisher's own copy of the article text.

Used by body.py (step 7 there) where it is the same article as trafilatura's
text, only more complete, and where trafilatura found nothing.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from watcher.parse.html import text_lines

# JSON-LD articleBody is used only when it covers nearly all of trafilatura's
# text and trafilatura's text supports most of it: the same article, not a
# teaser, a paywall-truncated body or another story.
_LD_MIN_CHARS = 500
_LD_MIN_COVERAGE = 0.9  # share of our 4-grams found in articleBody
_LD_MIN_SUPPORT = 0.8  # share of articleBody's 4-grams found in our text

_ARTICLE_TYPE = re.compile(r"(?:Article|BlogPosting|Report)$")  # NewsArticle, TechArticle...
_LD_SCRIPT_TYPE = re.compile(r"ld\+json", re.IGNORECASE)
# For JSON-LD that json.loads rejects (comments and trailing commas are
# common), the articleBody string literal alone.
_LD_BODY_LITERAL = re.compile(r'"articleBody"\s*:\s*"((?:[^"\\]|\\.)*)"', re.DOTALL)
_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>")  # ([^<>]: a "<a<a<a..." body is not searched to its end from each)
_BLOCK_TAGS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "br")
_WORD = re.compile(r"\w+")


def json_ld_bodies(tree: HtmlElement) -> list[str]:
    """Plain-text articleBody values of the page's schema.org article objects."""
    raw_bodies: list[str] = []
    for script in tree.iter("script"):
        if not script.text or not _LD_SCRIPT_TYPE.search(script.get("type", "")):
            continue
        try:
            data = json.loads(script.text, strict=False)  # strict=False: raw newlines in strings
        except ValueError:
            raw_bodies.extend(_json_string(m) for m in _LD_BODY_LITERAL.findall(script.text))
            continue
        raw_bodies.extend(
            node["articleBody"]
            for node in _walk(data)
            if isinstance(node.get("articleBody"), str) and _is_article(node.get("@type"))
        )
    return [body for body in map(_plain_text, raw_bodies) if body]


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object, depth-first: articles hide in @graph, lists, mainEntity."""
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _walk(value)
    elif isinstance(data, list):
        for value in data:
            yield from _walk(value)


def _is_article(kind: Any) -> bool:
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and _ARTICLE_TYPE.search(k) for k in kinds)


def _json_string(literal: str) -> str:
    try:
        return str(json.loads(f'"{literal}"', strict=False))
    except ValueError:
        return ""


def _plain_text(body: str) -> str:
    """articleBody as text, one line per paragraph: some CMSs put HTML and entities in it."""
    if _HTML_TAG.search(body):
        try:
            fragment = lxml_html.fragment_fromstring(body, create_parent="div")
        except (etree.ParserError, ValueError):
            return ""
        body = "\n".join(text_lines(fragment, _BLOCK_TAGS))  # (the tree is read, never edited)
    lines = (" ".join(line.split()) for line in html_lib.unescape(body).splitlines())
    return "\n".join(line for line in lines if line)


def prefer_json_ld(text: str, bodies: list[str]) -> str:
    """The publisher's articleBody if it is our article plus what we missed."""
    candidates = [body for body in bodies if len(body) >= _LD_MIN_CHARS]
    if not candidates:
        return text
    best = max(candidates, key=len)
    if not text:
        return best
    # Markup in our text may be this same body leaked raw: trafilatura's own JSON-LD reading gives up on one it
    # cannot parse (a form feed between paragraphs) and returns it as it is. Its tags are not the article's words.
    leaked = bool(_HTML_TAG.search(text))
    ours, theirs = _shingles(_HTML_TAG.sub(" ", text) if leaked else text), _shingles(best)
    n_ours, n_theirs = sum(ours.values()), sum(theirs.values())
    shared = sum((ours & theirs).values())
    if shared < _LD_MIN_COVERAGE * n_ours or shared < _LD_MIN_SUPPORT * n_theirs:
        return text  # not the same article, or only part of it
    # More words wins; on a tie, the version without markup, then the one that keeps paragraph breaks.
    if n_theirs > n_ours or (n_theirs == n_ours and (leaked or best.count("\n") > text.count("\n"))):
        return best
    return text


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    words = _WORD.findall(text)
    return Counter(tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1)))
