"""Keyword and phrase terms: case- and diacritic-insensitive whole words, with
simple inflections.

A term is expanded once, when the rule is loaded, into the folded word forms
it accepts ("migrant" -> migrant, migrants, migrant's, ...; "naturalized" ->
naturalize, naturalizes, naturalizing, ...). Matching is then a dictionary
lookup per term in the article's word index, so its cost does not grow with
the article's length. Cyrillic and other non-Latin terms match words that
start with the term's stem and add at most three letters (Russian case
endings: Бастрыкин, Бастрыкина, Бастрыкиным).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from watcher.match.article import Field
from watcher.match.text import fold, words

_LATIN = re.compile(r"^[a-z0-9'’-]+$")
# words ending in -s that are not plurals: no "news" ~ "new", no "gas" ~ "ga"
_NOT_PLURAL = frozenset(
    "news series species means always perhaps thus lens gas yes was has its this plus chaos bias atlas "
    "canvas alias whereas across towards afterwards sometimes besides headquarters politics physics "
    "economics mathematics athletics ethics tennis christmas".split()
)
_CYR_ENDINGS = ("ами", "ями", "ого", "его", "ому", "ему", "ов", "ев", "ах", "ях", "ом", "ем", "ой", "ей",
                "ый", "ий", "ая", "яя", "ое", "ее", "ые", "ие", "ым", "им", "ых", "их", "а", "я", "ы", "и",
                "у", "ю", "е", "о", "ь")


@dataclass(frozen=True)
class Term:
    text: str  # as the user wrote it
    parts: tuple[frozenset[str], ...]  # accepted folded forms for each word of the term
    stems: tuple[str | None, ...]  # prefix stem for non-Latin words (None: exact forms only)


@dataclass(frozen=True)
class Hit:
    term: str
    field: Field
    first: int  # token indexes of the hit's first and last word
    last: int

    @property
    def start(self) -> int:  # character span in the field's text, worked out only when asked
        return self.field.span(self.first)[0]

    @property
    def end(self) -> int:
        return self.field.span(self.last)[1]


@lru_cache(maxsize=65536)
def compile_term(text: str) -> Term:
    ws = [w.text for w in words(fold(text))]
    if not ws:
        raise ValueError(f"term '{text}' has no letters or digits")
    parts, stems = [], []
    for w in ws:
        if _LATIN.match(w):
            parts.append(frozenset(latin_forms(w)))
            stems.append(None)
        else:
            stem = cyrillic_stem(w)
            parts.append(frozenset({w}))
            stems.append(stem)
    return Term(text, tuple(parts), tuple(stems))


def latin_forms(w: str) -> set[str]:
    """The word and its simple English inflections, in both directions."""
    forms = {w, w + "'s", w + "’s"}
    if len(w) <= 2 or w.isdigit():
        return forms
    bases = {w}
    # from an inflected term back to its base: migrants -> migrant, cities -> city, naturalized -> naturalize
    if w.endswith("ies") and len(w) > 4:
        bases.add(w[:-3] + "y")
    elif w.endswith("es") and len(w) > 4 and w[-3] in "sxz" or w.endswith(("ches", "shes")):
        bases.add(w[:-2])
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3 and w not in _NOT_PLURAL:
        bases.add(w[:-1])
    if w.endswith("ied") and len(w) > 4:
        bases.add(w[:-3] + "y")
    elif w.endswith("ed") and len(w) > 4:
        bases.update({w[:-2], w[:-1]})
    if w.endswith("ing") and len(w) > 5:
        bases.update({w[:-3], w[:-3] + "e"})
    for b in bases:
        forms.update({b, b + "'s", b + "’s"})
        if b.endswith("y") and len(b) > 2 and b[-2] not in "aeiou":
            forms.update({b[:-1] + "ies", b[:-1] + "ied"})
        elif b + "s" not in _NOT_PLURAL:
            forms.add(b + "s")
        if b.endswith(("s", "x", "z", "ch", "sh")):
            forms.add(b + "es")
        if b.endswith("e"):
            forms.update({b + "d", b[:-1] + "ing"})
        else:
            forms.update({b + "ed", b + "ing"})
    return forms


def cyrillic_stem(w: str) -> str:
    for end in _CYR_ENDINGS:
        if w.endswith(end) and len(w) - len(end) >= 3:
            return w[: -len(end)]
    return w


def find_term(term: Term, f: Field) -> list[Hit]:
    """Every occurrence of `term` in the field, as character spans."""
    if term.stems[0] is None and term.parts[0].isdisjoint(f.word_set):
        return []  # the common case, decided in C without a Python loop
    starts = _positions(term, 0, f)
    if not starts:
        return []
    hits = []
    for i in starts:
        j = i
        ok = True
        for k in range(1, len(term.parts)):
            j += 1
            if j >= len(f.tokens) or not _word_matches(term, k, f.tokens[j]):
                ok = False
                break
        if ok:
            hits.append(Hit(term.text, f, i, j))
    return hits


def _positions(term: Term, k: int, f: Field) -> list[int]:
    index = f.word_index
    stem = term.stems[k]
    if stem is None:
        out: list[int] = []
        for form in term.parts[k].intersection(f.word_set):
            out.extend(index[form])
        return sorted(out)
    return [i for i, w in enumerate(f.tokens) if _stem_match(stem, w)]


def _word_matches(term: Term, k: int, word: str) -> bool:
    stem = term.stems[k]
    return word in term.parts[k] if stem is None else _stem_match(stem, word)


def _stem_match(stem: str, word: str) -> bool:
    return word.startswith(stem) and len(word) - len(stem) <= 3
