"""One poll of a `type: watch` source: fetch the page, select the region, diff it against the last version,
store the new version with its change, match the rules over the added text, alert.

A change is stored as an article of the source (title "<source> changed", body the new lines holding
added words, link the page), so rules, alerts, delivery, `watcher alerts` and `replay` treat it as one.
Each change alerts on its own (never grouped into a story with the page's earlier changes). The first
version is a baseline: stored, never alerted on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Callable

from watcher.alert.compose import compose
from watcher.alert.template import render_or_none
from watcher.change.diff import Change, word_diff
from watcher.config import Config, SourceConfig
from watcher.config.watch import WatchConfig
from watcher.deliver.targets import targets_for
from watcher.dedupe import canonical_url
from watcher.errors import FetchError, WatcherError
from watcher.fetch.http import own_headers
from watcher.match.article import ArticleText
from watcher.match.threshold import Level
from watcher.rules.crossings import settle
from watcher.parse.model import MAX_TEXT, clip
from watcher.parse.region import RegionError
from watcher.rules.ruleset import RuleMatch, RuleSet
from watcher.run.failures import finish, record_failure, tell_recovered
from watcher.run.offload import off_loop
from watcher.source.schedule import max_age, next_poll
from watcher.model import AlertDraft, Article, Entry, Match, PollReport, PollUpdate, SourceState
from watcher.store import thresholds, versions
from watcher.store.times import utcnow

if TYPE_CHECKING:
    from watcher.run.pipeline import Pipeline

log = logging.getLogger("watcher.run.watch")

WATCH_ACCEPT = "text/html, application/xhtml+xml;q=0.9, application/json;q=0.9, */*;q=0.5"


@dataclass(frozen=True)
class PageChange:
    """A new version of a watched region and what it changed (None for the first version)."""

    source_id: str
    url: str
    text: str
    text_hash: str
    change: Change | None


def watch_subject(source_id: str) -> str:
    """Whose value a `when: crosses` condition follows on a watched page: the source's."""
    return f"source:{source_id}"


def change_title(source: SourceConfig) -> str:
    return f"{source.name or source.id} changed"


def change_text(source: SourceConfig, change: PageChange) -> ArticleText:
    """What rules run over: the new lines with added words (the whole text for a first version)."""
    body = change.change.added if change.change else change.text
    return ArticleText(title=change_title(source), body=body, source_id=source.id, tags=frozenset(source.tags))


def change_matches(source: SourceConfig, page: PageChange, rules: RuleSet, previous: Callable[[str, str], Level | None],
                   ) -> tuple[list[RuleMatch], dict[tuple[str, str], Level]]:
    """The rules that fire on a change (none for a first version, which only records crossing values)."""
    text = change_text(source, page)
    matches = rules.match(text) if page.change else []
    settled = settle(rules.rules, text, matches, lambda r: watch_subject(source.id), previous)
    return settled.fired, settled.levels


def change_records(matches: list[RuleMatch], article: Article, source: SourceConfig, config: Config,
                   change: Change) -> list[Match]:
    """Match records for a change, each alert showing the diff and the page link; every change alerts."""
    out = []
    for m in matches:
        alert = None
        if m.rule.notify:
            content = compose(
                rule_id=m.rule.id, rule_title=m.rule.title, article_title=article.title, outlet=source.name or source.id,
                published=article.published, url=article.url, evidence=m.evidence,
            )
            context = dict(content.context, diff={"added": change.added_words, "removed": change.removed,
                                                  "lines": change.lines()})
            body = f"{content.body}\n\nChanges:\n{change.markdown()}"
            if m.rule.template:  # rendered with the diff among its values
                body = render_or_none(m.rule.template, context, whose=f"rule {m.rule.id} template") or body
            targets = targets_for(config.channels, m.rule.notify)
            alert = AlertDraft(title=content.title, body=body, targets=targets,
                                context_json=json.dumps(context, ensure_ascii=False), once_per="article")
        out.append(Match(m.rule.id, json.dumps([asdict(e) for e in m.evidence], ensure_ascii=False), alert))
    return out


def read_region(source: SourceConfig, data: bytes, content_type: str) -> str:
    region = (source.watch or WatchConfig()).region()
    return clip(region.text(data, content_type, limit=MAX_TEXT), MAX_TEXT)


