"""Values produced by the parse stage."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class FeedParseError(Exception):
    """The document is not a feed we can read."""


@dataclass(frozen=True)
class FeedEntry:
    guid: str | None
    url: str | None
    title: str | None = None
    summary: str | None = None
    content: str | None = None
    author: str | None = None
    published: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    link: str | None
    entries: tuple[FeedEntry, ...] = ()
    format: str = "unknown"  # "rss20", "atom10", "json11", ...
    ttl_seconds: int | None = None  # feed's own advice on how often to poll
    bozo: str | None = None  # why the feed is ill-formed, if it is
    language: str | None = None  # the feed's declared language ('en', 'ru', ...)
    encoding: str = ""  # the encoding feedparser read the document in
    strict: bool = False  # read by feedparser's XML parser, in the encoding its headers declare


MAX_TITLE = 400  # characters of a title: headlines stay far below; a 10 MB "title" is a bug or an attack
MAX_TEXT = 200_000  # characters of an article's text (a long read has about 60,000)


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, at a space near the cut when there is one, marked with '…'."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ", limit - 80)
    return (head[:space] if space > 0 else head).rstrip() + "…"


def clip_title(title: str | None) -> str | None:
    return clip(title, MAX_TITLE) if title else title
