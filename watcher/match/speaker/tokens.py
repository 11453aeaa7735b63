"""Folding, sentences, quotation spans and the per-sentence token view (`Ctx`), cached per text."""

from __future__ import annotations

import functools
import re

from bisect import bisect_left, bisect_right

from watcher.match.text import Sentence, fold, split_sentences
from watcher.match.speaker.lexicon import LY_NOUNS, TOKEN


@functools.lru_cache(maxsize=8)
def fold_fast(text: str) -> str:
    """`text.fold`, cached per text (many speaker rules run over the same article); its translation table
    is kept between calls, which makes it about twice as fast as building one per text."""
    return fold(text)


# '' (two apostrophes) is a double quotation mark in some wire copy
_QUOTE_RE = re.compile(r"''|[\"“”«»„‘’'\n]")


# Title abbreviations that the shared sentence splitter may take for a sentence end ("said Del. Jo Marks").
_TITLE_ABBREV = {"del", "rep", "reps", "sen", "sens", "gov", "lt", "gen", "sgt", "col", "capt", "cmdr", "adm",
                 "amb", "atty", "supt", "det", "insp", "pres", "prof", "rev", "hon", "maj", "cpl", "pvt", "lt. col",
                 "msgr", "fr", "sr", "jr", "mr", "mrs", "ms", "dr", "st", "ald", "asst", "assoc", "sec", "secy"}


@functools.lru_cache(maxsize=8)
def sentences_of(text: str) -> tuple[Sentence, ...]:
    """split_sentences, cached (many speaker rules run over the same article), with a sentence that
    ends in a title abbreviation joined to the next one."""
    out: list[Sentence] = []
    for s in split_sentences(text):
        if out and _ends_in_title(out[-1].text) and "\n" not in text[out[-1].end : s.start]:
            prev = out.pop()
            s = Sentence(prev.start, s.end, text[prev.start : s.end])
        out.append(s)
    return tuple(out)


def _ends_in_title(sentence: str) -> bool:
    if not sentence.endswith("."):
        return False
    word = sentence[:-1].rsplit(None, 1)[-1] if " " in sentence else sentence[:-1]
    return word[:1].isupper() and (word.lower() in _TITLE_ABBREV or _INITIALS.fullmatch(word) is not None)


_INITIALS = re.compile(r"(?:[A-Z]\.)+[A-Z]")  # "J.M" of "J.M. Berger"


@functools.lru_cache(maxsize=8)
def quote_spans(text: str) -> list[tuple[int, int]]:
    """Outermost quoted spans [open, close+1); an unclosed quote ends at the end of its paragraph."""
    spans: list[tuple[int, int]] = []
    stack: list[str] = []
    start = 0
    n = len(text)
    for m in _QUOTE_RE.finditer(text):
        ch = m.group()
        i = m.start()
        if ch == "''":
            ch = '"'
        last = m.end() - 1
        if ch == "\n":
            if stack:
                spans.append((start, i))
                stack.clear()
            continue
        prev = text[i - 1] if i else " "
        nxt = text[last + 1] if last + 1 < n else " "
        was_open = bool(stack)
        if ch in "'’":
            if stack and stack[-1] in "'‘" and not nxt.isalnum() and not prev.isspace():
                stack.pop()
            elif ch == "'" and (prev.isspace() or prev in "([\"“«—–-" or i == 0) and nxt.isalnum():
                stack.append("'")
            # otherwise an apostrophe
        elif ch == '"':
            if stack and stack[-1] in "“„" and not prev.isspace() and not nxt.isalnum():
                stack.pop()  # a straight mark closing a curly one: “...,"
            elif '"' in stack:
                while stack.pop() != '"':
                    pass
            else:
                stack.append('"')
        elif ch in "“«„‘":
            if ch == "“" and stack and stack[-1] == "„":
                stack.pop()
            else:
                stack.append(ch)
        elif stack:  # ” »
            stack.pop()
        if stack and not was_open:
            start = i
        elif was_open and not stack:
            spans.append((start, last + 1))
    if stack:
        spans.append((start, n))
    return spans


@functools.lru_cache(maxsize=8)
def sentence_views(text: str) -> dict[int, Ctx]:
    """The token views of a text's sentences built so far, by sentence index (filled by the caller)."""
    return {}


