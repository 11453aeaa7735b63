"""The mention as the subject of a cue verb: `X said`, `X, 71, who heads ..., told`, `X ..., saying`."""

from __future__ import annotations

from dataclasses import dataclass

from watcher.match.speaker.cues import FINITE_SPEECH, QUOTE_ONLY_SET, RU_VERBS, VERBS, WEAK_SET, is_verb
from watcher.match.speaker.lexicon import (
    ACT_BASE, ACT_VERBS, ADMIT_OBJ, ASK_OBJ, AUX_BE, AUX_OTHER, CLAIM_BAD, CLAUSE_NEXT, CONTEXT_NOUNS,
    DAYS, DENY_OBJ, DETERMINERS, FILLERS, MEDIA, MONTHS, NEG, OBJ_VERBS, OPENERS, POSS_BLOCK, POSS_SUFFIX,
    POST_OBJ, PREPS, QUOTE_CHARS, RESPOND_OBJ, RU_IN, SAID_TO_OBJ, SPEAKING_ROLES, SPEECH_NOUNS, STOP_CAP,
    TITLE_OF, TITLES, WHO, WORKS,
)
from watcher.match.speaker.tokens import Ctx, is_ly


@dataclass
class Flags:
    be: bool = False
    neg: bool = False
    aux: bool = False
    plural: bool = False


def skip_fillers(ctx: Ctx, k: int, flags: Flags) -> int:
    """Skip auxiliaries, adverbs and short adverbials between a subject and its verb."""
    n = ctx.n
    steps = 0
    while k < n and steps < 12:
        steps += 1
        if ctx.inq[k]:
            return k
        t = ctx.low[k]
        if t in AUX_BE:
            flags.be = True
            flags.aux = True
            k += 1
        elif t in NEG or t.endswith("n't"):
            flags.neg = True
            k += 1
        elif t in AUX_OTHER:
            if t == "to" and not flags.aux:
                return k
            flags.aux = True
            k += 1
        elif t in FILLERS or is_ly(ctx, k) or t in DAYS:
            k += 1
        elif t in ("on", "last", "this", "next", "late", "early", "в", "во") and ctx.at(k + 1) in DAYS:
            k += 2
        elif t == "on" and ctx.at(k + 1) in MONTHS | {"social"}:
            k += 2
            while k < n and (ctx.low[k].isdigit() or ctx.low[k] in ("media", ",")) and steps < 12:
                k += 1
                steps += 1
        elif t == "on" and ctx.at(k + 1) in MEDIA:
            k += 2
            if ctx.at(k) in ("television", "tv", "media", "radio", "social"):
                k += 1
        elif t == "on" and ctx.at(k + 1).isdigit():
            k += 2
            if ctx.at(k) in MONTHS:
                k += 1
        elif t == "in" and ctx.at(k + 1) in DETERMINERS:
            j = k + 2
            while j < min(n, k + 5) and ctx.low[j] not in CONTEXT_NOUNS and ctx.low[j].isalpha():
                j += 1
            if ctx.at(j) in CONTEXT_NOUNS:
                k = j + 1
                # "in an interview with the BBC": the partner is part of the adverbial
                if ctx.at(k) in ("with", "to", "on", "for"):
                    j = k + 1
                    while j < min(n, k + 6) and (ctx.cap(j) or ctx.low[j] in DETERMINERS or ctx.low[j].isupper()):
                        j += 1
                    k = j
            else:
                return k
        elif t == "in" and ctx.at(k + 1) in CONTEXT_NOUNS:
            k += 2
        elif t == "в" and ctx.at(k + 1) in RU_IN:
            j = k + 2
            while j < min(n, k + 9) and not is_verb(ctx.low[j]) and ctx.low[j] not in (",", "."):
                j += 1
            k = j
        elif t == "and" and ctx.cap(k + 1):
            flags.plural = True
            k += 1
            while k < n and ctx.cap(k) and steps < 12:
                k += 1
                steps += 1
        elif t == "and" and ctx.at(k + 1) in ("his", "her", "their"):
            flags.plural = True
            k += 3
        elif t in ("и",) and ctx.cap(k + 1):
            k += 2
        else:
            return k
    return k


