"""`number: {..., when: crosses}`: a rule fires when its number BECOMES true, not while it stays true.

Pure decisions over values: each crossing condition keeps, per subject (a watched source, or a story and
speaker), the last value seen and whether it is armed. A value that meets the bound fires when armed and
disarms; a value past the re-arm level (`rearm_below` / `rearm_above`, by default: no longer meeting the
bound) arms again; between the two nothing changes (hysteresis). No previous value counts as armed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Iterable

from typing import TYPE_CHECKING

from watcher.match.article import ArticleText, Prepared
from watcher.match.engine import AllNode, AnyNode, Evidence, NumberNode

if TYPE_CHECKING:
    from watcher.rules.ruleset import Rule, RuleMatch


@dataclass(frozen=True)
class Level:
    """What a crossing condition remembers of a subject."""

    value: float
    armed: bool  # the next value meeting the bound fires


@dataclass(frozen=True)
class CrossSpec:
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    rearm_below: float | None = None
    rearm_above: float | None = None

    def meets(self, v: float) -> bool:
        return ((self.gt is None or v > self.gt) and (self.gte is None or v >= self.gte)
                and (self.lt is None or v < self.lt) and (self.lte is None or v <= self.lte))

    def rearms(self, v: float) -> bool:
        if self.rearm_below is not None:
            return v < self.rearm_below
        if self.rearm_above is not None:
            return v > self.rearm_above
        return not self.meets(v)


@dataclass(frozen=True)
class Step:
    fires: bool
    previous: float | None
    level: Level


def step(spec: CrossSpec, previous: Level | None, value: float) -> Step:
    """The decision for a new `value` after `previous`."""
    armed = previous.armed if previous else True
    fires = False
    if spec.meets(value):
        fires, armed = armed, False
    elif spec.rearms(value):
        armed = True
    return Step(fires, previous.value if previous else None, Level(value, armed))


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


def check_crossing(n: object) -> None:
    """ValueError for a `when` / `rearm_*` combination that cannot work (shown by `watcher check`)."""
    g = lambda k: getattr(n, k, None)  # noqa: E731
    rearm_below, rearm_above = g("rearm_below"), g("rearm_above")
    if g("when") != "crosses":
        if rearm_below is not None or rearm_above is not None:
            raise ValueError("rearm_below / rearm_above need `when: crosses`")
        return
    upper = [v for v in (g("gt"), g("gte")) if v is not None]
    lower = [v for v in (g("lt"), g("lte")) if v is not None]
    if upper and lower:
        raise ValueError("`when: crosses` takes one direction: gt/gte (crossing upwards) or lt/lte (downwards)")
    if rearm_below is not None and (not upper or rearm_below > max(upper)):
        raise ValueError(f"rearm_below ({rearm_below:g}) needs gt/gte and must not be above it")
    if rearm_above is not None and (not lower or rearm_above < min(lower)):
        raise ValueError(f"rearm_above ({rearm_above:g}) needs lt/lte and must not be below it")


def rule_speaker(node: object) -> str | None:
    """The name of the first speaker condition of a rule (its crossings are kept per speaker)."""
    from watcher.match.engine import SpeakerNode

    if isinstance(node, SpeakerNode):
        return node.spec.name
    for child in getattr(node, "children", ()):
        found = rule_speaker(child)
        if found:
            return found
    return None
