"""Rule conditions compiled into a small tree of nodes, evaluated on a Prepared article.

Every node returns whether it holds and the evidence for it: the sentence,
the span and the term, alias or number that satisfied it. `all` stops at the
first failing clause and tries cheap clauses (language, keywords) before
costly ones (speaker, number), so most rules cost a few dictionary lookups
per article.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol

from watcher.match.article import Field, Prepared
from watcher.match.keywords import Term, compile_term, find_term
from watcher.match.numbers import NumberTest, match_number
from watcher.match.regex import compile_user_regex
from watcher.match.speaker import SpeakerSpec, find_speech


@dataclass(frozen=True)
class Evidence:
    kind: str  # keyword | regex | speaker | number | language
    field: str  # title | body
    sentence: str
    start: int  # span of the matched text within the field
    end: int
    matched: str  # the text as written in the article
    term: str | None = None  # the rule's term, alias, pattern or name
    value: float | None = None  # the number, for `number`
    detail: str | None = None  # how the speaker spoke, the near term, the hedge


@dataclass(frozen=True)
class Outcome:
    holds: bool
    evidence: tuple[Evidence, ...] = ()
    missing: tuple[str, ...] = ()  # clauses that failed, for explanations


HOLDS_EMPTY = Outcome(True)


class Node(Protocol):
    cost: int
    label: str

    def needs(self) -> frozenset[str] | None: ...

    def eval(self, p: Prepared) -> Outcome: ...


class AllNode:
    def __init__(self, children: list[Node], label: str = "all") -> None:
        self.children = sorted(children, key=lambda c: c.cost)
        self.cost = max((c.cost for c in children), default=0)
        self.label = label

    def needs(self) -> frozenset[str] | None:
        """Folded words of which at least one must be in the article for this to hold (None: no such set)."""
        known = [n for n in (c.needs() for c in self.children) if n is not None]
        return min(known, key=len) if known else None

    def eval(self, p: Prepared) -> Outcome:
        # cheap yes/no checks first, so no evidence is built for a rule that a costly
        # clause (speaker, number) then rejects
        for child in self.children:
            if isinstance(child, KeywordsNode) and not child.quick(p):
                return Outcome(False, (), (child.label,))
        evidence: list[Evidence] = []
        for child in self.children:
            out = child.eval(p)
            if not out.holds:
                return Outcome(False, (), out.missing or (child.label,))
            evidence.extend(out.evidence)
        return Outcome(True, tuple(evidence))


class AnyNode:
    def __init__(self, children: list[Node]) -> None:
        self.children = sorted(children, key=lambda c: c.cost)
        self.cost = max((c.cost for c in children), default=0)
        self.label = "any (" + ", ".join(c.label for c in children) + ")"

    def needs(self) -> frozenset[str] | None:
        sets = [c.needs() for c in self.children]
        return None if any(x is None for x in sets) else frozenset().union(*sets)  # type: ignore[arg-type]

    def eval(self, p: Prepared) -> Outcome:
        for child in self.children:
            out = child.eval(p)
            if out.holds:
                return out
        return Outcome(False, (), (self.label,))


class NotNode:
    """Holds when none of its children holds."""

    def __init__(self, children: list[Node]) -> None:
        self.children = children
        self.cost = max((c.cost for c in children), default=0)
        self.label = "not (" + ", ".join(c.label for c in children) + ")"

    def needs(self) -> frozenset[str] | None:
        return None

    def eval(self, p: Prepared) -> Outcome:
        for child in self.children:
            out = child.eval(p)
            if out.holds:
                found = ", ".join(e.matched for e in out.evidence[:3])
                return Outcome(False, (), (f"not: found {found or child.label}",))
        return HOLDS_EMPTY


STEM_MARK = "\0"  # prefix of index keys that are stems of non-Latin words, not whole words


def term_needs(terms: list[Term]) -> frozenset[str]:
    """The first word forms of the terms (stems marked), one of which any hit contains."""
    out: set[str] = set()
    for t in terms:
        if t.stems[0] is not None:
            out.add(STEM_MARK + t.stems[0])
        else:
            out.update(t.parts[0])
    return frozenset(out)


def requirements(node: Node) -> list[frozenset[str]]:
    """Word sets that must each meet the article for `node` to hold (the clauses of an `all`)."""
    if isinstance(node, AllNode):
        return [r for child in node.children for r in requirements(child)]
    needs = node.needs()
    return [] if needs is None else [needs]


def _fields(p: Prepared, names: Iterable[str]) -> list[Field]:
    return [p.fields[n] for n in names]


class KeywordsNode:
    cost = 1

    def __init__(self, terms: list[str], fields: tuple[str, ...], require_all: bool) -> None:
        self.terms: list[Term] = [compile_term(t) for t in terms]
        self.fields = fields
        self.require_all = require_all
        self._plain = all(t.stems[0] is None for t in self.terms)
        self._first = frozenset().union(*(t.parts[0] for t in self.terms))
        self.label = ("all_keywords" if require_all else "keywords") + f" [{', '.join(terms[:4])}{', ...' if len(terms) > 4 else ''}]"

    def needs(self) -> frozenset[str] | None:
        return term_needs(self.terms)

    def quick(self, p: Prepared) -> bool:
        """Whether this holds, without building evidence."""
        fields = _fields(p, self.fields)
        if self.require_all:
            return all(any(find_term(t, f) for f in fields) for t in self.terms)
        if self._plain and all(self._first.isdisjoint(f.word_set) for f in fields):
            return False
        return any(find_term(t, f) for t in self.terms for f in fields)

    def eval(self, p: Prepared) -> Outcome:
        fields = _fields(p, self.fields)
        if not self.require_all and self._plain and all(self._first.isdisjoint(f.word_set) for f in fields):
            return Outcome(False, (), (self.label,))  # no term can start anywhere: decided in C
        evidence = []
        for term in self.terms:
            hit_ev = None
            for f in fields:
                hits = find_term(term, f)
                if hits:
                    h = hits[0]
                    hit_ev = Evidence("keyword", f.name, f.sentence_at(h.start).text, h.start, h.end,
                                      f.text[h.start:h.end], term=term.text)
                    break
            if hit_ev is not None:
                evidence.append(hit_ev)
            elif self.require_all:
                return Outcome(False, (), (f"all_keywords: '{term.text}' not found",))
        if not evidence:
            return Outcome(False, (), (self.label,))
        return Outcome(True, tuple(evidence))


class RegexNode:
    cost = 2

    def __init__(self, patterns: list[str], fields: tuple[str, ...]) -> None:
        self.patterns = [(pat, compile_user_regex(pat)) for pat in patterns]
        self.fields = fields
        self.label = f"regex [{', '.join(patterns[:2])}]"

    def needs(self) -> frozenset[str] | None:
        return None

    def eval(self, p: Prepared) -> Outcome:
        for pat, rx in self.patterns:
            for f in _fields(p, self.fields):
                m = rx.search(f.text)
                if m:
                    return Outcome(True, (Evidence("regex", f.name, f.sentence_at(m.start()).text, m.start(), m.end(),
                                                   m.group(0), term=pat),))
        return Outcome(False, (), (self.label,))


class SpeakerNode:
    cost = 3

    def __init__(self, name: str, aliases: list[str]) -> None:
        self.spec = SpeakerSpec(name=name, aliases=tuple(aliases))
        # cheap pre-check: some word of the name or an alias must appear at all
        self.probe = [compile_term(n) for n in [name, *aliases, name.split()[-1]]]
        self._probe_first = frozenset().union(*(t.parts[0] for t in self.probe))
        self._probe_plain = all(t.stems[0] is None for t in self.probe)
        self.label = f"speaker {name}"

    def needs(self) -> frozenset[str] | None:
        return term_needs(self.probe)

    def eval(self, p: Prepared) -> Outcome:
        if self._probe_plain and all(self._probe_first.isdisjoint(f.word_set) for f in p.fields.values()):
            return Outcome(False, (), (f"speaker: {self.spec.name} not mentioned",))
        if not any(find_term(t, f) for t in self.probe for f in p.fields.values()):
            return Outcome(False, (), (f"speaker: {self.spec.name} not mentioned",))
        evidence = []
        for f in p.fields.values():
            for s in find_speech(f.text, self.spec):
                evidence.append(Evidence("speaker", f.name, s.sentence, s.alias_start, s.alias_start + len(s.alias),
                                         s.alias, term=self.spec.name, detail=s.how))
        if not evidence:
            return Outcome(False, (), (f"speaker: {self.spec.name} is mentioned but not quoted",))
        return Outcome(True, tuple(evidence[:3]))


class NumberNode:
    cost = 4

    def __init__(self, **test: object) -> None:
        near = tuple(test.pop("near", ()) or ())  # type: ignore[arg-type]
        when, rearm_below, rearm_above = test.pop("when", None), test.pop("rearm_below", None), test.pop("rearm_above", None)
        self.test = NumberTest(near=near, **test)  # type: ignore[arg-type]
        bounds = [f"{k} {v:g}" for k, v in test.items() if k in ("gt", "gte", "lt", "lte") and v is not None]
        self.label = "number " + " ".join(bounds)
        self.crosses = None  # `when: crosses`: the bounds are met by the first such number, alerting on the change
        if when == "crosses":
            from watcher.match.threshold import CrossSpec

            self.crosses = CrossSpec(**{k: test.get(k) for k in ("gt", "gte", "lt", "lte")},  # type: ignore[arg-type]
                                     rearm_below=rearm_below, rearm_above=rearm_above)  # type: ignore[arg-type]
            self.probe = NumberTest(near=near, **{k: v for k, v in test.items() if k not in ("gt", "gte", "lt", "lte")})  # type: ignore[arg-type]
            self.label += " (when it crosses)"
        # the near terms' word forms: when none is in a field, no number there can qualify
        self._near = [compile_term(t) for t in near]
        self._near_first = frozenset().union(*(t.parts[0] for t in self._near)) if self._near else frozenset()
        self._near_plain = all(t.stems[0] is None for t in self._near)

    def needs(self) -> frozenset[str] | None:
        return term_needs(self._near) if self._near else None  # a number counts only near one of these

    def eval(self, p: Prepared) -> Outcome:
        if self.crosses is not None:
            seen = self.observe(p)
            if seen is None or seen.value is None:
                return Outcome(False, (), (self.label + ": no such number",))
            if not self.crosses.meets(seen.value):
                return Outcome(False, (), (f"{self.label}: the number is {seen.matched}",))
            return Outcome(True, (seen,))
        evidence = self._numbers(p, self.test)
        if not evidence:
            return Outcome(False, (), (self.label + ": no such number",))
        return Outcome(True, tuple(evidence[:3]))

    def observe(self, p: Prepared) -> Evidence | None:
        """The number a `when: crosses` condition follows: the first one near its terms, whatever its value."""
        found = self._numbers(p, self.probe, first=True)
        return found[0] if found else None

    def _numbers(self, p: Prepared, test: NumberTest, first: bool = False) -> list[Evidence]:
        evidence = []
        upper = self.test.gt is not None or self.test.gte is not None
        for f in p.fields.values():
            if self._near and self._near_plain and test.same_sentence and self._near_first.isdisjoint(f.word_set):
                continue
            for n in match_number(f.text, test, p.article.language):
                q = n.quantity
                detail = ", ".join(x for x in (q.hedge, f"near '{n.near_term}'" if n.near_term else None) if x)
                value = float(q.high if upper else q.low)
                evidence.append(Evidence("number", f.name, n.sentence, q.start, q.end, q.text, value=value,
                                         detail=detail or None))
                if first:
                    return evidence
        return evidence


class LanguageNode:
    cost = 0

    def __init__(self, languages: list[str]) -> None:
        self.languages = {lang.lower().split("-")[0] for lang in languages}
        self.label = f"language {', '.join(sorted(self.languages))}"

    def needs(self) -> frozenset[str] | None:
        return None

    def eval(self, p: Prepared) -> Outcome:
        lang = (p.article.language or "").lower().split("-")[0]
        if lang in self.languages:
            return Outcome(True, (Evidence("language", "body", "", 0, 0, lang, term=lang),))
        return Outcome(False, (), (f"{self.label}: article is {lang or 'of unknown language'}",))
