"""Finding the person's name and aliases in a text (whole words, Russian case endings, other people's names dropped)."""

from __future__ import annotations

import functools
import re

from dataclasses import dataclass

from watcher.match.text import fold
from watcher.match.speaker.spec import SpeakerSpec
from watcher.match.speaker.lexicon import CYR, POSS_SUFFIX, STOP_CAP, TITLES
from watcher.match.speaker.headlines import HEADLINE_VERBS, finite_cue, title_case_line


# Russian case endings by how the nominative ends (applied to Cyrillic words of a name).
_RU_CONSONANT = "(?:а|у|ом|ым|ем|е|ой|ы|и|ою|ей|ов|ев|ых|ым|ыми|ам|ами|ах|ю|я)?"
_RU_A = "(?:а|ы|и|е|у|ю|ой|ей|ою|ею|я)"
_RU_ADJ = "(?:ий|ый|ой|ого|его|ому|ему|им|ым|ом|ем|ая|ую|ей|ие|их|ых|ии|ия|ию|ием|ая|яя|юю)"
_RU_SOFT = "(?:й|ь|я|ю|ем|е|и|ей|ью|ем)"


def _word_pattern(word: str) -> str:
    """Pattern for one folded word of a name; Cyrillic words also take Russian case endings.

    Folding turns "й" into "и", so "-ий/-ый/-ой" arrive as "-ии/-ыи/-ои" and the endings are folded too.
    """
    if not CYR.search(word) or len(word) < 3:
        return re.escape(word)
    if word.endswith(("ии", "ыи", "ои")) and len(word) > 4:
        return re.escape(word[:-2]) + fold(_RU_ADJ)
    if word[-1] in "ая":
        return re.escape(word[:-1]) + fold(_RU_A)
    if word[-1] in "иь":
        return re.escape(word[:-1]) + fold(_RU_SOFT)
    if word[-1] in "оеуюэы":
        return re.escape(word)  # indeclinable (Шойгу)
    return re.escape(word) + fold(_RU_CONSONANT)


def _fold_words(s: str) -> list[str]:
    return fold(s).replace("’", "'").split()


@dataclass(frozen=True)
class _Matcher:
    regex: re.Pattern[str]
    needles: tuple[str, ...]
    forms: frozenset[str]  # folded aliases as given (nominative forms)
    name_words: frozenset[str]  # folded words of all names (first names, patronymics, ...)
    multiword: bool
    cyrillic_full: bool  # a multi-word Cyrillic alias exists (so Cyrillic first names can be checked)


@functools.lru_cache(maxsize=4096)
def name_matcher(speaker: SpeakerSpec) -> _Matcher:
    names = [speaker.name, *speaker.aliases]
    name_words = _fold_words(speaker.name)
    while len(name_words) > 1 and name_words[-1].rstrip(".,") in ("jr", "sr", "ii", "iii", "iv"):
        name_words = name_words[:-1]
    if len(name_words) > 1:
        names.append(name_words[-1].rstrip(".,"))  # surname alias by default
    alias_words: list[list[str]] = []
    for n in names:
        ws = [w.strip(".,;:") for w in _fold_words(n)]
        ws = [w for w in ws if w]
        if ws and ws not in alias_words:
            alias_words.append(ws)
    alias_words.sort(key=lambda ws: -len(" ".join(ws)))
    # an apostrophe in a name matches either form: O'Malley, O’Malley
    alts = [r"\s+".join(_word_pattern(w).replace("'", "['’]") for w in ws) for ws in alias_words]
    regex = re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?!\w|[-‐]\w)") if alts else re.compile(r"(?!x)x")
    needles = set()
    for ws in alias_words:
        longest = max((part for w in ws for part in w.split("'")), key=len)  # O'Malley: "malley" in either form
        needles.add(longest[:-1] if CYR.search(longest) and len(longest) > 4 else longest)
    all_words = {w for ws in alias_words for w in ws}
    return _Matcher(
        regex=regex,
        needles=tuple(sorted(needles)),
        forms=frozenset(" ".join(ws) for ws in alias_words),
        name_words=frozenset(all_words),
        multiword=len(name_words) > 1,
        cyrillic_full=any(len(ws) > 1 and CYR.search(ws[-1]) for ws in alias_words),
    )


