"""Other attribution forms: `"...," said X`, `according to X`, `X's remarks`, `X: "..."`, `It was X who`."""

from __future__ import annotations

from watcher.match.speaker.cues import INVERTABLE, OPENING_PARTICIPLES, PARTICIPLES, QUOTE_ONLY_SET, RU_VERBS, VERBS, is_verb
from watcher.match.speaker.lexicon import (
    AUX_BE, AUX_OTHER, DETERMINERS, NEG, POSS_BLOCK, POSS_SUFFIX, PREPS, QUOTE_CHARS, RU_SPEECH_NOUNS,
    SPEECH_NOUNS, STOP_CAP, TITLE_OF, TITLES, WHO, folded_set,
)
from watcher.match.speaker.tokens import Ctx, name_tail
from watcher.match.speaker.verbs import Flags, skip_fillers, verb_ok
from watcher.match.speaker.titles import skip_titles_left
from watcher.match.speaker.headlines import after_tag


def inverted_cue(ctx: Ctx, i0: int, i1: int, nominative: bool, possessive: bool) -> str | None:
    """`"…," said X` / `…, says X` / Russian `заявил X`."""
    if possessive or not nominative:
        return None
    k = skip_titles_left(ctx, i0 - 1, nouns=True, commas=False)
    if ctx.at(k) == "," and not ctx.inq[k]:
        k = _role_left(ctx, k - 1)  # "said a former spokesman for the ministry, X"
    if k < 0 or ctx.inq[k]:
        return None
    t = ctx.low[k]
    nxt = ctx.at(name_tail(ctx, i1))
    if t in RU_VERBS:
        if k > 0 and ctx.low[k - 1] in NEG:
            return None
        return "quote" if ctx.quote_adjacent(ctx.starts[k], ctx.ends[k]) else "reported"
    info = VERBS.get(t)
    if info is None or info[0] not in INVERTABLE or info[1] not in ("s", "past"):
        return None
    j = k - 1
    while j >= 0 and ctx.low[j] in ("also", "then"):
        j -= 1
    if j >= 0 and ctx.low[j] not in (",", ":", "—", "–", "-", "(") and ctx.low[j] not in QUOTE_CHARS:
        return None
    if nxt in AUX_BE or nxt in AUX_OTHER - {"to"} or nxt in NEG or is_verb(nxt) or nxt.endswith("n't"):
        return None  # "..., said Smith was ill" (X is the subject of a reported clause)
    adjacent = ctx.quote_adjacent(ctx.starts[k], ctx.ends[k])
    if info[0] in QUOTE_ONLY_SET and not adjacent:
        return None
    return "quote" if adjacent else "reported"


def _plain_noun(t: str) -> bool:
    return t.isalpha() and not is_verb(t) and t not in PREPS and t not in STOP_CAP and not t.endswith("ed")


def _role_left(ctx: Ctx, k: int) -> int:
    """From token k leftwards over a role with its complements ("a former spokesman for Ukraine's Foreign
    Ministry"), to the cue verb before it; -1 when something else stands there."""
    for _ in range(14):
        if k < 0 or ctx.inq[k]:
            return -1
        t = ctx.low[k]
        if t in VERBS:
            return k
        if t in ("of", "for", "at", "with", "in", "on", ".", "-") or t in TITLES or t in DETERMINERS or ctx.cap(k) or t.endswith(POSS_SUFFIX) or _plain_noun(t):
            k -= 1
            continue
        return -1
    return -1


def according_to(ctx: Ctx, i0: int, i1: int, possessive: bool) -> str | None:
    """"according to (regional water chief) X", "по словам X", "quoting X", "quoted X as saying"."""
    if possessive:
        return None
    k = i0 - 1
    steps = 0
    while k >= 0 and steps < 9:
        steps += 1
        t = ctx.low[k]
        if ctx.inq[k]:
            return None
        if t == "to":
            return "according-to" if ctx.at(k - 1) == "according" else None
        if t in ("словам", "данным") and ctx.at(k - 1) == "по":
            return "according-to"
        if t in ("quoting", "citing"):
            return "according-to"
        if t == "by" and ctx.at(k - 1) in ("asked", "pressed", "questioned"):
            return "reported"  # "Y was asked by host X whether ...": the one asking speaks
        if t == "with" and skip_titles_left(ctx, i0 - 1, commas=False) == k:
            # "..., with X tweeting that it was a disaster", "with X — who won the state — declaring victory"
            return "reported" if ctx.at(_after_aside(ctx, name_tail(ctx, i1))) in PARTICIPLES else None
        if t in ("quoted", "cited"):
            if ctx.at(i1) == "as" and ctx.at(i1 + 1) in ("saying", "telling", "stating"):
                return "according-to"
            return None
        if t == "." and k > 0 and (ctx.low[k - 1] in TITLES or len(ctx.low[k - 1]) == 1):
            k -= 2
            continue
        if t == "," and k > 0 and (ctx.low[k - 1] in TITLES or ctx.cap(k - 1)):
            k -= 1
            continue
        if t == "of" and ctx.at(k - 1) in TITLE_OF:
            k -= 1
            continue
        if t in PREPS or t in POSS_BLOCK or not (t.isalpha() or t.endswith(POSS_SUFFIX) or "-" in t):
            return None
        if t in ("sources", "source", "people", "officials", "aides", "friends", "allies", "critics"):
            return None
        k -= 1
    return None