def verb_ok(ctx: Ctx, v: int, flags: Flags, a: int) -> str | None:
    """Is token v a speech verb whose subject stands before it? Returns "quote"/"reported" or None.

    `a` is the offset where the attribution clause starts (for quote adjacency).
    """
    if v >= ctx.n or ctx.inq[v]:
        return None
    t = ctx.low[v]
    nxt = ctx.at(v + 1)
    if flags.neg:
        return None
    end = ctx.ends[v]
    if t in RU_VERBS:
        return "quote" if ctx.quote_adjacent(a, end) else "reported"
    # "is quoted as saying", "was cited as saying"
    if t in ("quoted", "cited", "heard", "recorded", "filmed", "reported", "recalled") and nxt == "as" and ctx.at(v + 2) == "saying":
        end = ctx.ends[v + 2]
        return "quote" if ctx.quote_adjacent(a, end) else "reported"
    if t in ("heard", "recorded", "filmed", "overheard", "caught") and nxt in ("saying", "telling"):
        return "quote" if ctx.quote_adjacent(a, ctx.ends[v + 1]) else "reported"
    if t in ("hit", "hits", "hitting", "lashed", "lashes", "lashing") and nxt in ("out", "back") and ctx.at(v + 2) == "at" and not flags.be:
        return "reported"  # "X hit out at critics"
    if t in ("call", "calls", "called", "calling") and nxt in ("for", "on") and ctx.at(v + 2) not in DAYS and not flags.be:
        return "reported"
    if t in ACT_VERBS and not flags.be and (t not in ACT_BASE or flags.aux or flags.plural):
        # "X issued a statement", "X gave an interview", "X repeated his warning"
        nouns = SPEECH_NOUNS | ({"evidence"} if t.startswith("g") else set()) | ({"call", "calls"} if t.startswith(("rep", "ren")) else set())
        j = v + 1
        for _ in range(4):
            tj = ctx.at(j)
            if tj in nouns and not ctx.inq[j]:
                return "quote" if ctx.quote_adjacent(a, ctx.ends[j]) else "reported"
            if not tj.isalpha() or tj in PREPS or tj in POSS_BLOCK or ctx.cap(j):
                break
            j += 1
        return None
    info = VERBS.get(t)
    if info is None:
        return None
    lemma, kind = info
    if flags.be and kind != "ing":
        return None  # passive: "X was told", "X is said to be ill"
    if kind == "base" and not (flags.aux or flags.plural):
        return None  # "X say" (plural / imperative / noun): not a subject-verb pair we trust
    if nxt == "by" or (kind in ("past", "pp") and nxt == "as"):
        return None  # "X quoted by", "X described as"
    if (
        nxt == "to"
        and lemma in ("tell", "ask", "urge", "report", "estimate", "say", "add")
        and not (lemma == "say" and (ctx.at(v + 2) in SAID_TO_OBJ or ctx.cap(v + 2)))
    ):
        return None  # "X said to be ill", "X told to leave", "X added to the pressure"
    if lemma == "accuse" and nxt == "of":
        return None
    if nxt in ("nothing", "little") or (nxt == "no" and ctx.at(v + 2) in ("more", "word", "comment")):
        return None  # "X said nothing"
    if lemma == "write" and (nxt in WORKS or ctx.at(v + 2) in WORKS or ctx.at(v + 3) in WORKS):
        return None  # authorship, not a statement: "X wrote the book"
    adjacent = ctx.quote_adjacent(a, end)
    if lemma in QUOTE_ONLY_SET:
        return "quote" if adjacent else None
    if lemma in WEAK_SET and not adjacent and not _weak_ok(ctx, v, lemma):
        return None
    return "quote" if adjacent else "reported"


