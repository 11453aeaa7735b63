"""`watcher replay`: the current rules over stored articles, reporting what would fire."""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import timedelta

import click

from watcher.config import Config
from watcher.errors import WatcherError
from watcher.logs import redact
from watcher.match.article import ArticleText
from watcher.match.engine import Evidence
from watcher.match.explain import evidence_line
from watcher.rules.load import load_rules
from watcher.run.crossing import ReplayCrossings
from watcher.store import Store
from watcher.store.times import iso, utcnow
from watcher.store.lock import open_store


def replay_rules(config: Config, age: float | None, rule_id: str | None, as_json: bool, send: bool = False) -> None:
    if config.rules is None:
        raise WatcherError(f"{config.file}: no `rules:` configured")
    rules = load_rules(config.rules, config)
    if rule_id:
        if rule_id not in rules.by_id:
            raise WatcherError(f"unknown rule '{rule_id}' (rules: {', '.join(sorted(rules.by_id)) or 'none'})")
        rules = rules.only(rule_id)
    tags = {s.id: frozenset(s.tags) for s in config.sources}
    with open_store(config.database, writes=send) as store:  # --send queues and sends: it holds the lock
        since = utcnow() - timedelta(seconds=age) if age else None
        done = _replay(rules, store.articles.pages_since(since), store.articles.count_since(since), tags,
                       store if send else None, config)
        sent = _deliver(store, config) if send else None
    if as_json:
        click.echo(json.dumps({"articles": done.articles, "without_text": done.untext, "rules": len(rules),
                               "fired": done.hits, "sent": sent}, indent=2, ensure_ascii=False))
        return
    tail = f"{sent} deliveries sent" if send else "nothing sent"
    click.echo(f"{done.articles} articles, {len(rules)} rules: {len(done.hits)} would fire ({tail})")
    if done.untext:
        click.echo(f"  {done.untext} of the articles have no stored text (emptied by retention, or none was "
                   "extracted): the rules saw their titles only")
    for rule in rules.rules:
        click.echo(f"  {rule.id}: {done.per_rule[rule.id]}")
    for h in done.hits:
        click.echo(f"\n{h['rule']}  {h['title']}  [{h['source']}, {(h['published'] or '')[:10]}]\n  {h['url']}")
        for e in h["evidence"]:
            click.echo("    " + evidence_line(Evidence(**e)))


@dataclass
class Replayed:
    """What a replay saw: the articles read, those without stored text (their titles alone were matched), and
    each rule's hits."""

    articles: int = 0
    untext: int = 0
    hits: list[dict] = field(default_factory=list)
    per_rule: Counter[str] = field(default_factory=Counter)


def _replay(rules, pages, total, tags, store, config) -> Replayed:  # type: ignore[no-untyped-def]
    """Run the rules over the articles, page after page (`total` of them); with a store, record matches and
    queue their alerts."""
    from watcher.run.poll import match_records

    sources = {s.id: s for s in config.sources}
    # `when: crosses` values, followed in the order the articles were stored
    crossings = ReplayCrossings(rules, frozenset(s.id for s in config.sources if s.type == "watch"))
    done = Replayed()
    with click.progressbar(length=total, label=f"replaying {len(rules)} rules", file=sys.stderr,
                           show_pos=True) as bar:
        for page in pages:
            for stored in page:
                a = stored.article
                done.articles += 1
                done.untext += not a.body
                text = ArticleText(a.title or "", a.body, a.source_id, tags.get(a.source_id, frozenset()), a.language)
                fired = crossings.settle(text, rules.match(text), stored.story_id, stored.id)
                for m in fired:
                    done.per_rule[m.rule.id] += 1
                    done.hits.append({"rule": m.rule.id, "article_id": stored.id, "title": a.title,
                                      "url": redact(a.url), "source": a.source_id, "published": iso(a.published),
                                      "evidence": [asdict(e) for e in m.evidence]})
                if store is not None and fired and a.source_id in sources:
                    store.alerts.add_matches(stored.id, match_records(fired, a, sources[a.source_id], config))
            bar.update(len(page))
    return done


def _deliver(store: Store, config: Config) -> int:
    from watcher.deliver.sender import Sender

    async def go() -> int:
        report = await Sender(store, config).send_due()
        return report.sent

    return asyncio.run(go())
