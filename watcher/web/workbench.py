"""The rule workbench: a rule file's YAML, edited in the browser, is loaded and checked from a copy; tested on
one article or backtested over stored ones; saved over the real file only when `watcher check` would pass
(the previous version kept beside it as `<file>.prev`), where the daemon's hot reload picks it up."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from watcher.alert.check import template_mistakes
from watcher.config import Config
from watcher.errors import ConfigError, ConfigErrors, WatcherError
from watcher.match.article import ArticleText
from watcher.match.engine import Evidence
from watcher.rules.load import load_rules, rule_files
from watcher.rules.ruleset import Rule, RuleSet, example_failures


@dataclass(frozen=True)
class Checked:
    rules: RuleSet | None
    errors: list[str]


def rule_set(config: Config) -> Checked:
    """The rules in force (or the mistakes that keep them from loading)."""
    if config.rules is None:
        return Checked(RuleSet(()), [])
    try:
        rules = load_rules(config.rules, config)
    except (ConfigErrors, ConfigError, WatcherError) as e:
        return Checked(None, str(e).splitlines())
    return Checked(rules, example_failures(rules) + template_mistakes(rules, config))


def files(config: Config) -> list[Path]:
    try:
        return rule_files(config.rules) if config.rules else []
    except WatcherError:
        return []


def check_copy(config: Config, file: Path, text: str) -> Checked:
    """The whole rule set as it would be with `file` holding `text`: loaded from a copy, checked as
    `watcher check` checks it; mistakes are named at the real file's lines."""
    assert config.rules is not None
    with tempfile.TemporaryDirectory(prefix="watcher-rules-") as tmp:
        if config.rules.is_dir():
            root = Path(tmp) / "rules"
            root.mkdir()
            for f in rule_files(config.rules):
                if f != file:
                    shutil.copyfile(f, root / f.name)
            (root / file.name).write_text(text, encoding="utf-8")
        else:
            root = Path(tmp) / file.name
            root.write_text(text, encoding="utf-8")
        copy = root / file.name if root.is_dir() else root

        def real(line: str) -> str:
            return line.replace(str(copy), str(file)).replace(str(root), str(config.rules))

        try:
            rules = load_rules(root, None)
        except (ConfigErrors, ConfigError, WatcherError) as e:
            return Checked(None, [real(x) for x in str(e).splitlines()])
        mistakes = example_failures(rules) + template_mistakes(rules, config)
        return Checked(rules, [real(x) for x in mistakes])


def save(config: Config, file: Path, text: str) -> Checked:
    """Write `text` to `file` if the rule set checks clean with it, keeping the old text as `<file>.prev`."""
    checked = check_copy(config, file, text)
    if checked.rules is None or checked.errors:
        return checked
    shutil.copyfile(file, file.with_name(file.name + ".prev"))
    tmp = file.with_name(f".{file.name}.saving")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, file)  # the hot reload never sees half a file
    return checked


def article_text(row: dict[str, Any], config: Config) -> ArticleText:
    tags = frozenset(t for s in config.sources if s.id == row.get("source_id") for t in s.tags)
    return ArticleText(title=row.get("title") or "", body=row.get("body") or "", source_id=row.get("source_id"),
                       tags=tags, language=row.get("language"))


def pasted(text: str) -> ArticleText:
    """Pasted text: a short first line followed by a blank line is its title (as `watcher test --file`)."""
    head, sep, rest = text.replace("\r\n", "\n").strip().partition("\n\n")
    if sep and "\n" not in head and len(head) <= 200:
        return ArticleText(title=head.strip(), body=rest.strip())
    return ArticleText(title="", body=text.strip())


@dataclass(frozen=True)
class TestResult:
    fires: bool
    applies: bool  # the rule watches this article's source
    evidence: tuple[Evidence, ...]
    missing: tuple[str, ...]


def test(rule: Rule, article: ArticleText) -> TestResult:
    outcome = RuleSet((rule,)).explain(article)[0][1]
    if outcome is None:
        return TestResult(False, False, (), ())
    return TestResult(outcome.holds, True, outcome.evidence if outcome.holds else (), outcome.missing)


def backtest(rule: Rule, articles: Iterable[dict[str, Any]], config: Config) -> tuple[int, list[dict[str, Any]]]:
    """How many of `articles` the rule fires on, and those articles (with their evidence)."""
    one = RuleSet((rule,))
    fired, seen = [], 0
    for row in articles:
        seen += 1
        found = one.match(article_text(row, config))
        if found:
            fired.append({**{k: row[k] for k in ("id", "title", "url", "source_id", "fetched_at")},
                          "evidence": found[0].evidence})
    return seen, fired


async def fetched(url: str) -> ArticleText:
    """The article at `url`, fetched and extracted as the daemon would (as `watcher test --url`)."""
    import asyncio

    from watcher.extract.body import extract_article
    from watcher.fetch import Fetcher

    if not url.startswith(("http://", "https://")):
        raise WatcherError(f"{url}: not an http(s) URL")
    async with Fetcher() as f:
        resp = await f.get(url)
    extracted = await asyncio.to_thread(extract_article, resp.content, resp.url)  # the event loop keeps serving
    if extracted is None:
        raise WatcherError(f"{url}: no article body found in the page")
    return ArticleText(title=extracted.title or "", body=extracted.text, language=extracted.language)
