"""Headline and lead-in forms: `Trump Warns Clinton ...` (title case), `X to call for ...`,
`X to Y: claim`, `X continued:` ending a paragraph whose quotation follows in the next one, and
`X was blunt: "..."` (a clause of X's that a colon and a quotation close)."""

from __future__ import annotations

import re

from watcher.match.speaker.cues import LABEL_VERBS, PHRASAL, QUOTE_ONLY_SET, VERBS
from watcher.match.speaker.lexicon import DETERMINERS, PREPS, QUOTE_CHARS
from watcher.match.speaker.places import NOT_PERSONS
from watcher.match.speaker.tokens import Ctx, name_tail
from watcher.match.speaker.verbs import Flags, skip_fillers, verb_ok

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_PHRASAL_VERBS = {v for forms in PHRASAL.values() for v in forms}


def title_case_line(text: str, pos: int) -> bool:
    """Is the line around offset `pos` a headline in title case ("Trump Warns Clinton Policy Would Fail")?"""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start : end if end >= 0 else len(text)]
    words = _WORD.findall(line)
    long = [w for w in words if len(w) > 3]
    return len(words) <= 30 and len(long) >= 3 and sum(w[0].isupper() for w in long) >= 0.8 * len(long)


def finite_cue(word: str) -> bool:
    """A finite cue form, as a title-case headline writes it after the name ("Warns", "Told", "Slams")."""
    info = VERBS.get(word)
    return (info is not None and info[1] in ("s", "past")) or word in LABEL_VERBS or word in _PHRASAL_VERBS


def _at_start(ctx: Ctx, i0: int, clause: bool = False) -> bool:
    """Only titles or capitalised words stand before the mention in its sentence (with `clause`: or in
    its clause, after a comma or a dash: "That is, when ... — Cruz called them on it:")."""
    j = i0 - 1
    while j >= 0 and (ctx.cap(j) or ctx.low[j] == "."):
        j -= 1
    return j < 0 or (clause and ctx.low[j] in (",", "—", "–", ";") and not ctx.inq[j])


_TAGS = {"exclusive", "watch", "video", "breaking", "update", "analysis", "opinion", "report", "listen", "audio"}


def after_tag(ctx: Ctx, i0: int) -> bool:
    """The mention opens a headline, maybe after a tag: "Exclusive — X: ...", "WATCH: X Says ..."."""
    j = i0 - 1
    while j >= 0 and (ctx.cap(j) or ctx.low[j] == ".") and ctx.low[j] not in _TAGS:
        j -= 1
    if j < 0:
        return True
    return j >= 1 and ctx.low[j] in (":", "—", "–", "-") and ctx.low[j - 1] in _TAGS and j - 1 == 0


def headline_infinitive(ctx: Ctx, i0: int, i1: int, nominative: bool) -> str | None:
    """`Clinton to call for wider efforts ...`: a headline's announced statement."""
    k = name_tail(ctx, i1)
    if not nominative or ctx.at(k) != "to" or ctx.n > 30 or not _at_start(ctx, i0):
        return None
    t = ctx.at(k + 1)
    info = VERBS.get(t)
    if info is not None and info[1] == "base" and info[0] not in QUOTE_ONLY_SET and not ctx.inq[k + 1]:
        return verb_ok(ctx, k + 1, Flags(aux=True), ctx.starts[i0])
    if t == "call" and ctx.at(k + 2) == "for":
        return "reported"
    return None


def headline_to_colon(ctx: Ctx, i0: int, i1: int, nominative: bool) -> str | None:
    """`Clinton to Planned Parenthood: Trump will reverse the ruling` (to whom, then the claim)."""
    k = name_tail(ctx, i1)
    if not nominative or ctx.at(k) != "to" or ctx.n > 30 or not _at_start(ctx, i0):
        return None
    j = k + 1
    while j < min(ctx.n, k + 7) and (ctx.cap(j) or ctx.low[j] in DETERMINERS):
        j += 1
    if j > k + 1 and ctx.at(j) == ":" and j + 1 < ctx.n and (ctx.low[j + 1].isalnum() or ctx.inq[j + 1]):
        return "quote"
    return None


_PAST = {"put", "had", "wrote", "said", "spoke", "told", "took", "gave", "went", "made", "began", "wrote", "shot"}