def _after_aside(ctx: Ctx, k: int) -> int:
    """The token after an aside that opens at k ("— who won the state —", ", a Democrat,"), else k."""
    closer = {",": ",", "—": "—", "–": "–", "(": ")"}.get(ctx.at(k))
    if closer is None:
        return k
    for j in range(k + 1, min(ctx.n, k + 25)):
        if ctx.inq[j] or ctx.low[j] in (";", ".", ":"):
            return k
        if ctx.low[j] == closer:
            return j + 1
    return k


_COMPOUND_HEADS = {
    "server", "servers", "account", "accounts", "address", "addresses", "system", "systems", "practices",
    "scandal", "setup", "controversy", "investigation", "probe", "inquiry", "archive", "archives", "records",
    "habits", "use", "chain", "list", "lists", "program", "writer", "writers", "writing", "policy", "issue",
    "saga", "affair", "dump", "leak", "leaks", "trove", "cache", "stash", "storage",
}


def possessive_speech(ctx: Ctx, i0: int, i1: int, possessive: bool, nominative: bool, cyrillic: bool) -> str | None:
    if possessive:
        k = i1
        for _ in range(3):
            if k >= ctx.n or ctx.inq[k]:
                return None
            t = ctx.low[k]
            if t in SPEECH_NOUNS:
                # the noun must be the head: "X's email server", "X's speech writer" are not speech
                return None if ctx.at(k + 1) in _COMPOUND_HEADS else "possessive"
            if t in POSS_BLOCK or t.endswith(POSS_SUFFIX) or not t.isalpha() and "-" not in t or ctx.cap(k):
                return None
            k += 1
        return None
    if cyrillic and not nominative:
        k = i0 - 1
        while k >= 0 and i0 - k <= 6 and not ctx.inq[k]:
            if ctx.low[k] in RU_SPEECH_NOUNS:
                return "possessive"
            if not (ctx.low[k] in TITLES or ctx.cap(k) or ctx.orig[k].isupper()):
                break
            k -= 1
    k = skip_titles_left(ctx, i0 - 1, limit=6, commas=False)
    if k < 0 or ctx.inq[k]:
        return None
    t = ctx.low[k]
    if t == "," and not ctx.inq[k]:
        k = _by_before_role(ctx, k - 1)  # "complaints by the secretary of the Treasury, X, that ..."
        t = ctx.at(k)
    if t == "by" and ctx.at(k - 1) in _AS_CUES and ctx.at(k - 2) == "as":
        return "according-to"  # "as described by FBI Director X"
    if t in ("by", "from") or (t == "of" and ctx.at(k - 1) == "words"):
        j = k - 1
        for _ in range(3):
            if j < 0:
                return None
            if ctx.low[j] in SPEECH_NOUNS:
                return "possessive"
            if not ctx.low[j].isalpha() or ctx.low[j] in DETERMINERS:
                return None
            j -= 1
    return None


_AS_CUES = {"described", "noted", "stated", "explained", "suggested", "put", "argued", "claimed", "reported",
            "predicted", "promised", "alleged", "outlined", "detailed", "recounted"}


def _by_before_role(ctx: Ctx, k: int) -> int:
    """From token k leftwards over a role ("the secretary of the Treasury") to a "by" before it; -1 otherwise."""
    for _ in range(8):
        if k < 0 or ctx.inq[k]:
            return -1
        t = ctx.low[k]
        if t == "by":
            return k
        if not (t in ("of", "for", ".") or t in DETERMINERS or t in TITLES or ctx.cap(k) or _plain_noun(t)):
            return -1
        k -= 1
    return -1


