"""Crossing conditions of rules applied to an article's matches: which matches stand (their number became
true) and which values to remember. The decision for one value is `watcher.match.threshold.step`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Iterable

from watcher.match.article import ArticleText, Prepared
from watcher.match.engine import AllNode, AnyNode, Evidence, NotNode, NumberNode, SpeakerNode
from watcher.match.threshold import Level, Step, step
from watcher.rules.ruleset import Rule, RuleMatch


def crossing_nodes(node: object) -> list[NumberNode]:
    """The `when: crosses` number conditions of a rule (under all / any; `not` cannot cross)."""
    if isinstance(node, NumberNode):
        return [node] if node.crosses is not None else []
    if isinstance(node, (AllNode, AnyNode)):
        return [n for child in node.children for n in crossing_nodes(child)]
    return []


Key = tuple[str, str]  # (rule id, subject)


@dataclass(frozen=True)
class Settled:
    fired: list[RuleMatch]  # the matches that stand, their crossing evidence saying from what to what
    levels: dict[Key, Level]  # what to remember now


def settle(rules: Iterable[Rule], text: ArticleText, matches: list[RuleMatch], subject: Callable[[Rule], str],
           previous: Callable[[str, str], Level | None]) -> Settled:
    """Apply the crossing conditions of `rules` (those that watch this article) to `matches`.

    Every crossing condition that finds its number records it, whether or not the rule fired; a match
    whose crossing condition did not cross (it was already true) is dropped."""
    levels: dict[Key, Level] = {}
    steps: dict[str, list[tuple[NumberNode, Step]]] = {}
    prepared: Prepared | None = None
    for rule in rules:
        nodes = crossing_nodes(rule.node)
        if not nodes or not rule.applies_to(text):
            continue
        prepared = prepared or Prepared(text)
        for i, node in enumerate(nodes):
            ev = node.observe(prepared)
            if ev is None or ev.value is None:
                continue
            key = (rule.id, subject(rule) + (f"#{i}" if i else ""))
            s = step(node.crosses, levels.get(key) or previous(*key), ev.value)
            levels[key] = s.level
            steps.setdefault(rule.id, []).append((node, s))
    fired = []
    for m in matches:
        # the crossings this match stands on (one under `any:` may not be why it matched): all must fire
        used = [s for _, s in steps.get(m.rule.id, ())
                if any(e.kind == "number" and e.value == s.level.value for e in m.evidence)]
        if all(s.fires for s in used):
            fired.append(replace(m, evidence=tuple(_with_previous(e, used) for e in m.evidence)) if used else m)
    return Settled(fired, levels)


def _with_previous(e: Evidence, steps: list[Step]) -> Evidence:
    if e.kind != "number":
        return e
    for s in steps:
        if s.level.value == e.value:
            was = "no earlier value" if s.previous is None else f"was {s.previous:,g}"
            return replace(e, detail=", ".join(x for x in (e.detail, f"crossed: {was}, now {e.value:,g}") if x))
    return e


def rule_speaker(node: object) -> str | None:
    """The name of the first speaker condition of a rule (its crossings are kept per speaker); one under `not`
    names who must not speak, not whose value is followed."""
    if isinstance(node, SpeakerNode):
        return node.spec.name
    if isinstance(node, NotNode):
        return None
    for child in getattr(node, "children", ()):
        found = rule_speaker(child)
        if found:
            return found
    return None