def _weak_ok(ctx: Ctx, v: int, lemma: str) -> bool:
    nxt = ctx.at(v + 1)
    nxt2 = ctx.at(v + 2)
    if v + 1 >= ctx.n:
        return True  # "..., X added." (sentence end)
    if lemma == "ask":
        return nxt in ASK_OBJ
    if lemma == "add" or lemma == "declare" or lemma == "report" or lemma == "counter":
        if lemma in ("add", "report") and nxt == "to":
            return False
        return nxt in CLAUSE_NEXT or is_ly(ctx, v + 1)
    if lemma == "claim":
        return not (nxt in CLAIM_BAD or (nxt == "the" and nxt2 in CLAIM_BAD))
    if (nxt in CLAUSE_NEXT and nxt != "to") or is_ly(ctx, v + 1):
        return True
    if lemma == "deny":
        if nxt in ("the", "any", "all", "these", "those", "such"):
            return nxt2 in DENY_OBJ
        return nxt in DENY_OBJ
    if lemma == "admit":
        if nxt == "to":
            return nxt2.endswith("ing") or nxt2 in ADMIT_OBJ
        return nxt in ADMIT_OBJ
    if lemma == "maintain":
        return nxt in ("his", "her", "their") and nxt2 in ("innocence", "position", "stance")
    if lemma in ("respond", "answer"):
        if nxt == "to":
            return nxt2 in RESPOND_OBJ
        return nxt == "by" and nxt2 == "saying"
    if lemma == "post":
        return nxt in POST_OBJ and nxt2 in ("video", "message", "statement", "comment", "note", "letter", "tweet", "post", "update", "thread")
    return False


def _preceding(ctx: Ctx, i0: int) -> str:
    """What stands before a mention: 'ok' (subject position), 'prep' or 'verb' (object)."""
    k = i0 - 1
    steps = 0
    while k >= 0 and steps < 10:
        steps += 1
        t = ctx.low[k]
        if ctx.inq[k]:
            return "ok"
        if t == "." and k > 0 and (ctx.low[k - 1] in TITLES or len(ctx.low[k - 1]) == 1):
            k -= 2  # "Mr. Smith", "J. Smith"
            continue
        if t in TITLES or t in DETERMINERS or t.endswith(POSS_SUFFIX) or (ctx.cap(k) and t not in STOP_CAP) or ctx.orig[k].isupper() and t.isalpha():
            k -= 1
            continue
        if t == "of" and ctx.at(k - 1) in TITLE_OF | DETERMINERS:
            k -= 1
            continue
        break
    if k < 0:
        return "ok"
    t = ctx.low[k]
    if t in PREPS:
        return "prep"
    if t in OBJ_VERBS or (t.endswith("ed") and len(t) > 4 and t not in TITLES) or (t.endswith("ing") and len(t) > 5 and t not in TITLES):
        return "verb"
    return "ok"