_FIRST_PERSON = folded_set({"i", "we", "my", "our", "i'm", "i've", "we're", "we've", "я", "мы", "мой", "наш"})


def headline_colon(ctx: Ctx, i0: int, i1: int, nominative: bool) -> str | None:
    """`X: "…"` (or a headline `X: I will not resign`) at the start of a sentence."""
    if (
        nominative
        and (skip_titles_left(ctx, i0 - 1, commas=False) < 0 or after_tag(ctx, i0))
        and ctx.at(i1) == ":"
        and i1 + 1 < ctx.n
        and (ctx.inq[i1 + 1] or ctx.low[i1 + 1] in _FIRST_PERSON or _headline(ctx, i1 + 1) or _transcript(ctx, i0, i1))
    ):
        return "quote"
    return None


def _transcript(ctx: Ctx, i0: int, i1: int) -> bool:
    """A transcript's speaker label in capitals opening a line: "CLINTON: Honestly, I ...", "KATE SMITH: Why not?"."""
    line_start = ctx.text.rfind("\n", 0, ctx.starts[i0]) + 1
    before = ctx.text[line_start : ctx.starts[i0]]
    return (
        all(ctx.orig[j].isupper() for j in range(i0, i1) if ctx.orig[j].isalpha())
        and all(w.isupper() for w in before.split())
        and ctx.sent.start <= line_start + len(before) - len(before.lstrip())
    )


def _headline(ctx: Ctx, k: int) -> bool:
    """A one-line title whose claim starts after the colon: "Graham: Trump's Rhetoric Is Destroying the Party"."""
    text = ctx.text
    return ctx.cap(k) and "\n" not in text.strip() and len(text.split()) <= 30 and ctx.sent.start == len(text) - len(text.lstrip())


def cleft(ctx: Ctx, i0: int, i1: int, nominative: bool, a: int) -> str | None:
    """"It was X who warned ..." """
    if nominative and ctx.at(i1) in WHO and ctx.at(i0 - 1) in ("was", "is") and ctx.at(i0 - 2) == "it":
        flags = Flags()
        v = skip_fillers(ctx, i1 + 1, flags)
        return verb_ok(ctx, v, flags, a)
    return None


def participle_opening(ctx: Ctx, i0: int, i1: int, nominative: bool) -> str | None:
    """"Noting that the plan had failed, X urged a new vote": an opening -ing cue whose subject is X."""
    if not nominative or ctx.n < 3 or ctx.inq[0] or ctx.low[0] not in OPENING_PARTICIPLES:
        return None
    depth = 0
    comma = None
    for m in range(1, i0):
        t = ctx.low[m]
        if ctx.inq[m]:
            continue
        if t in ("(", "["):
            depth += 1
        elif t in (")", "]"):
            depth -= 1
        elif t == "," and depth == 0:
            comma = m
            break
    if comma is None or skip_titles_left(ctx, i0 - 1, commas=False) != comma:
        return None
    flags = Flags()
    v = skip_fillers(ctx, name_tail(ctx, i1), flags)
    t = ctx.at(v)
    if flags.neg or not t.isalpha() or ctx.cap(v) or t in PREPS or t in DETERMINERS or t in ("who", "and", "or"):
        return None
    return "reported"


_CAUSES = {"led", "leads", "lead", "prompted", "prompts", "prompting", "forced", "forces", "spurred", "spurs",
           "caused", "causes", "compelled", "compels", "drove", "drives"}


def caused_to_speak(ctx: Ctx, i0: int, i1: int, nominative: bool) -> str | None:
    """"The leak led DNC chairwoman X to announce her resignation", "which prompted X to castigate the judge"."""
    if not nominative:
        return None
    k = i0 - 1
    while k >= max(0, i0 - 5) and ctx.low[k] not in _CAUSES:
        if ctx.inq[k] or ctx.low[k] in PREPS or not (ctx.low[k].isalpha() or ctx.low[k] == "."):
            return None  # only a title between: "led DNC chairwoman X to"
        k -= 1
    if ctx.at(k) not in _CAUSES:
        return None
    j = name_tail(ctx, i1)
    info = VERBS.get(ctx.at(j + 1))
    if ctx.at(j) != "to" or ctx.inq[j + 1] or info is None or info[1] != "base" or info[0] in QUOTE_ONLY_SET:
        return None
    return verb_ok(ctx, j + 1, Flags(aux=True), ctx.starts[i0])
