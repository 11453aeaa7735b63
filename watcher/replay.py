"""`watcher replay`: the current rules over stored articles, reporting what would fire."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from datetime import timedelta

import click

from watcher.config import Config
from watcher.errors import WatcherError
from watcher.match.article import ArticleText
from watcher.report import evidence_line
from watcher.rules.load import load_rules
from watcher.store import Store
from watcher.store.db import utcnow


def replay_rules(config: Config, age: float | None, rule_id: str | None, as_json: bool) -> None:
    if config.rules is None:
        raise WatcherError(f"{config.file}: no `rules:` configured")
    rules = load_rules(config.rules, config)
    if rule_id:
        if rule_id not in rules.by_id:
            raise WatcherError(f"unknown rule '{rule_id}' (rules: {', '.join(sorted(rules.by_id)) or 'none'})")
        rules = rules.only(rule_id)
    tags = {s.id: frozenset(s.tags) for s in config.sources}
    store = Store(config.database)
    try:
        since = utcnow() - timedelta(seconds=age) if age else None
        articles = store.articles_since(since)
    finally:
        store.close()
    hits: list[dict] = []
    per_rule: Counter[str] = Counter()
    with click.progressbar(articles, label=f"replaying {len(rules)} rules", file=click.get_text_stream("stderr"),
                           show_pos=True) as bar:
        for a in bar:
            text = ArticleText(a["title"] or "", a["body"], a["source_id"], tags.get(a["source_id"], frozenset()),
                               a["language"])
            for m in rules.match(text):
                per_rule[m.rule.id] += 1
                hits.append({"rule": m.rule.id, "article_id": a["id"], "title": a["title"], "url": a["url"],
                             "source": a["source_id"], "published": a["published"],
                             "evidence": [asdict(e) for e in m.evidence]})
    if as_json:
        click.echo(json.dumps({"articles": len(articles), "rules": len(rules), "fired": hits}, indent=2, ensure_ascii=False))
        return
    click.echo(f"{len(articles)} articles, {len(rules)} rules: {len(hits)} would fire (nothing sent)")
    for rule in rules.rules:
        click.echo(f"  {rule.id}: {per_rule[rule.id]}")
    for h in hits:
        click.echo(f"\n{h['rule']}  {h['title']}  [{h['source']}, {(h['published'] or '')[:10]}]\n  {h['url']}")
        for e in h["evidence"]:
            from watcher.match.engine import Evidence

            click.echo("    " + evidence_line(Evidence(**e)))