class Ctx:
    """Tokens of one sentence: folded text, original text, absolute offsets, inside-quote flags."""

    __slots__ = ("ends", "inq", "low", "n", "orig", "qends", "qstarts", "quotes", "sent", "starts", "text")

    def __init__(self, text: str, folded: str, sent, quotes: list[tuple[int, int]]):
        self.text = text
        self.sent = sent
        s0 = sent.start
        seg = folded[s0 : sent.end]
        self.low = []
        self.orig = []
        self.starts = []
        self.ends = []
        for m in TOKEN.finditer(seg):
            a, b = m.start() + s0, m.end() + s0
            tok = m.group()
            self.low.append(tok.replace("’", "'") if "’" in tok else _DASHES.get(tok, tok))
            self.orig.append(text[a:b])
            self.starts.append(a)
            self.ends.append(b)
        self.n = len(self.low)
        qs = [q for q in quotes if q[0] < sent.end and q[1] > sent.start]
        # A sentence that is one whole quotation is read as plain text.
        if len(qs) == 1 and qs[0][0] == sent.start and sent.end - 2 <= qs[0][1] <= sent.end:
            qs = []
        self.quotes = qs
        # adjacency also sees a quotation just outside the sentence: `"…?" X asked.` is split after `?"`
        near = [q for q in quotes if q[0] <= sent.end + 3 and q[1] >= sent.start - 3]
        self.qstarts = [q[0] for q in near]
        self.qends = [q[1] for q in near]
        inq = [False] * self.n
        j = 0
        for i, a in enumerate(self.starts):  # spans are sorted and disjoint: one merge pass
            while j < len(qs) and qs[j][1] <= a:
                j += 1
            inq[i] = j < len(qs) and qs[j][0] <= a
        self.inq = inq

    def at(self, i: int) -> str:
        return self.low[i] if 0 <= i < self.n else ""

    def cap(self, i: int) -> bool:
        if not 0 <= i < self.n:
            return False
        o = self.orig[i]
        return o[:1].isupper() and o[:1].isalpha()

    def token_index(self, pos: int) -> int:
        return bisect_left(self.starts, pos)

    def quote_adjacent(self, a: int, b: int) -> bool:
        """Does a quotation end right before offset `a`, or start right after offset `b`?"""
        i = bisect_right(self.qends, a) - 1  # the last quotation ending before a
        if i >= 0 and _GAP_BEFORE.fullmatch(self.text, self.qends[i], a):
            return True
        i = bisect_left(self.qstarts, b)  # the first quotation starting after b
        if i < len(self.qstarts):
            q0 = self.qstarts[i]
            if _GAP_AFTER.fullmatch(self.text, b, q0) or _GAP_COLON.fullmatch(self.text, b, q0):
                return True
        return False


_DASHES = {"―": "—", "‒": "–", "‐": "-", "‑": "-"}  # a horizontal bar, figure dash or hyphen as written by some outlets
_GAP_BEFORE = re.compile(r"[\s,.:;—–―-]*")
_GAP_AFTER = re.compile(r"[\s,:—–―-]*")
_GAP_COLON = re.compile(r"[^\"“”«».]{0,60}:\s*")


def is_ly(ctx: Ctx, i: int) -> bool:
    t = ctx.low[i]
    return len(t) >= 5 and t.endswith("ly") and t not in LY_NOUNS and not ctx.cap(i)


def name_tail(ctx: Ctx, k: int) -> int:
    """Skip what may follow a name before its verb: "Jr.", "III", a party tag "(R-Ohio)" or "(D)"."""
    if ctx.at(k) in ("jr", "sr", "ii", "iii", "iv"):
        k += 2 if ctx.at(k + 1) == "." else 1
    if ctx.at(k) == "(" and k + 1 < ctx.n and _PARTY.match(ctx.orig[k + 1]):
        for j in range(k + 2, min(ctx.n, k + 7)):
            if ctx.low[j] == ")":
                return j + 1
            if ctx.low[j] not in (".", "-") and not ctx.cap(j):
                break
    return k


_PARTY = re.compile(r"^(?:[RDI](?:-[A-Z][A-Za-z]*)?|Rep|Dem|Ind)$")
