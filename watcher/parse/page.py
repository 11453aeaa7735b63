"""Article links on a listing page (a section front, a press-release list).

A `page` source has no feed: its new articles are the links on the page that
look like articles. Links inside navigation, header and footer are skipped;
what remains must point to the same site and have an article-like path (a
slug of several words, a date, or a long numeric id) rather than a section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html
from courlan import is_navigation_page, is_not_crawlable
from lxml import etree

from watcher.parse.html import html_source

_SKIP_CONTAINERS = {"nav", "header", "footer", "aside", "form"}
_SKIP_CLASSES = re.compile(r"\b(nav|menu|footer|breadcrumb|cookie|consent|social|share|pagination|pager|tags?)\b", re.I)
_NOT_ARTICLE_EXT = re.compile(r"\.(jpe?g|png|gif|webp|svg|pdf|zip|mp3|mp4|xml|rss|css|js|ico)$", re.I)
_DATE_PATH = re.compile(r"/(19|20)\d\d/(0?[1-9]|1[0-2])(/|-)")
_LONG_ID = re.compile(r"\d{5,}")


@dataclass(frozen=True)
class PageLink:
    url: str
    title: str | None


def discover_links(data: bytes, url: str, content_type: str | None = None) -> tuple[PageLink, ...]:
    """Article links on the page at `url` (served as `content_type`), in page order, each once."""
    try:
        tree = lxml.html.fromstring(html_source(data, content_type), base_url=url)
    except (etree.ParserError, ValueError):
        return ()
    base = tree.base_url or url
    found: dict[str, str | None] = {}
    known: dict[etree._Element, bool] = {}
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        if _in_skipped_container(a, known):
            continue
        try:
            link = urljoin(base, href).split("#", 1)[0]
            if not _is_article_url(link, url):
                continue
        except ValueError:  # a link too broken to read ('http://[::1') is no article of this page
            continue
        title = " ".join(a.text_content().split()) or a.get("title")
        if link not in found or (title and len(title) > len(found[link] or "")):
            found[link] = title or found.get(link)
    return tuple(PageLink(u, t) for u, t in found.items())


def _in_skipped_container(el: etree._Element, known: dict[etree._Element, bool]) -> bool:
    """Whether an ancestor of `el` is navigation, header, footer or the like. `known` holds the answer for the
    elements already walked (their own or an ancestor's), so each element is judged once however many links it
    holds: 50,000 links 250 elements deep were 34 s of CPU judging the same ancestors again."""
    walked = []
    anc = el.getparent()
    while anc is not None and anc not in known:
        walked.append(anc)
        anc = anc.getparent()
    skipped = known[anc] if anc is not None else False
    for anc in reversed(walked):  # from the outermost down
        skipped = skipped or _skipped_itself(anc)
        known[anc] = skipped
    return skipped


def _skipped_itself(el: etree._Element) -> bool:
    return (el.tag in _SKIP_CONTAINERS or el.get("role") in ("navigation", "banner", "contentinfo")
            or bool(_SKIP_CLASSES.search(f"{el.get('class', '')} {el.get('id', '')}")))


def _is_article_url(link: str, page_url: str) -> bool:
    parts = urlsplit(link)
    page = urlsplit(page_url)
    if parts.scheme not in ("http", "https"):
        return False
    if _site(parts.hostname or "") != _site(page.hostname or ""):
        return False
    if link.rstrip("/") == page_url.split("#", 1)[0].rstrip("/"):
        return False
    path = parts.path
    if _NOT_ARTICLE_EXT.search(path) or is_not_crawlable(link) or is_navigation_page(link):
        return False
    if _DATE_PATH.search(path) or _LONG_ID.search(path):
        return True
    last = [p for p in path.split("/") if p]
    if not last:
        return False
    slug = re.sub(r"\.(s?html?|php|aspx?)$", "", last[-1], flags=re.I)
    return len([w for w in re.split(r"[-_]+", slug) if w]) >= 3


def _site(host: str) -> str:
    """Host without a leading www., so www.example.org and example.org are one site."""
    return host.lower().removeprefix("www.")
