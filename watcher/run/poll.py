"""One poll of one source, as an ordered list of phases:

1. fetch   the source's document, conditionally (ETag, Last-Modified). A failure is recorded by
           `watcher.run.failures`; a 304, or the very bytes read last time, ends the poll here.
2. read    its items: feed entries, page links or sitemap URLs (`watcher.parse.items`, in the reader process;
           child sitemaps are fetched here); a feed's entries stored before are not read again while their
           bytes stay the same (`watcher.parse.unchanged`).
3. pick    the new items: not listed before, at most `max_new_per_poll`, baseline on a first poll
           (`watcher.source.intake`); only those get their feed text made.
4. pages   every picked item's page, fetched and extracted at once, and
5. store   them in placing order as they are ready: deduplicated, placed in a story, matched, written
           (`watcher.run.articles.store_new`; each run of ready pages in one transaction).
6. record  the poll (validators, next poll), after its articles and in the same commit as the last of them:
           a poll whose articles could not be stored is not recorded, and the next poll reads them again.

Each phase is a function with typed inputs and outputs; the decisions they apply are pure functions in the
stage folders, and `poll_source` only puts them in order.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from watcher.config import SourceConfig
from watcher.errors import FetchError
from watcher.fetch import Response
from watcher.fetch.http import keeps_credentials, own_headers
from watcher.logs import log_fields
from watcher.model import Item, PollReport, PollUpdate, SourceState
from watcher.parse.items import Listing, items_from_sitemap, note_bozo, read_listing, read_source, with_text
from watcher.parse.model import FeedParseError
from watcher.parse.sitemap import newest, parse_sitemap
from watcher.run.articles import PAGE_ACCEPT, match_records, store_new, story_sketch
from watcher.run.failures import finish, record_failure, tell_recovered
from watcher.run.offload import off_loop, release_memory
from watcher.run.pipeline import Pipeline
from watcher.source.intake import mark_baseline, take_new, unseen
from watcher.source.schedule import MoveState, adapted_interval, max_age, next_poll, permanent_target, track_move
from watcher.store.times import utcnow

# names other modules import from here (tests, replay, the daemon, watch sources)
__all__ = ["FEED_ACCEPT", "PAGE_ACCEPT", "Pipeline", "match_records", "off_loop", "poll_source", "read_source",
           "release_memory", "story_sketch"]
_done, _failed, _recovered = finish, record_failure, tell_recovered  # watcher/run/watch.py's names for them

log = logging.getLogger("watcher.run.poll")

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
SITEMAP_CHILDREN = 3  # child sitemaps of an index read per poll, most recently modified first
SITEMAP_LEVELS = 2  # levels of indexes read below the source's own: an index's children and theirs
SITEMAP_ENTRIES = 200  # newest URLs of a sitemap considered per poll; a sitemap may list 50,000


@dataclass(frozen=True)
class Fetched:
    """Phase 1's answer: the response, a digest of its bytes, and what it says about the source itself."""

    resp: Response
    digest: str  # of the body; "" for a 304
    cache_age: float | None  # the response's Cache-Control max-age
    move: MoveState
    moved_to: str | None  # a lasting permanent redirect: poll this URL from now on

    def unchanged(self, state: SourceState) -> bool:
        """A 304, or a server without validators sending the very bytes read last time: nothing to read."""
        return self.resp.not_modified or (self.digest == state.content_hash and state.baseline_done
                                          and state.type in ("feed", "page"))

    def source_fields(self) -> dict[str, Any]:
        return {"move_target": self.move.target, "move_polls": self.move.polls, "moved_to": self.moved_to,
                "max_age": self.cache_age or 0.0}


@dataclass(frozen=True)
class Picked:
    """Phase 3's answer: the items this poll stores (text made), and how many wait for the next poll."""

    new: list[Item]
    waiting: int
    known: frozenset[str] = frozenset()  # keys of the listed items the store held already


async def poll_source(source: SourceConfig, p: Pipeline, state: SourceState | None = None) -> PollReport:
    """One poll of `source`, its phases in order (see the module's docstring); `state`: the source's stored
    state when the caller has just read it (a worker, to see whether the source is still due)."""
    async with p.slots:
        with log_fields(source=source.id):  # every JSON log line of the poll names its source
            return await _poll(source, p, state)


