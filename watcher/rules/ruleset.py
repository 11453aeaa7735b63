"""Compiled rules and the rule set that matches an article against all of them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from watcher.match.article import ArticleText, Prepared
from watcher.match.engine import STEM_MARK, Evidence, Node, Outcome, requirements
from watcher.rules.schema import ExampleModel


@dataclass(frozen=True)
class Example:
    text: str
    title: str
    fires: bool
    line: int


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    node: Node
    source_ids: frozenset[str]
    source_tags: frozenset[str]
    notify: tuple[str, ...]
    once_per: str
    examples: tuple[Example, ...]
    file: Path
    line: int
    template: str | None = None
    updates: str = "silent"  # silent | digest | notify: later articles of a story already alerted on

    def applies_to(self, article: ArticleText) -> bool:
        if not self.source_ids and not self.source_tags:
            return True
        return article.source_id in self.source_ids or bool(self.source_tags & article.tags)

    def evaluate(self, prepared: Prepared) -> Outcome:
        return self.node.eval(prepared)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class RuleMatch:
    rule: Rule
    evidence: tuple[Evidence, ...]


class RuleSet:
    """All rules, indexed by the words they need, so an article is only tested
    against rules that could fire on it: with a thousand rules, matching costs
    one lookup per distinct word of the article plus the few candidate rules."""

    def __init__(self, rules: tuple[Rule, ...] = ()) -> None:
        self.rules = rules
        self.by_id = {r.id: r for r in rules}
        self._always: list[int] = []
        self._index: dict[str, list[int]] = {}
        self._stem_lengths: set[int] = set()
        # the other clauses' word sets, checked against the article before a rule is evaluated
        self._checks: dict[int, list[frozenset[str]]] = {}
        for i, rule in enumerate(rules):
            reqs = requirements(rule.node)
            if not reqs:
                self._always.append(i)
                continue
            needs = min(reqs, key=len)
            others = [r for r in reqs if r is not needs and not any(k.startswith(STEM_MARK) for k in r)]
            if others:
                self._checks[i] = others
            for key in needs:
                self._index.setdefault(key, []).append(i)
                if key.startswith(STEM_MARK):
                    self._stem_lengths.add(len(key) - 1)
        self._keys = frozenset(self._index)

    def candidates(self, prepared: Prepared) -> list[Rule]:
        chosen = set(self._always)
        index = self._index
        for f in prepared.fields.values():
            for word in f.word_set & self._keys:  # one set intersection in C, not a loop over words
                chosen.update(index[word])
            if self._stem_lengths:
                for word in f.word_set:
                    for n in self._stem_lengths:
                        if len(word) - 3 <= n <= len(word):
                            hit = index.get(STEM_MARK + word[:n])
                            if hit:
                                chosen.update(hit)
        words = prepared.fields["title"].word_set | prepared.fields["body"].word_set
        checks = self._checks
        return [
            self.rules[i] for i in sorted(chosen)
            if i not in checks or not any(req.isdisjoint(words) for req in checks[i])
        ]

    def __len__(self) -> int:
        return len(self.rules)

    def only(self, rule_id: str) -> "RuleSet":
        return RuleSet(tuple(r for r in self.rules if r.id == rule_id))

    def match(self, article: ArticleText) -> list[RuleMatch]:
        """The rules that fire on `article`, with their evidence."""
        prepared = Prepared(article)
        out = []
        for rule in self.candidates(prepared):
            if rule.applies_to(article):
                outcome = rule.evaluate(prepared)
                if outcome.holds:
                    out.append(RuleMatch(rule, outcome.evidence))
        return out

    def explain(self, article: ArticleText) -> list[tuple[Rule, Outcome | None]]:
        """Every rule with its outcome (None when the rule does not watch this source)."""
        prepared = Prepared(article)
        return [(r, r.evaluate(prepared) if r.applies_to(article) else None) for r in self.rules]


def example_failures(rules: RuleSet) -> list[str]:
    """`file:line: ...` for every inline example whose outcome differs from `fires`."""
    failures = []
    for rule in rules.rules:
        for n, ex in enumerate(rule.examples, 1):
            outcome = rule.evaluate(Prepared(ArticleText(title=ex.title, body=ex.text)))
            if outcome.holds == ex.fires:
                continue
            if ex.fires:
                why = "; ".join(outcome.missing) or "no condition held"
                failures.append(f"{rule.file}:{ex.line}: rule {rule.id}, example {n} should fire but does not: {why}")
            else:
                found = "; ".join(f"{e.kind} '{e.matched}'" for e in outcome.evidence[:4])
                failures.append(f"{rule.file}:{ex.line}: rule {rule.id}, example {n} should not fire but does (found {found})")
    return failures


def to_example(model: ExampleModel, line: int) -> Example:
    return Example(model.text, model.title, model.fires, line)
