"""The nouns watcher passes between its stages, as plain frozen values.

An article's way: a source lists `Item`s (feed entries, page links, sitemap
URLs); each new one is stored as an `Entry` and, once its page is read, as an
`Article`; a rule that fires on it is a `Match`, carrying the `AlertDraft` its
channels would get; `alert.decide` says whether the draft becomes an alert;
each alert (and each admin notice) waits in the outbox as a `Delivery` per
channel URL. A source's stored `SourceState` says how to poll it; a poll
writes back a `PollUpdate` and tells the daemon a `PollReport`.

Nothing here does I/O or imports another part of watcher: every stage and the
store may import this module, and it imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime
from typing import Any, NamedTuple

# -- what a source lists ------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """What a source lists: a feed entry, a page link or a sitemap URL, as the dedupe stage sees it."""

    key: str  # feed GUID, or the canonical URL when the entry has none
    guid: str | None
    url: str | None
    canonical_url: str | None
    title: str | None = None
    text: str = ""  # the feed's own text, kept when the page cannot be read
    author: str | None = None
    published: datetime | None = None
    alertable: bool = True
    language: str | None = None  # the feed's, when the page does not say


@dataclass(frozen=True)
class Entry:
    """A stored item of one source, pointing at the article it led to (if any)."""

    source_id: str
    key: str  # feed GUID, or the canonical URL when the entry has none
    guid: str | None
    url: str | None
    canonical_url: str | None
    title: str | None
    published: datetime | None


@dataclass(frozen=True)
class Article:
    """An article as read from its page (or from the feed alone, `summary_only`), stored once per canonical URL."""

    canonical_url: str
    url: str
    guid: str | None
    source_id: str
    title: str | None
    author: str | None
    published: datetime | None
    sitename: str | None
    language: str | None
    body: str
    body_hash: str | None
    summary_only: bool
    alertable: bool
    extract_error: str | None = None


@dataclass(frozen=True)
class StoredArticle:
    """An article as the store holds it: with its id, when it was fetched, and its story."""

    id: int
    article: Article
    fetched_at: datetime | None
    story_id: int | None = None


# -- what rules make of it ----------------------------------------------------


class Target(NamedTuple):
    """One URL of a channel an alert goes to: its place in the channel's list when the alert was made, and its
    key (`config.schema.url_key`), which finds it again after the list is reordered or shortened; None: by
    place alone."""

    channel: str
    index: int
    key: str | None = None

    @property
    def row_key(self) -> str:
        """What the outbox row keeps: the key, or "#N" (the channel's URL number N+1) when there is none."""
        return self.key or f"#{self.index}"


@dataclass(frozen=True)
class AlertDraft:
    """The message a rule's match would send, before `alert.decide` says whether it becomes an alert."""

    title: str
    body: str
    targets: tuple[Target, ...]
    context_json: str = "{}"  # the values a channel template renders
    once_per: str = "story"  # story | article: what one alert covers
    updates: str = "silent"  # silent | digest | notify: how later articles of an alerted story are reported


@dataclass(frozen=True)
class Match:
    """A rule that fired on an article: its evidence (JSON) and the alert it drafts, if the rule notifies."""

    rule_id: str
    evidence_json: str
    alert: AlertDraft | None = None


@dataclass(frozen=True)
class StoredMatch:
    """A recorded match, with the article it fired on."""

    rule_id: str
    matched_at: datetime | None
    evidence_json: str
    article_id: int
    title: str | None
    url: str
    source_id: str
    published: datetime | None


@dataclass(frozen=True)
class DeliveryState:
    """Where one alert's delivery to one channel URL stands: pending, sent or dead."""

    channel: str
    target: int
    status: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None


@dataclass(frozen=True)
class LaterReport:
    """Another article of an alerted story that the same rule matched: an outlet that reported it later."""

    id: int
    title: str | None
    url: str
    source_id: str
    sitename: str | None
    matched_at: datetime | None


@dataclass(frozen=True)
class Alert:
    """An alert as stored: the rule, the article and its story, and where each of its deliveries stands."""

    id: int
    rule_id: str
    article_id: int
    story_key: str
    kind: str  # alert | update | update-digest (see alert.decide)
    parent_id: int | None  # the alert an update follows
    created_at: datetime | None
    rule_title: str  # the alert's own title
    title: str | None  # the article's
    url: str
    source_id: str
    story_id: int | None
    deliveries: tuple[DeliveryState, ...] = ()
    also: tuple[LaterReport, ...] = ()


@dataclass(frozen=True)
class Delivery:
    """One message waiting in the outbox for one channel URL: an alert's, or an admin notice (`alert_id` None)."""

    id: int
    alert_id: int | None
    channel: str
    target: int
    attempts: int
    title: str
    body: str
    created_at: datetime
    context_json: str = "{}"
    url_key: str = ""  # the URL's key when the message was queued; "#N" for "the channel's URL number N+1"

    @property
    def notice(self) -> bool:
        return self.alert_id is None

    @property
    def label(self) -> str:
        """How log lines name it: "alert 12" or "notice 3"."""
        return f"notice {self.id}" if self.notice else f"alert {self.alert_id}"


# -- sources and polls ----------------------------------------------------------


@dataclass(frozen=True)
class SourceState:
    """What the store knows of a source to poll it: validators, failures, moves, intervals."""

    id: str
    url: str  # as configured
    added_at: datetime
    baseline_done: bool
    etag: str | None
    last_modified: str | None
    consecutive_failures: int
    next_poll_at: datetime | None
    type: str | None = None  # configured, or detected on the first successful poll
    moved_to: str | None = None  # polled instead of `url` after a lasting permanent redirect
    move_target: str | None = None
    move_polls: int = 0
    disabled: str | None = None  # why it is not polled any more (410 Gone)
    failing_since: datetime | None = None
    failing_notified: bool = False
    feed_interval: float | None = None
    adaptive_interval: float | None = None
    last_poll_at: datetime | None = None
    max_age: float | None = None  # the last response's Cache-Control max-age
    content_hash: str | None = None  # of the last full body read
    item_memory: bytes | None = None  # the feed's entries stored, by their bytes (`watcher.parse.unchanged`)

    @property
    def poll_url(self) -> str:
        return self.moved_to or self.url


@dataclass(frozen=True)
class PollUpdate:
    """What one poll changes in a source's stored state. `outcome`: ok, failed, or skipped (a paused host)."""

    outcome: str
    status: str
    next_poll_at: datetime
    error: str | None = None
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    size: int | None = None  # bytes received for a full answer
    baseline_done: bool | None = None
    type: str | None = None
    advertised_feed: str | None = None
    move_target: str | None = None
    move_polls: int = 0
    moved_to: str | None = None  # a new URL to poll from now on
    disabled: str | None = None
    feed_interval: float | None = None
    adaptive_interval: float | None = None
    max_age: float | None = None
    content_hash: str | None = None
    response_seconds: float | None = None  # how long the source took to answer
    item_memory: bytes | None = None  # b"" forgets it


@dataclass
class PollReport:
    """What one poll of one source did, for the log, /metrics and `watcher run --once`.

    Not frozen: the poll counts into it as its entries are stored."""

    source_id: str
    status: str = "ok"  # ok | not_modified (304) | unchanged (same bytes) | paused | disabled | <error kind>
    error: str | None = None
    entries: int = 0
    entries_unread: int = 0  # of those, the entries stored before whose bytes had not changed: not read again
    new_articles: int = 0
    duplicates: int = 0
    summary_only: int = 0
    baseline: int = 0
    matches: int = 0
    elapsed: float = 0.0
    type: str | None = None
    article_ids: list[int] = field(default_factory=list)
    waiting: int = 0  # new entries left for the next poll (max_new_per_poll)
    document_bytes: int = 0  # size of the source's document (and child sitemaps) read by this poll
    next_poll_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "not_modified", "unchanged")


# -- sending --------------------------------------------------------------------


@dataclass(frozen=True)
class Timeout:
    """How long one send to a channel may take: to connect, then to wait for the service's answer (seconds)."""

    connect: float = 10.0
    read: float = 20.0


def plain(value: Any) -> Any:
    """A model value as JSON-ready data (for `--json`): dataclasses as dicts, tuples as lists, times as ISO 8601."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value
