"""He/she continuing a speaker named earlier in the paragraph."""

from __future__ import annotations

from watcher.match.speaker.cues import RU_VERBS, VERBS, is_verb
from watcher.match.speaker.lexicon import (
    AUX_BE, AUX_OTHER, GENDER_HINT, LOCATIVE, ORG_WORDS, POSS_SUFFIX, PRONOUNS, QUOTE_CHARS, STOP_CAP,
    TITLES,
)
from watcher.match.speaker.tokens import Ctx
from watcher.match.speaker.attribution import subject_of_cue
from watcher.match.speaker.forms import inverted_cue


def has_person(ctx: Ctx, lo: int, hi: int, skip: set[int]) -> bool:
    """Is a person-like capitalised name (other than the skipped tokens) in tokens [lo, hi)?"""
    for m in range(lo, min(hi, ctx.n)):
        if m in skip or ctx.inq[m] or not ctx.cap(m):
            continue
        t = ctx.low[m]
        o = ctx.orig[m]
        if t in STOP_CAP or t in TITLES or t in ORG_WORDS or (len(o) > 1 and o.isupper()):
            continue
        if t.endswith(POSS_SUFFIX) and t[:-2] in ORG_WORDS:
            continue
        prev = ctx.at(m - 1)
        first = m == 0 or prev in QUOTE_CHARS
        if first:
            nx = ctx.at(m + 1)
            if not (is_verb(nx) or nx in AUX_BE or nx in AUX_OTHER or nx.endswith("ed")):
                continue
        elif prev in LOCATIVE:
            continue
        if ctx.at(m + 1) in ORG_WORDS or (ctx.cap(m + 1) and ctx.at(m + 2) in ORG_WORDS):
            continue
        return True
    return False


def has_speech_verb(ctx: Ctx, lo: int = 0, hi: int | None = None) -> bool:
    hi = ctx.n if hi is None else hi
    for m in range(lo, hi):
        if not ctx.inq[m]:
            t = ctx.low[m]
            if t in RU_VERBS or (t in VERBS and VERBS[t][1] != "base"):
                return True
    return False


def pronoun_speech(ctx: Ctx) -> tuple[str, int] | None:
    """A he/she (он/она) subject of a speech verb in this sentence: (pronoun gender, token index)."""
    for i in range(ctx.n):
        t = ctx.low[i]
        if ctx.inq[i]:
            continue
        # "по его словам", "according to him", "in her words"
        if t in ("его", "ее") and ctx.at(i - 1) == "по" and ctx.at(i + 1) in ("словам", "данным"):
            return ("m" if t == "его" else "f"), i
        if t in ("him", "her") and ctx.at(i - 1) == "to" and ctx.at(i - 2) == "according":
            return ("m" if t == "him" else "f"), i
        if t in ("his", "her") and ctx.at(i - 1) == "in" and ctx.at(i + 1) == "words":
            return ("m" if t == "his" else "f"), i
        if t not in PRONOUNS:
            continue
        how = subject_of_cue(ctx, i, i + 1, True, ctx.starts[i]) or inverted_cue(ctx, i, i + 1, True, False)
        if how:
            return PRONOUNS[t], i
    return None


def gender_after(ctx: Ctx, i1: int) -> str | None:
    for m in range(i1, ctx.n):
        if not ctx.inq[m]:
            g = GENDER_HINT.get(ctx.low[m])
            if g:
                return g
            if ctx.low[m] in RU_VERBS:
                return "f" if ctx.low[m].endswith("а") else "m"
    return None
