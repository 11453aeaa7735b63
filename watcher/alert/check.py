"""`watcher check` for templates: every template a rule's alerts may go through, rendered against
sample alerts of every shape the rule can fire with, so a template that would fail on a real
alert (`speaker.name` for a rule that can fire without a speaker, a misspelt value) is found
before the daemon runs. At send time such a failure falls back to the standard message."""

from __future__ import annotations

import itertools
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from watcher.alert.compose import alert_context
from watcher.alert.template import RenderError, render
from watcher.config import Config
from watcher.config.yamlpos import Document, load_yaml
from watcher.errors import ConfigError
from watcher.match import engine
from watcher.match.engine import Evidence, Node
from watcher.rules.ruleset import Rule, RuleSet

Shape = frozenset[str]  # the kinds of evidence one firing of a rule carries
MAX_SHAPES = 64
_LEAF_KIND = {engine.KeywordsNode: "keyword", engine.RegexNode: "regex", engine.SpeakerNode: "speaker",
              engine.NumberNode: "number", engine.LanguageNode: "language"}
SAMPLE_SENTENCE = "More than 1,200 people were evacuated from the harbour district, Mayor Ana Ruiz said on Monday."


def shapes(node: Node) -> set[Shape]:
    """Every combination of evidence kinds with which `node` can hold (at most MAX_SHAPES of them)."""
    if isinstance(node, engine.AllNode):
        out: set[Shape] = {frozenset()}
        for child in node.children:
            out = {a | b for a, b in itertools.islice(itertools.product(out, shapes(child)), MAX_SHAPES)}
        return out
    if isinstance(node, engine.AnyNode):
        return set(itertools.islice((s for child in node.children for s in shapes(child)), MAX_SHAPES))
    if isinstance(node, engine.NotNode):
        return {frozenset()}  # holds when its clauses do not: no evidence
    kind = _LEAF_KIND.get(type(node))
    return {frozenset({kind} if kind else ())}


def sample_context(rule: Rule, shape: Shape) -> dict[str, Any]:
    """The values of a made-up alert of `rule` whose evidence has these kinds."""
    start = SAMPLE_SENTENCE.index("Ana Ruiz")
    pieces = {
        "keyword": Evidence("keyword", "body", SAMPLE_SENTENCE, 54, 61, "harbour", term="harbour"),
        "regex": Evidence("regex", "body", SAMPLE_SENTENCE, 54, 61, "harbour", term="harbou?r"),
        "speaker": Evidence("speaker", "body", SAMPLE_SENTENCE, start, start + 8, "Ana Ruiz", term="Ana Ruiz",
                            detail="said"),
        "number": Evidence("number", "body", SAMPLE_SENTENCE, 0, 15, "More than 1,200", value=1200.0,
                           detail="more than, near 'evacuated'"),
        "language": Evidence("language", "body", "", 0, 0, "en"),
    }
    return alert_context(rule_id=rule.id, rule_title=rule.title, article_title="Harbour district evacuated",
                         outlet="Riverside Echo", published=datetime(2026, 11, 20, 8, 30, tzinfo=timezone.utc),
                         url="https://news.example.org/2026/11/harbour-evacuated.html",
                         evidence=[pieces[k] for k in sorted(shape)])


def template_mistakes(rules: RuleSet, config: Config) -> list[str]:
    """`file:line: ...` for each template that fails on some alert a rule can make."""
    out: list[str] = []
    for rule in rules.rules:
        if not rule.notify:
            continue
        samples = [(shape, sample_context(rule, shape)) for shape in sorted(shapes(rule.node), key=sorted)]
        if rule.template:
            problem = _first_failure(rule.template, False, samples)
            if problem:
                out.append(f"{_where(rule.file, (rule.line,), rule.template, problem[1], rule_file=True)}: "
                           f"rule {rule.id}: {problem[0]}")
        for name in dict.fromkeys(rule.notify):
            channel = config.channels.get(name)
            if channel is None or not channel.template:
                continue
            problem = _first_failure(channel.template, channel.format == "html", samples)
            if problem:
                out.append(f"{_where(config.file, ('channels', name), channel.template, problem[1], rule_file=False)}: "
                           f"channel {name} with rule {rule.id}: {problem[0]}")
    return list(dict.fromkeys(out))


def _first_failure(text: str, html: bool, samples: Iterable[tuple[Shape, dict[str, Any]]]) -> tuple[str, int | None] | None:
    for shape, context in samples:
        try:
            render(text, context, html=html)
        except RenderError as e:
            kinds = " and ".join(sorted(shape)) or "no"
            return f"{e} (on an alert with {kinds} evidence)", e.line
    return None


def _where(file: Path, base: tuple[Any, ...], text: str, line: int | None, *, rule_file: bool) -> str:
    """`file:line` of the template's failing line (of its key when that line is not known)."""
    try:
        doc = _document(file, rule_file)
    except ConfigError:
        return f"{file}:1"
    if rule_file:  # base is the rule's line: find the rule it starts
        count = len(doc.value.get("rules") or []) if isinstance(doc.value, dict) else 0
        base = next((("rules", i) for i in range(count) if doc.line_of(("rules", i)) == base[0]), ("rules",))
    key = doc.line_of(base + ("template",))
    block = "\n" in text.rstrip("\n")  # `template: |`: its text starts on the next line
    return f"{file}:{key + line if block and line else key}"


@lru_cache(maxsize=64)
def _document(file: Path, rule_file: bool) -> Document:
    return load_yaml(file, env={} if rule_file else None)  # as the rules and the config were loaded
