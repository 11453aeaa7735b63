"""The poll's article phases: from the new items of one poll to stored articles.

`store_new` fetches and extracts every new item's page at once (an item
whose URL or GUID is stored already is a duplicate without a fetch) and
stores them in placing order as they become ready: whenever the next item
in that order has been read, it and every read item right after it are
stored in one transaction. So a slow page holds back only the items after
it (never the alerts of those before), most of a poll is written in one
commit, and the same items give the same stories whatever order they
arrive in. Each is deduplicated (canonical URL after redirects, body),
placed in its story, matched against the rules, and written with its
entry, story and matches; nothing awaits while storing, so no other poll's
article slips in between.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable

from watcher.alert.compose import compose
from watcher.config import Config, SourceConfig
from watcher.dedupe import body_fingerprint, canonical_url
from watcher.dedupe.identity import global_guid
from watcher.dedupe.sketch import Sketch, sketch
from watcher.deliver.targets import targets_for
from watcher.errors import FetchError
from watcher.extract.pool import ExtractionFailed
from watcher.match.article import ArticleText
from watcher.model import AlertDraft, Article, Entry, Item, Match, PollReport
from watcher.parse.model import MAX_TEXT, clip, clip_title
from watcher.rules.ruleset import RuleMatch, RuleSet
from watcher.run.crossing import ArticleCrossings
from watcher.run.offload import release_memory
from watcher.source.intake import placing_order

if TYPE_CHECKING:
    from watcher.extract.model import Extracted
    from watcher.run.pipeline import Pipeline
    from watcher.store.stories import Guess

log = logging.getLogger("watcher.run.poll")  # the poll's own lines, under the poll's name

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


@dataclass(frozen=True)
class PageRead:
    """One new item after its page was read: the extraction (None when the page could not be read, and `error`
    says why), the URL it ended at, or the stored article it duplicates before any fetch."""

    item: Item
    extracted: Extracted | None = None
    final_url: str | None = None
    error: str | None = None
    duplicate_of: int | None = None


async def store_new(source: SourceConfig, items: list[Item], p: Pipeline, report: PollReport,
                    then: Callable[[], None] | None = None) -> None:
    """Read every item's page at once; store them in placing order as each run of them is ready. `then` (the
    poll's record) runs in the transaction of the last run, or alone when there is nothing to store."""
    ordered = sorted(items, key=placing_order)
    async with asyncio.TaskGroup() as group:  # one failure that is not the page's own stops the others
        reads = [group.create_task(read_page(source, c, p)) for c in ordered]
        done = 0
        while done < len(reads):
            await reads[done]
            ready = done + 1
            while ready < len(reads) and reads[ready].done():
                ready += 1
            # workers: each article's placement made ahead, while other workers store; checked in the turn
            aheads = [ahead_of(source, r.result(), p) if p.place_ahead else None for r in reads[done:ready]]
            async with p.turn():  # (workers: placements across processes wait here, not in the transaction)
                with p.store.transaction():
                    for read, ahead in zip(reads[done:ready], aheads):  # in placing order already
                        store_page(source, read.result(), p, report, ahead)
                    if ready == len(reads) and then is not None:
                        then()
            done = ready
    if not reads and then is not None:
        with p.store.transaction():
            then()


async def read_page(source: SourceConfig, c: Item, p: Pipeline) -> PageRead:
    existing = p.store.articles.find(canonical_url=c.canonical_url, guid=global_guid(c.guid))
    if existing is not None:
        return PageRead(c, duplicate_of=existing)
    if not c.url:
        return PageRead(c)
    extracted: Extracted | None = None
    error: str | None = None
    final_url = c.url
    page_size = 0
    try:
        page = await p.fetcher.get(c.url, accept=PAGE_ACCEPT, trusted=False, timeout=p.config.timeout(source))
        final_url, page_size = page.url, len(page.content)
        extracted = await p.extractor.extract(page.content, page.url, need_date=c.published is None)
        del page  # the body and its copy sent to the worker are freed before the trim below
        if extracted is None:
            error = "no article body found on the page"
    except (FetchError, ExtractionFailed) as e:
        error = str(e)
    await release_memory(page_size)
    return PageRead(c, extracted, final_url, error)


@dataclass(frozen=True)
class Ahead:
    """A read's article and its placement, made before the turn to store it (workers)."""

    article: Article
    guess: Guess