def subject_of_cue(ctx: Ctx, i0: int, i1: int, nominative: bool, a: int) -> str | None:
    """Mention tokens [i0, i1) as the subject of a following speech verb."""
    if not nominative:
        return None
    n = ctx.n
    k = i1
    guard = None
    if k < n and ctx.low[k] in OPENERS and not ctx.inq[k]:
        closer = OPENERS[ctx.low[k]]
        if ctx.low[k] == "," and ctx.at(k + 1) in WHO:
            flags = Flags()
            v = skip_fillers(ctx, k + 2, flags)
            how = verb_ok(ctx, v, flags, a)
            if how:
                # "distanced itself from X, who said": the clause is about X, unless a role that
                # speaks for X precedes ("a spokesman for X, who said").
                for j in range(max(0, skip_titles_left(ctx, i0 - 1, commas=False) - 2), i0):
                    if ctx.low[j] in POSS_BLOCK or ctx.low[j] in SPEAKING_ROLES:
                        return None
                return how
        opened_with_comma = ctx.low[k] == ","
        if opened_with_comma:
            # The name is itself the apposition: "the head of the authority, John Fenwick, said"
            before = skip_titles_left(ctx, i0 - 1, commas=False)
            if before >= 0 and ctx.low[before] == ",":
                flags = Flags()
                v = skip_fillers(ctx, k + 1, flags)
                if v < n and is_verb(ctx.low[v]):
                    how = verb_ok(ctx, v, flags, a)
                    if how and _preceding(ctx, i0) == "ok":
                        return how
        m = k + 1
        while m < min(n, k + 30):
            t = ctx.low[m]
            if ctx.inq[m] or t in (".", ";", "!", "?") or t in QUOTE_CHARS:
                return None
            if t == closer or (opened_with_comma and t in ("—", "–")):
                flags = Flags()
                v = skip_fillers(ctx, m + 1, flags)
                if v < n and (is_verb(ctx.low[v]) or ctx.low[v] in ("quoted", "cited", "called")):
                    how = verb_ok(ctx, v, flags, a)
                    if how is None:
                        return None
                    guard = _preceding(ctx, i0)
                    return how if guard == "ok" else None
                if closer != ",":
                    return None
            elif t in FINITE_SPEECH and ctx.at(k + 1) not in ("who", "который", "которая"):
                return None  # "X, officials said, ..."
            m += 1
        return None
    flags = Flags()
    v = skip_fillers(ctx, k, flags)
    if v >= n:
        return None
    how = verb_ok(ctx, v, flags, a)
    if how is None:
        how = _participle(ctx, v, flags)
        if how is None:
            return None
    return how if _preceding(ctx, i0) == "ok" else None


_PARTICIPLES = {"saying", "adding", "telling", "warning", "noting", "arguing", "insisting", "claiming", "stressing", "explaining", "declaring", "writing", "vowing"}


def _participle(ctx: Ctx, v: int, flags: Flags) -> str | None:
    """X <acts>, saying ...: "X hit back at critics on Monday, saying the reforms worked"."""
    if flags.be or flags.neg or v >= ctx.n or ctx.inq[v]:
        return None
    t = ctx.low[v]
    if not t.isalpha() or t in PREPS or t in DETERMINERS or ctx.cap(v) or t in VERBS:
        return None
    for m in range(v + 1, min(ctx.n, v + 16)):
        tm = ctx.low[m]
        if ctx.inq[m] or tm in (".", ";", "!", "?", "(") or tm in QUOTE_CHARS or tm in VERBS and tm not in _PARTICIPLES:
            return None
        if tm == "," and ctx.at(m + 1) in _PARTICIPLES:
            return "reported"
        if tm in WHO or tm in ("which", "that", "who", "whose", "and", "but", "while", "after", "before", "when"):
            return None
    return None


def skip_titles_left(ctx: Ctx, k: int, limit: int = 10, commas: bool = True) -> int:
    """From token k leftwards, skip titles, capitalised words, "of" after a title, one comma pair."""
    steps = 0
    while k >= 0 and steps < limit:
        steps += 1
        t = ctx.low[k]
        if ctx.inq[k]:
            break
        if t == "." and k > 0 and (ctx.low[k - 1] in TITLES or len(ctx.low[k - 1]) == 1):
            k -= 2
            continue
        if t in TITLES or t in DETERMINERS or t.endswith(POSS_SUFFIX) or (ctx.cap(k) and t not in STOP_CAP) or (ctx.orig[k].isupper() and t.isalpha()):
            k -= 1
            continue
        if t == "of" and ctx.at(k - 1) in TITLE_OF:
            k -= 1
            continue
        if commas and t == "," and k > 0 and (ctx.low[k - 1] in TITLES or ctx.cap(k - 1)):
            k -= 1
            continue
        break
    return k