def lead_in_colon(ctx: Ctx, i0: int, i1: int, nominative: bool) -> str | None:
    """`Cruz continued:` / `X called them on it:` closing the paragraph: the quotation is the next one."""
    if not nominative or ctx.low[-1:] != [":"] or ctx.text[ctx.sent.end :].strip() or ctx.n > 60:
        return None
    if any(ctx.low[j] == ":" or ctx.inq[j] for j in range(ctx.n - 1)) or not _at_start(ctx, i0, clause=True):
        return None
    flags = Flags()
    v = skip_fillers(ctx, name_tail(ctx, i1), flags)
    t = ctx.at(v)
    if flags.neg or flags.be or ctx.cap(v) or t in PREPS or t in DETERMINERS:
        return None
    info = VERBS.get(t)
    if (info is not None and info[1] in ("s", "past")) or t in _PAST or (t.endswith("ed") and len(t) > 4):
        return "quote"
    return None


_TAKE_NOUNS = {"take", "verdict", "response", "answer", "reply", "reaction", "message", "advice", "retort", "words",
               "explanation", "assessment", "view", "argument", "pitch", "plea", "warning", "conclusion", "comment"}


_VENUE_PREPS = {"on", "to", "in", "at", "via", "during"}


def colon_quote(ctx: Ctx, i0: int, i1: int, nominative: bool, possessive: bool) -> str | None:
    """`X was blunt: "..."`, `X took to Twitter: "..."`, `X's verdict: "..."`: X's own short clause ends in
    a colon and a quotation starts right after it."""
    if not _at_start(ctx, i0, clause=True) or not (nominative or possessive):
        return None
    k = name_tail(ctx, i1)
    if possessive and ctx.at(k) not in _TAKE_NOUNS:
        return None
    t = ctx.at(k)
    if not possessive and (not t.replace("'", "").isalpha() or ctx.cap(k) or t in DETERMINERS or t in ("and", "or", "who", "of")):
        if t != ",":
            return None  # "X, in a statement: ..." and "X on Twitter: ..." go on
    venue = False
    if t == "," and not possessive:
        # a short aside first: "X, for one, is confident:", "X, however, was defiant:"
        close = next((j for j in range(k + 1, min(ctx.n, k + 5)) if ctx.low[j] == ","), None)
        if close is not None and all(ctx.low[j].isalpha() and not ctx.cap(j) for j in range(k + 1, close)):
            k = close + 1
    for j in range(k, min(ctx.n, k + 14)):
        if ctx.inq[j]:
            return None
        venue = venue or ctx.low[j] in _VENUE_PREPS  # "X on Fox News:", "X to CNN:"
        if ctx.low[j] == ":":
            nxt = j + 1
            while nxt < ctx.n and ctx.low[nxt] in QUOTE_CHARS and not ctx.inq[nxt]:
                nxt += 1
            starts_quote = nxt < ctx.n and ctx.inq[nxt] and (nxt == 0 or not ctx.inq[j])
            return "quote" if starts_quote and ctx.quote_adjacent(ctx.starts[j], ctx.ends[j]) else None
        if ctx.low[j] in (";", ".", "—", "–") or (ctx.low[j] == "," and j > k) or (ctx.cap(j) and not venue):
            return None  # another clause, or another name, before the colon
    return None


# Verbs a title-case headline uses for statements: "X Rips Governor Over Plan", "X Hits Y On Trade"
HEADLINE_VERBS = {"rips", "hits", "knocks", "bashes", "trashes", "torches", "swipes", "unloads", "taunts", "jabs",
                   "snaps", "spars", "mocks", "hammers", "scorches", "skewers", "zings", "roasts", "dings", "pans"}


def headline_verb(ctx: Ctx, i0: int, i1: int, nominative: bool) -> str | None:
    """A title-case headline whose verb after the name is one of statement: "Tally Rips Governor"."""
    k = name_tail(ctx, i1)
    if (
        nominative and ctx.cap(k) and ctx.at(k) in HEADLINE_VERBS and ctx.at(k + 1) not in DETERMINERS
        and ctx.at(k + 1) not in ("record", "records", "high", "low", "back") and after_tag(ctx, i0)
        and title_case_line(ctx.text, ctx.starts[i0])
    ):
        return "reported"  # a person next: "Hits Clinton On Trade", not "Hits The Campaign Trail"
    o = k + 2 if ctx.at(k + 1) in ("on", "at") else k + 1  # "X unloads on Marks"
    if (
        nominative and not ctx.cap(k) and ctx.at(k) in HEADLINE_VERBS and ctx.cap(o) and not ctx.inq[o]
        and ctx.at(o) not in NOT_PERSONS and after_tag(ctx, i0) and _short_line(ctx.text, ctx.starts[i0])
    ):
        return "reported"  # a headline in sentence case: "X rips Marks over failed plan"
    return None


def _short_line(text: str, pos: int) -> bool:
    """Is the line around offset `pos` a short line of its own (a headline: at most 16 words)?"""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return len(text[start : end if end >= 0 else len(text)].split()) <= 16
