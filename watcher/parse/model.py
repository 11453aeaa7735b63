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