async def poll_watch(source: SourceConfig, p: Pipeline, state: SourceState, report: PollReport,
                     start: float, started: datetime) -> PollReport:
    report.type = "watch"
    timing = p.config.timing(source)
    # no version stored yet (a source that was another type before kept that type's validators): no 304, so the
    # page's text now is the baseline, not its first change later
    last = versions.latest(p.store.db, source.id)
    try:
        resp = await p.fetcher.get(state.poll_url, etag=state.etag if last else None,
                                   last_modified=state.last_modified if last else None,
                                   accept=WATCH_ACCEPT, timeout=p.config.timeout(source),
                                   extra=own_headers(source.request.as_headers() if source.request else None,
                                                     source.url, state.poll_url))
    except FetchError as e:
        return await record_failure(p, source, state, report, e.kind, str(e), start, started,
                                    http_status=e.status, retry_after=e.retry_after)
    cache_age = max_age(resp.headers.get("cache-control"))
    report.document_bytes = len(resp.content)
    report.next_poll_at = next_poll(started, timing, hints=[cache_age])
    digest = "" if resp.not_modified else hashlib.blake2b(resp.content, digest_size=16).hexdigest()
    if resp.not_modified or (last is not None and digest == state.content_hash):
        report.status = "not_modified" if resp.not_modified else "unchanged"
        p.store.sources.record_poll(source.id, PollUpdate(
            "ok", report.status, report.next_poll_at, http_status=resp.status,
            etag=resp.headers.get("etag") or state.etag, last_modified=resp.headers.get("last-modified") or state.last_modified,
            size=None if resp.not_modified else resp.received, max_age=cache_age or 0.0))
        await tell_recovered(p, source, state)
        return finish(report, start)
    try:
        text = await off_loop(read_region, source, resp.content, resp.headers.get("content-type", ""))
    except RegionError as e:
        return await record_failure(p, source, state, report, "parse", str(e), start, started, http_status=resp.status)
    text_hash = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    ok = PollUpdate("ok", "ok", report.next_poll_at, http_status=resp.status, etag=resp.headers.get("etag"),
                    last_modified=resp.headers.get("last-modified"), size=resp.received, baseline_done=True,
                    type="watch", content_hash=digest, max_age=cache_age or 0.0)
    if last is not None and last.text_hash == text_hash:
        report.status = "unchanged"  # the page changed outside the region, or only in ignored text
        p.store.sources.record_poll(source.id, ok)
        await tell_recovered(p, source, state)
        return finish(report, start)
    page = PageChange(source.id, resp.url, text, text_hash, word_diff(last.text, text) if last else None)
    matches, levels = change_matches(source, page, p.rules.rules,
                                     lambda rule, subject: thresholds.get(p.store.db, rule, subject))
    stored = store_change(p, source, page, matches, levels, keep=(source.watch or WatchConfig()).keep)
    report.entries = 1
    report.new_articles = int(stored is not None)
    report.baseline = int(last is None)
    report.matches = len(matches)
    p.store.sources.record_poll(source.id, ok)
    if any(m.rule.notify for m in matches):
        p.sender.wake.set()
    for m in matches:
        log.info("rule %s fired on a change of %s (%s)", m.rule.id, resp.url, source.id,
                 extra={"source": source.id, "rule": m.rule.id})
    await tell_recovered(p, source, state)
    return finish(report, start)


def store_change(p: Pipeline, source: SourceConfig, page: PageChange, matches: list[RuleMatch],
                 levels: dict[tuple[str, str], Level], keep: int) -> int | None:
    """The new version, its change (as an article with its matches and alerts) and the crossing values, in
    one transaction. Returns the change's article id (None for a first version)."""
    db = p.store.db
    now = utcnow()
    with db.atomic():
        last = versions.latest(db, source.id)
        number = (last.version if last else 0) + 1
        article_id = None
        if page.change is not None:
            text = change_text(source, page)
            article = Article(
                canonical_url=f"{canonical_url(page.url)}#watch-version-{number}", url=page.url, guid=None,
                source_id=source.id, title=text.title, author=None, published=now, sitename=source.name,
                language=None, body=text.body, body_hash=None, summary_only=False, alertable=True,
            )
            entry = Entry(source.id, f"watch-version:{number}", None, page.url, article.canonical_url,
                                article.title, now)
            records = change_records(matches, article, source, p.config, page.change)
            article_id, _ = p.store.articles.add(entry, article, records, None)
        versions.add(db, source.id, page.url, page.text, page.text_hash, now, article_id, keep)
        for (rule_id, subject), level in levels.items():
            thresholds.put(db, rule_id, subject, level, now)
    return article_id


async def fetch_region(source: SourceConfig, url: str | None = None) -> str:
    """The region's text of a watched page as it is now (for `watcher test --url`), with the source's own
    request options."""
    from watcher.fetch import Fetcher

    async with Fetcher() as fetcher:
        resp = await fetcher.get(url or source.url, accept=WATCH_ACCEPT,
                                 extra=source.request.as_headers() if source.request else None)
    try:
        return read_region(source, resp.content, resp.headers.get("content-type", ""))
    except RegionError as e:
        raise WatcherError(f"{resp.url}: {e}") from None