def ahead_of(source: SourceConfig, read: PageRead, p: Pipeline) -> Ahead | None:
    """The read's article and placement made ahead, outside any transaction (None for a known duplicate or a
    read with nothing to place): `store_page` checks the placement under the lock, and makes it again there
    when an article placed meanwhile could change it."""
    body = _body(read)
    if read.duplicate_of is not None or not (body.strip() or read.item.title):
        return None
    article = _article(source, read, body_fingerprint(body))
    return Ahead(article, p.store.stories.guess(_story_sketch(read, article), p.config.stories.window))


def store_page(source: SourceConfig, read: PageRead, p: Pipeline, report: PollReport,
               ahead: Ahead | None = None) -> None:
    """Store one read (inside the caller's transaction), counting into `report`; `ahead`: its article and
    placement made before the transaction."""
    c = read.item
    entry = Entry(source.id, c.key, c.guid, c.url, c.canonical_url, c.title, c.published)
    existing = read.duplicate_of
    canon = _canon(read)
    if existing is None and read.final_url and canon != c.canonical_url:
        existing = p.store.articles.find(canonical_url=canon)
    body = _body(read)
    if existing is None and not body.strip() and not c.title:
        log.info("source %s: entry %s has no text and no title; stored without article", source.id, c.key)
        p.store.articles.add_entry(entry, None)
        return
    body_hash = None if existing is not None else ahead.article.body_hash if ahead else body_fingerprint(body)
    if existing is None:
        existing = p.store.articles.find(body_hash=body_hash)
    if existing is not None:
        p.store.articles.add_entry(entry, existing)
        report.duplicates += 1
        return
    article = ahead.article if ahead else _article(source, read, body_hash)
    # (a placement weighs its sketch from the term frequencies: the guess's weighed sketch serves as well)
    sk = ahead.guess.placement.sketch if ahead else _story_sketch(read, article)
    placement = p.store.stories.place(sk, p.config.stories.window, ahead.guess if ahead else None)
    crossings = ArticleCrossings(p.store.db, p.rules.rules, placement.verdict.story_id if placement.verdict else None)
    matches = match_article(article, source, p.rules.rules, p.config, crossings.settle) if article.alertable else []
    added = p.store.articles.insert(entry, article, matches, placement)
    if not added.created:
        report.duplicates += 1
        return
    article_id, story = added.article_id, added.story
    crossings.remember(article_id, story)  # `when: crosses` values seen, per rule, story and speaker
    report.article_ids.append(article_id)
    report.new_articles += 1
    report.matches += len(matches)
    if any(m.alert for m in matches):
        p.sender.wake.set()  # the outbox has new deliveries
    for m in matches:
        log.info("rule %s fired on %s (%s)", m.rule_id, article.url, source.id,
                 extra={"source": source.id, "rule": m.rule_id, "story": story, "alert": added.alerts.get(m.rule_id)})
    if article.summary_only:
        report.summary_only += 1
        log.info("source %s: %s kept as summary only: %s", source.id, c.url or c.key, read.error)


def _canon(read: PageRead) -> str:
    return canonical_url(read.final_url) if read.final_url else read.item.key


def _body(read: PageRead) -> str:
    return clip(read.extracted.text, MAX_TEXT) if read.extracted else read.item.text


def _article(source: SourceConfig, read: PageRead, body_hash: str | None) -> Article:
    return build_article(source, read.item, read.extracted, _canon(read), _body(read), body_hash, read.error)


def _story_sketch(read: PageRead, article: Article) -> Sketch:
    extracted = read.extracted
    made = extracted.sketch if extracted and extracted.title == article.title else None  # the worker's sketch
    return story_sketch(article, made)


def build_article(source: SourceConfig, c: Item, extracted: Extracted | None, canon: str, body: str,
                  body_hash: str | None, error: str | None) -> Article:
    """The article of an item: the page's extraction where there is one, the feed's own values otherwise."""
    return Article(
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
        summary_only=extracted is None,
        alertable=c.alertable,
        extract_error=error,
    )


def match_article(article: Article, source: SourceConfig, rules: RuleSet, config: Config,
                  crossings: Callable[[ArticleText, list[RuleMatch]], list[RuleMatch]] | None = None) -> list[Match]:
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
            targets = targets_for(config.channels, m.rule.notify)
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
