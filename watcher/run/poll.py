"""One poll of one source: source -> fetch -> parse -> extract -> dedupe -> store.

The decisions (which entries are new, which may alert) are pure functions
over values; `poll_source` does the I/O around them.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from watcher.alert.compose import compose
from watcher.config import Config, SourceConfig
from watcher.dedupe import body_fingerprint, canonical_url
from watcher.dedupe.sketch import Sketch, sketch
from watcher.deliver.sender import Sender
from watcher.errors import FetchError
from watcher.extract.pool import ExtractionFailed, Extractor
from watcher.fetch import Fetcher, Response
from watcher.match.article import ArticleText
from watcher.run.crossing import ArticleCrossings
from watcher.run.memory import BIG_DOCUMENT, release_after
from watcher.run.metrics import Metrics
from watcher.parse.feed import parse_feed
from watcher.parse.html import advertised_feeds, html_to_text, looks_like_html
from watcher.parse.model import MAX_TEXT, FeedParseError, ParsedFeed, clip, clip_title
from watcher.parse.page import PageLink, discover_links
from watcher.parse.sitemap import SitemapEntry, newest, parse_sitemap
from watcher.rules.book import RuleBook
from watcher.rules.ruleset import RuleMatch, RuleSet
from watcher.source.schedule import MoveState, adapted_interval, max_age, next_poll, permanent_target, track_move
from watcher.model import AlertDraft, Article, Entry, Item, Match, PollReport, PollUpdate, SourceState
from watcher.store import Store
from watcher.store.times import utcnow

if TYPE_CHECKING:
    from watcher.extract.model import Extracted

log = logging.getLogger("watcher.run.poll")
T = TypeVar("T")

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
SITEMAP_CHILDREN = 3  # child sitemaps of an index read per poll, most recently modified first
SITEMAP_ENTRIES = 200  # newest URLs of a sitemap considered per poll; a sitemap may list 50,000
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


# -- pure decisions ---------------------------------------------------------

def candidates_from_feed(feed: ParsedFeed) -> list[Item]:
    out: list[Item] = []
    for e in feed.entries:
        canon = canonical_url(e.url) if e.url else None
        key = e.guid or canon
        if not key:
            continue  # an entry with neither id nor link cannot be told apart from others
        text = clip(html_to_text(e.content) or html_to_text(e.summary), MAX_TEXT)
        out.append(Item(key, e.guid, e.url, canon, clip_title(e.title), text, e.author, e.published,
                             language=feed.language))
    return _unique(out)


def candidates_from_links(links: tuple[PageLink, ...]) -> list[Item]:
    out = []
    for link in links:
        canon = canonical_url(link.url)
        out.append(Item(canon, None, link.url, canon, clip_title(link.title)))
    return _unique(out)


def candidates_from_sitemap(entries: list[SitemapEntry]) -> list[Item]:
    out = []
    for e in entries:
        canon = canonical_url(e.url)
        out.append(Item(canon, None, e.url, canon, clip_title(e.title), published=e.published))
    return _unique(out)


def looks_like_sitemap(data: bytes) -> bool:
    head = data[:1024]
    return data[:2] == b"\x1f\x8b" or b"<urlset" in head or b"<sitemapindex" in head


def _unique(cands: list[Item]) -> list[Item]:
    seen: set[str] = set()
    out = []
    for c in cands:
        if c.key not in seen:
            seen.add(c.key)
            out.append(c)
    return out


def mark_baseline(cands: list[Item], *, first_poll: bool, added_at: datetime) -> list[Item]:
    """On a source's first poll, entries published before it was added do not alert."""
    if not first_poll:
        return cands
    return [replace(c, alertable=bool(c.published and c.published > added_at)) for c in cands]


def take_new(cands: list[Item], limit: int) -> tuple[list[Item], list[Item]]:
    """The new entries one poll takes (newest first; undated ones in document order, after dated ones) and
    those that wait for the next poll."""
    if len(cands) <= limit:
        return cands, []
    order = sorted(range(len(cands)), key=lambda i: (cands[i].published is None,
                                                     -(cands[i].published or _EPOCH).timestamp(), i))
    taken = set(order[:limit])
    return [c for i, c in enumerate(cands) if i in taken], [c for i, c in enumerate(cands) if i not in taken]


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