def mention_ok(text: str, folded: str, a: int, b: int, mt: _Matcher) -> bool:
    """Drop a single-word (surname) match that belongs to someone else: "Anna Marsh", "Marsh Foundation"."""
    if not mt.multiword or len(folded[a:b].split()) > 1:
        return True
    # word before
    j = a - 1
    while j >= 0 and text[j] in " \t\u00a0":
        j -= 1
    if j >= 0 and j < a - 1:
        if text[j] == "." and j >= 1:
            k = j - 1
            while k >= 0 and text[k].isalpha():
                k -= 1
            word = folded[k + 1 : j]
            if len(word) == 1 and not any(w.startswith(word) for w in mt.name_words):
                # a middle initial after the first name is the same person: "John F. Kerry" for "John Kerry"
                initials = folded[max(0, k - 30) : j + 1].split()
                if initials and initials[-1].strip(".") in mt.name_words:
                    return True  # the name's own initials: "J.M. Berger"
                before = folded[max(0, k - 30) : k + 1].replace(".", " ").split()
                while before and len(before[-1]) == 1:
                    before.pop()  # "Joseph R. S. Biden"
                if not before or before[-1] not in mt.name_words:
                    return False
        elif text[j].isalpha():
            k = j
            while k >= 0 and (text[k].isalpha() or text[k] in "-'’"):
                k -= 1
            orig = text[k + 1 : j + 1]
            word = folded[k + 1 : j + 1]
            if orig[:1].isupper() and not orig.isupper() and not _known_word(word, mt) and not _opening_cue(text, k, word):
                # a middle name after the first name is the same person: "Hillary Rodham Clinton"
                before = folded[max(0, k - 30) : k + 1].split()
                if not before or before[-1] not in mt.name_words:
                    return False
    # word after
    j = b
    if folded[j : j + 2] in POSS_SUFFIX:
        return True
    while j < len(text) and text[j] in " \t\u00a0":
        j += 1
    if j > b and j < len(text) and text[j].isupper() and text[j].isalpha():
        k = j
        while k < len(text) and (text[k].isalpha() or text[k] in "-'’"):
            k += 1
        orig = text[j:k]
        word = folded[j:k]
        if not orig.isupper() and not _known_word(word, mt) and word not in ("jr", "sr", "ii", "iii"):
            # a title-case headline capitalises the verb: "Trump Warns Clinton ..."
            return (finite_cue(word.replace("’", "'")) or word in HEADLINE_VERBS) and title_case_line(text, a)
    return True


def _opening_cue(text: str, k: int, word: str) -> bool:
    """A finite cue verb opening its sentence before the name: "Said Ellis: ...", "Says Tally, ..."."""
    j = k
    while j >= 0 and text[j] in " \t\u00a0\"“‘'":
        j -= 1
    return (j < 0 or text[j] in ".!?\n:") and finite_cue(word.replace("’", "'"))


_TITLE_PREFIXES = {"then", "ex", "elect", "former", "acting", "interim"}


def _known_word(word: str, mt: _Matcher) -> bool:
    word = word.replace("’", "'")
    if word in STOP_CAP or word in TITLES or word.endswith(POSS_SUFFIX):
        return True
    if "-" in word and any(part in TITLES or part in _TITLE_PREFIXES for part in word.split("-")):
        return True  # "President-elect X", "Then-candidate X", "Gov.-elect X"
    if CYR.search(word) and not mt.cyrillic_full:
        return True  # a Cyrillic first name we cannot compare with a Latin-script name
    for w in mt.name_words:
        if word == w or (len(w) >= 4 and CYR.search(w) and word[: len(w) - 1] == w[:-1]):
            return True
    return False