async def _poll(source: SourceConfig, p: Pipeline, state: SourceState | None) -> PollReport:
    start, started = time.monotonic(), utcnow()
    report = PollReport(source.id)
    p.rules.refresh()
    if state is None:
        state = p.store.sources.ensure(source.id, source.url, source.type)
    if state.disabled:
        report.status, report.error = "disabled", state.disabled
        log.info("source %s: not polled: %s (change its url in the config to poll it again)", source.id, state.disabled)
        return finish(report, start)
    if source.type == "watch":  # one page whose region is versioned: watcher/run/watch.py
        from watcher.run.watch import poll_watch

        return await poll_watch(source, p, state, report, start, started)
    try:
        fetched = await fetch_document(source, state, p)  # 1
    except FetchError as e:
        return await record_failure(p, source, state, report, e.kind, str(e), start, started,
                                    http_status=e.status, retry_after=e.retry_after)
    report.document_bytes = len(fetched.resp.content)
    if fetched.unchanged(state):
        record_unchanged(source, state, fetched, started, p, report)  # 6, with nothing to store
    else:
        try:
            listing = await read_document(source, state, fetched.resp, p)  # 2
        except FeedParseError as e:
            return await record_failure(p, source, state, report, "parse", str(e), start, started,
                                        http_status=fetched.resp.status)
        picked = pick_new(source, state, listing, p, report)  # 3
        await store_new(source, picked.new, p, report,  # 4, 5, and 6 in the commit of the last articles
                        then=lambda: record_read(source, state, fetched, listing, picked, started, p, report))
    await tell_recovered(p, source, state)
    return finish(report, start)


async def fetch_document(source: SourceConfig, state: SourceState, p: Pipeline) -> Fetched:
    """Phase 1: the source's document, conditionally; FetchError when it cannot be had."""
    resp = await p.fetcher.get(
        state.poll_url,
        etag=state.etag,
        last_modified=state.last_modified,
        accept=PAGE_ACCEPT if source.type == "page" else FEED_ACCEPT,
        timeout=p.config.timeout(source),
        extra=own_headers(source.request.as_headers() if source.request else None, source.url, state.poll_url),
    )
    move, moved_to = track_move(MoveState(state.move_target, state.move_polls), permanent_target(resp.redirects),
                                p.config.http.moved_after)
    if moved_to:
        withheld = source.request and not keeps_credentials(source.url, moved_to)
        log.warning("source %s: %s answered 'moved permanently' to %s on %d polls in a row; polling the new URL "
                    "from now on (put it in the config as `url`%s)", source.id, state.poll_url, moved_to,
                    p.config.http.moved_after,
                    ": the source's own request headers are not sent to another host until then" if withheld else "")
    digest = "" if resp.not_modified else hashlib.blake2b(resp.content, digest_size=16).hexdigest()
    return Fetched(resp, digest, max_age(resp.headers.get("cache-control")), move, moved_to)


async def read_document(source: SourceConfig, state: SourceState, resp: Response, p: Pipeline) -> Listing:
    """Phase 2: the document's items (a sitemap's from it and its newest child sitemaps); FeedParseError."""
    type_ = source.type or state.type
    listing = await (p.readers.listing(source.id, type_, resp, state.item_memory) if p.readers
                     else off_loop(read_listing, source.id, type_, resp, state.item_memory))
    note_bozo(source.id, listing)
    if listing.kind == "sitemap":
        listing = replace(listing, items=tuple(await _sitemap_items(source, resp, p)))
    if listing.advertised_feed:
        log.info("source %s: page advertises a feed %s (set `type: feed` and that URL to poll it instead)",
                 source.id, listing.advertised_feed)
    return listing


async def _sitemap_items(source: SourceConfig, resp: Response, p: Pipeline) -> list[Item]:
    """A sitemap's entries, and those of its index's most recently modified children: an index of indexes (out
    of the protocol, but published: a yearly index of monthly ones) is read one level further down."""
    sitemap = await off_loop(parse_sitemap, resp.content, resp.url)
    entries = list(sitemap.entries)
    seen = {resp.url, source.url}
    level = sitemap.children
    for _ in range(SITEMAP_LEVELS):
        recent = sorted(level, key=lambda c: c[1] or datetime.min.replace(tzinfo=timezone.utc), reverse=True)
        level = []
        for child_url, _ in recent[:SITEMAP_CHILDREN]:
            if child_url in seen:
                log.warning("source %s: child sitemap %s skipped: it is the index itself or listed before",
                            source.id, child_url)
                continue
            seen.add(child_url)
            try:
                child = await p.fetcher.get(child_url, trusted=False, timeout=p.config.timeout(source))
                read = await off_loop(parse_sitemap, child.content, child.url)
            except (FetchError, FeedParseError) as e:
                log.warning("source %s: child sitemap %s skipped: %s", source.id, child_url, e)
                continue
            entries.extend(read.entries)
            level.extend(read.children)
    return items_from_sitemap(newest(tuple(entries), SITEMAP_ENTRIES))


