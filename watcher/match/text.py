"""Text primitives shared by the matchers: sentences, words, folding.

Offsets always refer to the original text, so evidence can quote it exactly.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# A sentence ends at . ! ? or … followed by space and an upper-case letter, digit
# or opening quote; or at a line break. Common abbreviations do not end one.
_ABBREV = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "gov", "sen", "rep", "st", "jr", "sr",
    "no", "vs", "etc", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "u.s", "u.k", "e.g", "i.e", "approx", "est", "fig", "vol", "pp", "mln", "bln",
}
_BOUNDARY = re.compile(r"""([.!?…]+)(["'”’»)\]]*)(\s+)(?=["'“‘«(\[]?[\w\d])|\n+""")
WORD = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    text: str


@lru_cache(maxsize=32)
def split_sentences(text: str) -> tuple[Sentence, ...]:
    """Sentences of `text` with their character spans (cached: every matcher asks for them)."""
    return tuple(_split(text))


def _split(text: str) -> list[Sentence]:
    out: list[Sentence] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if m.group(0).startswith("\n"):
            end = m.start()
        else:
            cut = max(text.rfind(" ", start, m.start()), text.rfind("\n", start, m.start()), start - 1)
            last = text[cut + 1 : m.start()].lower().rstrip(".")
            if m.group(1) == "." and (last in _ABBREV or (len(last) == 1 and last.isalpha())):
                continue  # "Mr. Smith", "J. Smith"
            nxt = text[m.end() : m.end() + 1]
            if nxt and nxt.islower():
                continue
            end = m.start(3)
        _add(out, text, start, end)
        start = m.end()
    _add(out, text, start, len(text))
    return out


def _add(out: list[Sentence], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        lead = len(chunk) - len(chunk.lstrip())
        s = start + lead
        out.append(Sentence(s, s + len(stripped), stripped))


def words(text: str, offset: int = 0) -> list[Word]:
    """Words (letters/digits, inner hyphens and apostrophes kept) with spans."""
    return [Word(m.start() + offset, m.end() + offset, m.group(0)) for m in WORD.finditer(text)]


_FOLD_TABLE: dict[int, str] = {}


def _fold_char(ch: str) -> str:
    low = ch.lower()
    if len(low) != 1:
        low = low[0]  # "İ".lower() is "i" plus a combining dot; keep lengths aligned
    base = unicodedata.normalize("NFD", low)[0]
    if base == "ё":
        base = "е"
    return base if unicodedata.category(base) != "Mn" else low


def fold(text: str) -> str:
    """Case- and diacritic-folded text of the SAME length, so offsets still apply.

    "Bastrâkin" -> "bastrakin"; Cyrillic stays Cyrillic ("Бастрыкин" -> "бастрыкин");
    "ё" folds to "е", as Russian writing often drops its dots.
    """
    if text.isascii():
        return text.lower()
    # str.translate runs in C; the table learns each new character once
    for ch in set(text):
        if ord(ch) not in _FOLD_TABLE:
            _FOLD_TABLE[ord(ch)] = _fold_char(ch)
    return text.translate(_FOLD_TABLE)
