"""Testing quantities against a rule's thresholds and `near` terms."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from watcher.match.number.quantity import _ANY_KINDS, Quantity
from watcher.match.number.scan import _scan
from watcher.match.text import Sentence, fold, split_sentences, words


Bound = Decimal | float | int | str | None


def exact(v: Bound) -> Decimal | None:
    """A threshold as the decimal it was written as: 16.4 -> Decimal("16.4"), not 16.39999999999999857891...

    A float from a rule file is its shortest repr (what the YAML said), so no binary
    rounding error reaches a comparison.
    """
    if v is None or isinstance(v, Decimal):
        return v
    return Decimal(repr(v)) if isinstance(v, float) else Decimal(v)


@dataclass(frozen=True)
class NumberTest:
    gt: Bound = None  # converted to Decimal on creation
    gte: Bound = None
    lt: Bound = None
    lte: Bound = None
    near: tuple[str, ...] = ()
    window: int = 25
    same_sentence: bool = True
    unit: str = "count"

    def __post_init__(self) -> None:
        for name in ("gt", "gte", "lt", "lte"):
            object.__setattr__(self, name, exact(getattr(self, name)))


@dataclass(frozen=True)
class NumberEvidence:
    quantity: Quantity
    sentence: str
    sentence_start: int
    near_term: str | None
    near_start: int | None


def _kind_ok(kind: str, unit: str) -> bool:
    return kind in _ANY_KINDS if unit == "any" else kind == unit


# Comparatives that put the value strictly past the number: "more than 80,000" is > 80,000, "fewer than 50" < 50.
# ("over", "under", "above", "below" are prepositions as often ("over 2 days", "at over 180 mph"): left as written.)
_ABOVE = frozenset({"more than", "exceeding"})
_BELOW = frozenset({"less than", "fewer than"})


def _passes(q: Quantity, t: NumberTest) -> bool:
    """A range satisfies a lower bound by its upper end and an upper bound by its lower end.

    A strict hedge is a bound just past the number: "more than 80,000" meets `gt: 80000`
    and `gte: 80000` but not `lte: 80000`; "fewer than 50" meets `lt: 50` but not `gte: 50`.
    Other hedges ("about", "at least", "up to") leave the number as written.
    """
    above, below = q.hedge in _ABOVE, q.hedge in _BELOW
    return (
        (t.gt is None or q.high > t.gt or (above and q.high == t.gt))
        and (t.gte is None or (q.high > t.gte if below else q.high >= t.gte))
        and (t.lt is None or q.low < t.lt or (below and q.low == t.lt))
        and (t.lte is None or (q.low < t.lte if above else q.low <= t.lte))
    )


@lru_cache(maxsize=32)
def _sentences(text: str) -> tuple[tuple[Sentence, ...], tuple[int, ...]]:
    sents = tuple(split_sentences(text))
    return sents, tuple(s.start for s in sents)


@lru_cache(maxsize=8)
def _text_words(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Word starts and ends of the whole text; only needed when same_sentence is False."""
    ws = words(text)
    return tuple(w.start for w in ws), tuple(w.end for w in ws)


@lru_cache(maxsize=256)
def _sentence_words(sentence: Sentence) -> tuple[tuple[int, ...], str]:
    """Word starts and folded text of one sentence (many rules ask about the same one)."""
    return tuple(w.start for w in words(sentence.text, sentence.start)), fold(sentence.text)


def _sentence_of(text: str, pos: int) -> Sentence:
    sents, starts = _sentences(text)
    i = max(0, bisect_right(starts, pos) - 1)
    return sents[i] if sents else Sentence(0, len(text), text)


def _inflected(word: str) -> str:
    """Regex for a folded word with simple suffixes: front ~ fronts, send ~ sending, city ~ cities."""
    base = re.escape(word)
    if not word[-1:].isalpha():
        return base
    alts = [base + r"(?:s|es|ed|d|ing|['’]s)?"]
    if word.endswith("e") and len(word) > 2:
        alts.append(re.escape(word[:-1]) + "ing")
    if word.endswith("y") and len(word) > 2:
        alts.append(re.escape(word[:-1]) + "(?:ies|ied)")
    return "(?:" + "|".join(alts) + ")"


@lru_cache(maxsize=512)
def _term_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    alts = []
    for i in sorted(range(len(terms)), key=lambda i: -len(terms[i])):  # phrases before their words
        parts = re.split(r"[\s\-]+", fold(terms[i]).strip())  # "front-line" ~ "front line"
        parts = [p for p in parts if p]
        if parts:
            alts.append(f"(?P<t{i}>" + r"[\s\-]+".join(_inflected(p) for p in parts) + ")")
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)") if alts else None


def _words_between(word_starts: tuple[int, ...] | list[int], a_end: int, b_start: int) -> int:
    return max(0, bisect_left(word_starts, b_start) - bisect_left(word_starts, a_end))


def _nearest_term(text: str, q: Quantity, test: NumberTest, sentence: Sentence) -> tuple[str, int] | None:
    """The `near` term closest to `q` (in words) within the window, and its offset."""
    pattern = _term_pattern(tuple(test.near))
    if pattern is None:
        return None
    if test.same_sentence:
        lo, hi = sentence.start, sentence.end
        starts, region = _sentence_words(sentence)
    else:  # fold only a region a little wider than the window
        starts, ends = _text_words(text)
        i, j = bisect_left(starts, q.start), bisect_left(starts, q.end)
        lo = starts[max(0, i - test.window - 12)] if starts else 0
        hi = ends[min(len(ends) - 1, j + test.window + 12)] if ends else len(text)
        region = fold(text[lo:hi])  # same length as the original, so offsets carry over
    best: tuple[int, int, str] | None = None
    for m in pattern.finditer(region):
        s, e = lo + m.start(), lo + m.end()
        if s < q.end and e > q.start:
            continue  # the term is part of the number itself
        gap = _words_between(starts, q.end, s) if s >= q.end else _words_between(starts, e, q.start)
        if gap <= test.window and (best is None or gap < best[0]):
            best = (gap, s, test.near[int(m.lastgroup[1:])])
    return (best[2], best[1]) if best else None


def match_number(text: str, test: NumberTest, lang: str | None = None) -> list[NumberEvidence]:
    """Every quantity in `text` (of language `lang`, when known) satisfying `test`; empty: it does not fire."""
    candidates = [q for q in _scan(text, lang) if _kind_ok(q.kind, test.unit) and _passes(q, test)]
    if not candidates:
        return []  # the common case: no sentences, no folding
    out: list[NumberEvidence] = []
    for q in candidates:
        sentence = _sentence_of(text, q.start)
        term: tuple[str, int] | None = None
        if test.near:
            term = _nearest_term(text, q, test, sentence)
            if term is None:
                continue
        out.append(
            NumberEvidence(q, sentence.text, sentence.start, term[0] if term else None, term[1] if term else None)
        )
    return out