def pick_new(source: SourceConfig, state: SourceState, listing: Listing, p: Pipeline, report: PollReport) -> Picked:
    """Phase 3: the items the source has not listed before, as many as one poll takes, baseline on a first poll."""
    report.type, report.entries = listing.kind, listing.listed
    report.entries_unread = report.entries - len(listing.items)
    known = p.store.articles.known_keys(source.id, [c.key for c in listing.items])
    # read as another kind than before (a feed whose first poll got an HTML page, a bot check) and listing none
    # of the items stored: what it lists now is a baseline, as on a first poll (a type changed in the config
    # starts the source afresh: `watcher.store.sources.state`)
    retyped = bool(state.baseline_done and state.type and state.type != listing.kind and listing.items and not known)
    if retyped:
        log.info("source %s: read as a %s now (it was a %s): the %d entries it lists are a baseline, stored "
                 "without alerts", source.id, listing.kind, state.type, len(listing.items))
    new = unseen(listing.items, known)
    new, waiting = take_new(new, source.max_new_per_poll or p.config.defaults.max_new_per_poll)
    new = mark_baseline(with_text(new, listing), first_poll=source.baseline and (retyped or not state.baseline_done),
                        added_at=utcnow() if retyped else state.added_at)
    report.baseline = sum(1 for c in new if not c.alertable)
    report.waiting = len(waiting)
    if waiting:
        log.info("source %s: %d new entries wait for the next poll (max_new_per_poll: %d per poll)",
                 source.id, len(waiting), len(new))
    return Picked(new, len(waiting), frozenset(known))


def record_unchanged(source: SourceConfig, state: SourceState, fetched: Fetched, started: datetime, p: Pipeline,
                     report: PollReport) -> None:
    """Phase 6 of a poll that found nothing to read: one small UPDATE (a cycle of 304s costs little)."""
    resp = fetched.resp
    report.status = "not_modified" if resp.not_modified else "unchanged"
    report.next_poll_at = next_poll(started, p.config.timing(source), adapted=state.adaptive_interval,
                                    hints=[state.feed_interval, fetched.cache_age])
    p.store.sources.record_poll(source.id, PollUpdate(
        "ok", report.status, report.next_poll_at, http_status=resp.status,
        etag=resp.headers.get("etag") or (state.etag if resp.not_modified else None),
        last_modified=resp.headers.get("last-modified") or (state.last_modified if resp.not_modified else None),
        size=None if resp.not_modified else resp.received, response_seconds=resp.elapsed, **fetched.source_fields(),
    ))


def record_read(source: SourceConfig, state: SourceState, fetched: Fetched, listing: Listing, picked: Picked,
                started: datetime, p: Pipeline, report: PollReport) -> None:
    """Phase 6 of a poll that read its source: validators, detected type, the pace learned, the next poll."""
    timing = p.config.timing(source)
    adapted = (adapted_interval(listing.dates()) if timing.adaptive else None) \
        or state.adaptive_interval
    report.next_poll_at = next_poll(started, timing, adapted=adapted, hints=[listing.feed_interval, fetched.cache_age])
    # entries left waiting must be read again next time: no validators or hash that would skip the same bytes,
    # and a first poll stays a first poll (they are baseline too)
    complete = not picked.waiting
    resp = fetched.resp
    p.store.sources.record_poll(source.id, PollUpdate(
        "ok", "ok", report.next_poll_at, http_status=resp.status,
        etag=resp.headers.get("etag") if complete else None,
        last_modified=resp.headers.get("last-modified") if complete else None, size=resp.received,
        baseline_done=True if complete else None, type=listing.kind, advertised_feed=listing.advertised_feed,
        feed_interval=listing.feed_interval or 0.0, adaptive_interval=adapted,
        content_hash=fetched.digest if complete else "", response_seconds=resp.elapsed, **fetched.source_fields(),
        # the entries stored now or before, not read again while their bytes stay the same
        item_memory=listing.seen.memory(picked.known | {c.key for c in picked.new}) if listing.seen else b"",
    ))