async def off_loop(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` in a parser thread: a big document (a 10 MB feed, a page of 50,000 links) takes seconds to
    read, and the event loop keeps answering /healthz, polling and sending meanwhile."""
    global _parsers
    if _parsers is None:
        _parsers = ThreadPoolExecutor(max_workers=PARSER_THREADS, thread_name_prefix="watcher-parse")
    return await asyncio.get_running_loop().run_in_executor(_parsers, functools.partial(fn, *args))


async def release_memory(size: int) -> None:
    """After a document of `size` bytes and everything made from it are dropped: the heap's free pages go back
    to the system (`watcher.run.memory`), in a parser thread so the loop does not wait on it."""
    if size >= BIG_DOCUMENT:
        await off_loop(release_after, size)


PARSER_THREADS = 2  # the default executor also resolves host names: parsing gets threads of its own
_parsers: ThreadPoolExecutor | None = None


def global_guid(guid: str | None) -> str | None:
    """A GUID distinctive enough to identify an article across feeds (URLs, tag: URIs, UUIDs)."""
    if guid and (len(guid) >= 16 or ":" in guid):
        return guid
    return None


# -- the I/O around them ------------------------------------------------------

@dataclass
class Pipeline:
    """What a poll needs: config, store, HTTP client and extraction pool."""

    config: Config
    store: Store
    fetcher: Fetcher
    extractor: Extractor
    rules: RuleBook
    sender: Sender
    metrics: Metrics = field(default_factory=Metrics)  # in-process counters for /metrics


async def poll_source(source: SourceConfig, p: Pipeline) -> PollReport:
    start = time.monotonic()
    started = utcnow()
    report = PollReport(source.id)
    p.rules.refresh()
    state = p.store.sources.ensure(source.id, source.url, source.type)
    if state.disabled:
        report.status, report.error = "disabled", state.disabled
        log.info("source %s: not polled: %s (change its url in the config to poll it again)", source.id, state.disabled)
        return _done(report, start)
    if source.type == "watch":  # one page whose region is versioned: watcher/run/watch.py
        from watcher.run.watch import poll_watch

        return await poll_watch(source, p, state, report, start, started)
    timing = p.config.timing(source)
    try:
        resp = await p.fetcher.get(
            state.poll_url,
            etag=state.etag,
            last_modified=state.last_modified,
            accept=PAGE_ACCEPT if source.type == "page" else FEED_ACCEPT,
            timeout=p.config.timeout(source),
            extra=source.request.as_headers() if source.request else None,  # the source's own headers, auth
        )
    except FetchError as e:
        return await _failed(p, source, state, report, e.kind, str(e), start, started,
                             http_status=e.status, retry_after=e.retry_after)
    move, moved_to = track_move(MoveState(state.move_target, state.move_polls), permanent_target(resp.redirects),
                                p.config.http.moved_after)
    if moved_to:
        log.warning("source %s: %s answered 'moved permanently' to %s on %d polls in a row; polling the new URL "
                    "from now on (put it in the config as `url`)", source.id, state.poll_url, moved_to,
                    p.config.http.moved_after)
    report.document_bytes = len(resp.content)
    cache_age = max_age(resp.headers.get("cache-control"))
    move_fields = {"move_target": move.target, "move_polls": move.polls, "moved_to": moved_to, "max_age": cache_age or 0.0}
    digest = "" if resp.not_modified else hashlib.blake2b(resp.content, digest_size=16).hexdigest()
    same_bytes = digest == state.content_hash and state.baseline_done and state.type in ("feed", "page")
    if resp.not_modified or same_bytes:
        # a 304, or a server without validators sending the very bytes we read last time: nothing to parse,
        # one small UPDATE (a cycle of 304s costs little)
        report.status = "not_modified" if resp.not_modified else "unchanged"
        report.next_poll_at = next_poll(started, timing, adapted=state.adaptive_interval,
                                        hints=[state.feed_interval, cache_age])
        p.store.sources.record_poll(source.id, PollUpdate(
            "ok", report.status, report.next_poll_at, http_status=resp.status,
            etag=resp.headers.get("etag") or (state.etag if resp.not_modified else None),
            last_modified=resp.headers.get("last-modified") or (state.last_modified if resp.not_modified else None),
            size=None if resp.not_modified else resp.received, **move_fields,
        ))
        await _recovered(p, source, state)
        return _done(report, start)

    advertised: str | None = None
    try:
        kind, cands, feed_interval = await off_loop(read_source, source.id, source.type or state.type, resp)
        if kind == "sitemap":
            cands = await _sitemap_candidates(source, resp, p)
    except FeedParseError as e:
        return await _failed(p, source, state, report, "parse", str(e), start, started, http_status=resp.status)
    if kind == "page":
        feeds = await off_loop(advertised_feeds, resp.content, resp.url)
        if feeds:
            advertised = feeds[0]
            log.info("source %s: page advertises a feed %s (set `type: feed` and that URL to poll it instead)", source.id, advertised)
    report.type = kind
    report.entries = len(cands)

    known = p.store.articles.known_keys(source.id, [c.key for c in cands])
    new = [c for c in cands if c.key not in known]
    first_poll = source.baseline and not state.baseline_done
    new, waiting = take_new(new, source.max_new_per_poll or p.config.defaults.max_new_per_poll)
    new = mark_baseline(new, first_poll=first_poll, added_at=state.added_at)
    report.baseline = sum(1 for c in new if not c.alertable)
    report.waiting = len(waiting)
    if waiting:
        log.info("source %s: %d new entries wait for the next poll (max_new_per_poll: %d per poll)",
                 source.id, len(waiting), len(new))

    # pages are fetched and read at once, but stored (and placed in their stories) one by one in a stable
    # order, so the same entries give the same stories whatever order the feed lists them in
    new.sort(key=placing_order)
    turns = [asyncio.Event() for _ in new]
    async with asyncio.TaskGroup() as group:  # one failure (a database that refuses writes) stops the others
        for i, c in enumerate(new):
            group.create_task(_store_in_turn(source, c, p, report, turns[i - 1] if i else None, turns[i]))

    adapted = (adapted_interval(c.published for c in cands) if timing.adaptive else None) or state.adaptive_interval
    report.next_poll_at = next_poll(started, timing, adapted=adapted, hints=[feed_interval, cache_age])
    # entries left waiting must be read again next time: no validators or hash that would skip the same bytes,
    # and a first poll stays a first poll (they are baseline too)
    complete = not waiting
    p.store.sources.record_poll(source.id, PollUpdate(
        "ok", "ok", report.next_poll_at, http_status=resp.status,
        etag=resp.headers.get("etag") if complete else None,
        last_modified=resp.headers.get("last-modified") if complete else None, size=resp.received,
        baseline_done=True if complete else None, type=kind, advertised_feed=advertised,
        feed_interval=feed_interval or 0.0, adaptive_interval=adapted, content_hash=digest if complete else "",
        **move_fields,
    ))
    await _recovered(p, source, state)
    return _done(report, start)


def read_source(source_id: str, type_: str | None, resp: Response) -> tuple[str, list[Item], int | None]:
    """Entries of a feed or links of a page, and the feed's own least poll interval (seconds) if it gives one.

    An unknown type is detected (and then kept)."""
    if type_ == "page":
        return "page", candidates_from_links(discover_links(resp.content, resp.url)), None
    if type_ == "sitemap" or (type_ is None and looks_like_sitemap(resp.content)):
        return "sitemap", [], None  # read by _sitemap_candidates, which may fetch child sitemaps
    try:
        feed = parse_feed(resp.content, resp.url, resp.headers.get("content-type"))
    except FeedParseError:
        if type_ is None and looks_like_html(resp.content):
            return "page", candidates_from_links(discover_links(resp.content, resp.url)), None
        raise
    cands = candidates_from_feed(feed)
    if feed.bozo:
        if not cands:
            raise FeedParseError(f"ill-formed feed with no usable entries: {feed.bozo}")
        log.info("source %s: feed is ill-formed but readable: %s", source_id, feed.bozo)
    return "feed", cands, feed.ttl_seconds


async def _sitemap_candidates(source: SourceConfig, resp: Response, p: Pipeline) -> list[Item]:
    sitemap = await off_loop(parse_sitemap, resp.content, resp.url)
    entries = list(sitemap.entries)
    recent = sorted(sitemap.children, key=lambda c: c[1] or datetime.min.replace(tzinfo=timezone.utc), reverse=True)
    for child_url, _ in recent[:SITEMAP_CHILDREN]:
        try:
            child = await p.fetcher.get(child_url, trusted=False, timeout=p.config.timeout(source))
            entries.extend((await off_loop(parse_sitemap, child.content, child.url)).entries)
        except (FetchError, FeedParseError) as e:
            log.warning("source %s: child sitemap %s skipped: %s", source.id, child_url, e)
    return candidates_from_sitemap(newest(tuple(entries), SITEMAP_ENTRIES))


def placing_order(c: Item) -> tuple[float, str]:
    """Entries of one poll are stored oldest first, then by key."""
    return (c.published.timestamp() if c.published else float("inf"), c.key)


async def _store_in_turn(source: SourceConfig, c: Item, p: Pipeline, report: PollReport,
                         after: asyncio.Event | None, done: asyncio.Event) -> None:
    try:
        await _store_candidate(source, c, p, report, after)
    finally:
        done.set()


async def _store_candidate(source: SourceConfig, c: Item, p: Pipeline, report: PollReport,
                           after: asyncio.Event | None = None) -> None:
    entry = Entry(source.id, c.key, c.guid, c.url, c.canonical_url, c.title, c.published)
    existing = p.store.articles.find(canonical_url=c.canonical_url, guid=global_guid(c.guid))
    if existing is not None:
        p.store.articles.add_entry(entry, existing)
        report.duplicates += 1
        return
    extracted: Extracted | None = None
    error: str | None = None
    final_url = c.url
    page_size = 0
    if c.url:
        try:
            page = await p.fetcher.get(c.url, accept=PAGE_ACCEPT, trusted=False, timeout=p.config.timeout(source))
            final_url, page_size = page.url, len(page.content)
            extracted = await p.extractor.extract(
                page.content, page.url, need_date=c.published is None
            )
            del page  # the body and its copy sent to the worker are freed before the trim below
            if extracted is None:
                error = "no article body found on the page"
        except (FetchError, ExtractionFailed) as e:
            error = str(e)
        await release_memory(page_size)
    canon = canonical_url(final_url) if final_url else c.key
    if after is not None:
        await after.wait()  # the entries before this one in placing order are stored
    # from here to the insert nothing awaits, so no other entry can slip in between
    if final_url and canon != c.canonical_url:
        existing = p.store.articles.find(canonical_url=canon)
        if existing is not None:
            p.store.articles.add_entry(entry, existing)
            report.duplicates += 1
            return
    body = clip(extracted.text, MAX_TEXT) if extracted else c.text
    summary_only = extracted is None
    if not body.strip() and not c.title:
        log.info("source %s: entry %s has no text and no title; stored without article", source.id, c.key)
        p.store.articles.add_entry(entry, None)
        return
    body_hash = body_fingerprint(body)
    existing = p.store.articles.find(body_hash=body_hash)
    if existing is not None:
        p.store.articles.add_entry(entry, existing)
        report.duplicates += 1
        return
    article = Article(
        canonical_url=canon,
        url=canon,  # the clean link: no trackers, no fragment
        guid=c.guid,
        source_id=source.id,
        title=clip_title(extracted.title if extracted and extracted.title else c.title),
        author=c.author or (extracted.author if extracted else None),
        published=c.published or _parse_date(extracted.date if extracted else None),
        sitename=extracted.sitename if extracted else None,
        language=(extracted.language if extracted else None) or c.language,
        body=body,
        body_hash=body_hash,
        summary_only=summary_only,
        alertable=c.alertable,
        extract_error=error,
    )
    made = extracted.sketch if extracted and extracted.title == article.title else None  # the worker's sketch
    placement = p.store.stories.place(story_sketch(article, made), p.config.stories.window)
    crossings = ArticleCrossings(p.store.db, p.rules.rules, placement.verdict.story_id if placement.verdict else None)
    matches = match_article(article, source, p.rules.rules, p.config, crossings.settle) if article.alertable else []
    article_id, created = p.store.articles.add(entry, article, matches, placement)
    if created:
        crossings.remember(article_id)  # `when: crosses` values seen, per rule, story and speaker
    if not created:
        report.duplicates += 1
        return
    report.article_ids.append(article_id)
    report.new_articles += 1
    report.matches += len(matches)
    if any(m.alert for m in matches):
        p.sender.wake.set()  # the outbox has new deliveries
    for m in matches:
        log.info("rule %s fired on %s (%s)", m.rule_id, article.url, source.id)
    if summary_only:
        report.summary_only += 1
        log.info("source %s: %s kept as summary only: %s", source.id, c.url or c.key, error)


def match_article(article: Article, source: SourceConfig, rules: RuleSet, config: Config,
                  crossings: Callable[[ArticleText, list[RuleMatch]], list[RuleMatch]] | None = None,
                  ) -> list[Match]:
    """The rules that fire on a new article, as records to save with it (alerts included)."""
    text = ArticleText(
        title=article.title or "", body=article.body, source_id=source.id,
        tags=frozenset(source.tags), language=article.language,
    )
    fired = rules.match(text)
    return match_records(crossings(text, fired) if crossings else fired, article, source, config)


def match_records(
    matches: list[RuleMatch], article: Article, source: SourceConfig, config: Config
) -> list[Match]:
    """Records of rule matches on a stored article, each with its alert when the rule notifies."""
    out = []
    for m in matches:
        alert = None
        if m.rule.notify:
            content = compose(
                rule_id=m.rule.id, rule_title=m.rule.title, article_title=article.title,
                outlet=article.sitename or source.name or source.id, published=article.published,
                url=article.url, evidence=m.evidence, template=m.rule.template,
            )
            targets = tuple((ch, i) for ch in m.rule.notify for i in range(len(config.channels[ch].urls)))
            alert = AlertDraft(title=content.title, body=content.body, targets=targets,
                                context_json=json.dumps(content.context, ensure_ascii=False),
                                once_per=m.rule.once_per, updates=m.rule.updates)
        evidence = json.dumps([asdict(e) for e in m.evidence], ensure_ascii=False)
        out.append(Match(m.rule.id, evidence, alert))
    return out


def story_sketch(article: Article, made: bytes | None = None) -> Sketch:
    """The article's story sketch (`made` by the extraction worker, or made here), dated when it was published
    (never later than now)."""
    now = datetime.now(timezone.utc)
    when = (min(article.published, now) if article.published else now).timestamp()
    if made is not None:
        return replace(Sketch.from_bytes(made), at=when, dated=article.published is not None)
    return sketch(article.title or "", article.body, when, dated=article.published is not None)


def _parse_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


async def _failed(
    p: Pipeline, source: SourceConfig, state: SourceState, report: PollReport, kind: str, message: str,
    start: float, started: datetime, *, http_status: int | None = None, retry_after: float | None = None,
) -> PollReport:
    """Record a poll that failed: back off, or wait for the host's Retry-After, or disable on 410 Gone."""
    timing = p.config.timing(source)
    report.error = message
    not_before = datetime.fromtimestamp(retry_after, timezone.utc) if retry_after else None
    keep_move = {"move_target": state.move_target, "move_polls": state.move_polls}
    if kind == "paused":  # another request to the host was told to wait: not this source's failure
        report.status = "paused"
        report.next_poll_at = next_poll(started, timing, adapted=state.adaptive_interval, not_before=not_before)
        p.store.sources.record_poll(source.id, PollUpdate("skipped", "paused", report.next_poll_at, error=message, **keep_move))
        log.info("source %s: paused: %s", source.id, message)
        return _done(report, start)
    disabled = None
    if http_status == 410:
        kind = "gone"
        disabled = f"HTTP 410 Gone on {started:%Y-%m-%d %H:%M} UTC: {state.poll_url} is gone for good"
    report.status = kind
    failures = state.consecutive_failures + 1
    # a host's Retry-After says when to come back; other failures double the wait each time
    report.next_poll_at = next_poll(started, timing, adapted=state.adaptive_interval, hints=[state.feed_interval],
                                    failures=0 if not_before else failures, not_before=not_before)
    p.store.sources.record_poll(source.id, PollUpdate(
        "failed", kind, report.next_poll_at, error=message, http_status=http_status, disabled=disabled, **keep_move))
    if disabled:
        log.warning("source %s: %s; it is disabled and not polled again until its url changes in the config",
                    source.id, disabled)
        await p.sender.notice(f"watcher: source '{source.id}' is gone", f"{disabled}. It is no longer polled.")
        return _done(report, start)
    log.warning("source %s: %s: %s (%d failed in a row; next try %s)", source.id, kind, message, failures,
                f"{report.next_poll_at:%Y-%m-%d %H:%M:%S}")
    since = state.failing_since or started
    if not state.failing_notified and (started - since).total_seconds() >= p.config.delivery.source_failing_after:
        log.warning("source %s: failing since %s; telling the admin channel", source.id, f"{since:%Y-%m-%d %H:%M}")
        await p.sender.notice(
            f"watcher: source '{source.id}' is failing",
            f"{failures} polls in a row have failed since {since:%Y-%m-%d %H:%M} UTC. The last error: {message}. "
            f"Next try: {report.next_poll_at:%Y-%m-%d %H:%M} UTC.",
        )
        p.store.sources.set_failing_notified(source.id, True)
    return _done(report, start)


async def _recovered(p: Pipeline, source: SourceConfig, state: SourceState) -> None:
    """A source whose failure the admin channel was told of works again: say so, once."""
    if state.failing_notified:
        log.info("source %s: recovered after %d failed polls", source.id, state.consecutive_failures)
        await p.sender.notice(f"watcher: source '{source.id}' recovered",
                              f"It polls successfully again after {state.consecutive_failures} failed polls.")


def _done(report: PollReport, start: float) -> PollReport:
    report.elapsed = time.monotonic() - start
    if report.ok:
        log.info(
            "source %s: %s, %d entries, %d new articles, %d duplicates, %d baseline, %d rule matches, %.2fs",
            report.source_id, report.status, report.entries, report.new_articles,
            report.duplicates, report.baseline, report.matches, report.elapsed,
        )
    return report
