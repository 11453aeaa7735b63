"""The mention as the subject of a cue verb: `X said`, `X, 71, who heads ..., told`, `X ..., saying`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from watcher.match.speaker.cues import (
    FINITE_SPEECH, LABEL_VERBS, PARTICIPLES, PHRASAL, QUOTE_ONLY_SET, RU_VERBS, VERBS, WEAK_SET, is_verb,
)
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
        elif t in ("this", "last") and ctx.at(k + 1) in ("past", "coming") and ctx.at(k + 2) in DAYS:
            k += 3  # "this past week"
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
        elif t == "and" and (ctx.cap(k + 1) or (ctx.at(k + 1) in TITLES and ctx.cap(k + 2))):
            flags.plural = True  # "X and former Arkansas Gov. Y (R) said"
            k += 1
            while k < n and (ctx.cap(k) or ctx.low[k] in TITLES or ctx.low[k] == ".") and steps < 12:
                k += 1
                steps += 1
            k = name_tail(ctx, k)
        elif t == "and" and ctx.at(k + 1) in ("his", "her", "their"):
            flags.plural = True
            k += 3
        elif t in ("и",) and ctx.cap(k + 1):
            k += 2
        elif t in _PP_PREPS and not flags.aux:
            return _skip_adverbial(ctx, k)
        else:
            return k
    return k


_PP_PREPS = {"during", "at", "in", "on", "after", "before", "from", "with", "onstage", "outside", "inside"}


def _skip_adverbial(ctx: Ctx, k: int) -> int:
    """A short prepositional phrase before a finite cue verb: "X during a Sunday rally thanked ...";
    returns k unchanged when no such verb follows within six words."""
    for j in range(k + 1, min(ctx.n, k + 8)):
        t = ctx.low[j]
        info = VERBS.get(t)
        if (info is not None and info[1] in ("s", "past")) or (t.endswith("ed") and len(t) > 4 and not ctx.cap(j)):
            return j if j > k + 1 else k
        if ctx.inq[j] or not (t.isalnum() or t in (".", "-")) or t in _FINITE_AUX or t in ("that", "who", "which"):
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
    if nxt in PHRASAL and t in PHRASAL[nxt] and not flags.be:
        return "quote" if ctx.quote_adjacent(a, ctx.ends[v + 1]) else "reported"  # "X fired back", "X lashed out"
    if t in ("call", "calls", "called", "calling") and not flags.be and nxt in ("for", "on") and ctx.at(v + 2) not in DAYS:
        return "reported"
    if t in LABEL_VERBS and (not flags.be or t.endswith("ing")) and _quote_ahead(ctx, v + 1) is not None:
        return "quote"  # "X called the plan “a disaster”", "X compared the president to a duck, “...”"
    if t in _VOICE_VERBS and not flags.be and ctx.at(v + 1 + (ctx.at(v + 1) in DETERMINERS)) in _FEELINGS:
        return "reported"  # "X expressed concerns about", "X voiced support for"
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
    if nxt == "by" or (kind in ("past", "pp") and nxt == "as" and lemma not in ("say", "tell", "add", "write")):
        return None  # "X quoted by", "X described as" (but "X said as the crowd cheered")
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
        if nxt in ASK_OBJ or nxt in ("for", "about"):
            return True
        return _object_then(ctx, v + 1, _ASK_NEXT)  # "X asked the mayor to explain", "X asks him about"
    if lemma == "talk":
        return nxt in ("about", "to", "with", "of")
    if lemma == "remind":
        return _object_then(ctx, v + 1, {"that"})
    if _clause_follows(ctx, v + 1):
        return True  # "X declared Trump was a threat", "X denied he had lied"
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
            return nxt2 in RESPOND_OBJ or ctx.cap(v + 2)
        return nxt == "by" and nxt2 == "saying"
    if lemma == "post":
        return nxt in POST_OBJ and nxt2 in ("video", "message", "statement", "comment", "note", "letter", "tweet", "post", "update", "thread")
    return False


_VOICE_VERBS = {"expressed", "expresses", "voiced", "voices", "expressing", "voicing"}
_FEELINGS = {"concern", "concerns", "support", "doubt", "doubts", "frustration", "opposition", "regret", "anger",
             "confidence", "hope", "skepticism", "scepticism", "dismay", "outrage", "sympathy", "condolences",
             "disappointment", "reservations", "alarm", "gratitude", "thanks", "optimism", "fears", "worries"}
_ASK_NEXT = {"to", "how", "whether", "why", "what", "when", "where", "who", "if", "about", "for"}
_FINITE_AUX = {"is", "was", "are", "were", "has", "had", "have", "will", "would", "could", "should", "can", "did",
               "does", "do", "might", "must", "may"}
_SUBJECT_PRONOUNS = {"he", "she", "they", "it", "i", "we", "you", "there", "this"}


def _object_then(ctx: Ctx, k: int, then: set[str]) -> bool:
    """A short object (a pronoun or up to four words, no verb) at token k, then one of `then`."""
    for j in range(k, min(ctx.n, k + 5)):
        t = ctx.low[j]
        if ctx.inq[j]:
            return False
        if j > k and t in then:
            return True
        if not (t.isalpha() or t.endswith(POSS_SUFFIX) or t == ".") or (t in VERBS and j > k) or t in _FINITE_AUX:
            return False
    return False


def _clause_follows(ctx: Ctx, k: int) -> bool:
    """A that-less clause at token k: a pronoun or a name, then a finite auxiliary ("Trump was", "he had")."""
    t = ctx.at(k)
    if t in _SUBJECT_PRONOUNS - {"it", "this", "there", "you"}:
        return ctx.at(k + 1) in _FINITE_AUX or ctx.at(k + 1).endswith("ed")
    j = k
    if t in ("the", "a", "an", "his", "her", "their", "its"):
        j += 1
        while j < ctx.n and j < k + 4 and ctx.low[j].isalpha() and not is_verb(ctx.low[j]) and not ctx.inq[j]:
            if ctx.low[j] in _FINITE_AUX:
                return True
            j += 1
        return False
    while j < ctx.n and j < k + 3 and ctx.cap(j) and not ctx.inq[j]:
        j += 1
    return j > k and ctx.at(j) in _FINITE_AUX


def _quote_ahead(ctx: Ctx, k: int) -> int | None:
    """The token index where a quotation starts within a short object after token k (no verb between)."""
    for j in range(k, min(ctx.n, k + 9)):
        if ctx.inq[j]:
            return j
        t = ctx.low[j]
        if t in QUOTE_CHARS:
            continue
        if t in (".", ";", ":", "!", "?") or (t in VERBS and j > k) or t in _FINITE_AUX:
            return None
    return None


def mention_role(ctx: Ctx, i0: int) -> str:
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
    k = name_tail(ctx, i1)
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
        if opened_with_comma and is_verb(ctx.at(k + 1)) and (k > i1 or _member_of_speakers(ctx, i0)):
            return verb_ok(ctx, k + 1, Flags(), a)  # "Gov. X (R-Ohio), said"
        if opened_with_comma:
            # The name is itself the apposition: "the head of the authority, John Fenwick, said"
            before = skip_titles_left(ctx, i0 - 1, commas=False)
            if before >= 0 and ctx.low[before] == ",":
                flags = Flags()
                v = skip_fillers(ctx, k + 1, flags)
                if v < n and (is_verb(ctx.low[v]) or ctx.low[v] in LABEL_VERBS):
                    how = verb_ok(ctx, v, flags, a)
                    if how and mention_role(ctx, i0) == "ok":
                        return how
        m = k + 1
        if m < n and (ctx.inq[m] or ctx.low[m] in QUOTE_CHARS):
            return None  # X, "..." : not an apposition
        if _participle_opening(ctx, m) and mention_role(ctx, i0) == "ok":
            return "reported"  # "X, after initially saying he would not ..., took to the airwaves"
        while m < min(n, k + 45):
            t = ctx.low[m]
            if ctx.inq[m] or t in QUOTE_CHARS:
                m += 1  # a quotation inside the apposition: "X, who calls Y a “crook,” said"
                continue
            if t in (";", "!", "?") or t == "according" or (t == "." and not _abbreviation_dot(ctx, m)):
                return None
            if t == "-" and ctx.at(m + 1) == "-" and opened_with_comma:
                m += 1  # "--" typed for a dash: "A former candidate -- X, who lost in 2008 -- said"
                t = "—"
            if t == closer or (opened_with_comma and t in ("—", "–")):
                if closer == "," and _participle_opening(ctx, m + 1) and mention_role(ctx, i0) == "ok":
                    return "reported"  # "X, R-Wis., despite admitting ..."
                if closer == ")" and ctx.at(m + 1) == ",":
                    closer, opened_with_comma, m = ",", True, m + 1  # "X (R-Ohio), a senator, said"
                    continue
                flags = Flags()
                v = skip_fillers(ctx, m + 1, flags)
                if v < n and (is_verb(ctx.low[v]) or ctx.low[v] in ("quoted", "cited") or ctx.low[v] in LABEL_VERBS):
                    how = verb_ok(ctx, v, flags, a)
                    if how is None:
                        return None
                    guard = mention_role(ctx, i0)
                    return how if guard == "ok" or _member_of_speakers(ctx, i0) else None
                if closer != ",":
                    return None
            elif t in FINITE_SPEECH and not ctx.cap(m) and ctx.at(k + 1) not in ("who", "который", "которая"):
                return None  # "X, officials said, ..."
            m += 1
        return None
    flags = Flags()
    v = skip_fillers(ctx, k, flags)
    if v >= n:
        return None
    how = verb_ok(ctx, v, flags, a)
    if how is None:
        found = _participle(ctx, v, flags)
        if found is None:
            return None
        how, attached = found
        before = ctx.at(skip_titles_left(ctx, i0 - 1, commas=False))
        if is_verb(before) or before == "that" or (attached == "ing" and before in _SUBORDINATORS):
            # "Y complained that X is too rigid, suggesting ...", "Y said X had called, but said ...":
            # the -ing or the second verb belongs to Y; "while X proposed ... and said" is X's
            return None
    role = mention_role(ctx, i0)
    return how if role == "ok" or (role == "prep" and _member_of_speakers(ctx, i0)) else None


def _participle_opening(ctx: Ctx, m: int) -> bool:
    """An apposition that opens with a cue: "after initially saying", "despite admitting", "while insisting"."""
    j = m + 1 if ctx.at(m) in ("after", "before", "while", "when", "by", "in", "despite") else m
    if j < ctx.n and is_ly(ctx, j):
        j += 1
    return j > m and ctx.at(j) in PARTICIPLES and not ctx.inq[j]


def _member_of_speakers(ctx: Ctx, i0: int) -> bool:
    """"Proponents like X urged", "Several candidates, including X, said": X is one of the speakers."""
    k = skip_titles_left(ctx, i0 - 1, commas=False)
    if ctx.at(k) == "as" and ctx.at(k - 1) == "such":
        k -= 1
    if ctx.at(k) not in ("like", "including", "such"):
        return False
    j = k - 1 if ctx.at(k - 1) != "," else k - 2
    t = ctx.at(j)
    return len(t) > 3 and t.endswith("s") and t.isalpha() and not t.endswith("ss") and skip_titles_left(ctx, j - 1, commas=False) < 2


_SUBORDINATORS = {"that", "if", "whether", "because", "when", "while", "although", "though", "as", "after",
                  "before", "since", "unless", "until", "than", "whom", "who"}


# "X released an ad calling it “dangerous”", "X sent a text saying ...": the message speaks for X
_MESSAGES = {"ad", "ads", "video", "statement", "tweet", "post", "message", "text", "release", "letter", "email",
             "e-mail", "memo", "note", "op-ed", "column", "speech", "interview"}
def _someone_elses(ctx: Ctx, m: int) -> bool:
    """Is the noun at m owned by a named other: "Clinton's Tuesday speech"?"""
    for j in range(m - 1, max(-1, m - 5), -1):
        if ctx.low[j].endswith(POSS_SUFFIX):
            return True
        if ctx.low[j] in DETERMINERS or not ctx.low[j].isalnum():
            return False
    return False


_NEW_CLAUSE = {"but", "while", "although", "though", "whereas", "because", "as", "when", "after", "before", "and", "since"}


def _participle(ctx: Ctx, v: int, flags: Flags) -> tuple[str, str] | None:
    """X <does something>, saying ...: the -ing cue attaches to the clause's subject.

    Returns (how, "ing") for an -ing cue, whose subject may be a higher clause's, or (how, "verb")
    for a second finite verb of the same subject ("X proposed ... and said").

    "X hit back at critics on Monday, saying the reforms worked", "X was upfront about it, saying ...".
    Stops where another clause (and so maybe another subject) starts: "who", "which", "but Y ...".
    """
    if flags.neg or v >= ctx.n or ctx.inq[v]:
        return None
    t = ctx.low[v]
    if not t.isalpha() or t in PREPS or t in DETERMINERS or ctx.cap(v):
        return None
    depth = 0
    skip_to = v
    for m in range(v + 1, min(ctx.n, v + 40)):
        tm = ctx.low[m]
        if m <= skip_to or ctx.inq[m] or tm in QUOTE_CHARS:
            continue
        if tm in ("(", "["):
            depth += 1
        elif tm in (")", "]"):
            depth -= 1
        elif depth > 0:
            continue
        elif tm in (";", "!", "?", ":") or (tm == "." and not _abbreviation_dot(ctx, m)):
            return None
        elif (tm in (",", "by") or (tm in _MESSAGES and not _someone_elses(ctx, m))) and ctx.at(m + 1) in PARTICIPLES:
            return ("quote" if ctx.quote_adjacent(ctx.starts[m + 1], ctx.ends[m + 1]) else "reported"), "ing"
        elif tm in ("and", "but") and not flags.be:
            # a second verb of the same subject: "X has freed up funds and on Monday announced ..."
            f2 = Flags()
            w = skip_fillers(ctx, m + 1, f2)
            info = VERBS.get(ctx.at(w))
            if ((info and info[1] in ("s", "past")) or ctx.at(w) in LABEL_VERBS) and not f2.be:
                how = verb_ok(ctx, w, f2, ctx.starts[w])
                if how:
                    return how, "verb"
            if ctx.at(m + 1) in _SUBJECT_PRONOUNS or _clause_follows(ctx, m + 1):
                return None
        elif tm == "to" and _infinitive_cue(ctx, v, m):
            return "reported", "ing"
        elif tm == "which" and ctx.at(m - 1) == ",":
            # a relative clause about a thing, closed by a comma: "X supported them during his time at
            # the network, which let him go in 2015, and said ..."
            close = next((j for j in range(m + 1, min(ctx.n, m + 20)) if ctx.low[j] == "," and not ctx.inq[j]), None)
            if close is None:
                return None
            skip_to = close
        elif tm in WHO or tm in ("which", "whose") or (tm in FINITE_SPEECH and m > v + 1 and not ctx.cap(m)):
            return None
        elif tm == "by" and flags.be and ctx.cap(m + 1):
            return None  # passive: "X was attacked by Y, saying ..."
        elif tm in _NEW_CLAUSE and (ctx.at(m + 1) in _SUBJECT_PRONOUNS or _clause_follows(ctx, m + 1)):
            return None  # "X arrived, but Y left, saying"
    return None


_READY = {"quick", "careful", "swift", "fast", "eager", "keen", "happy", "first", "last", "prompt"}
_DONE_VERBS = {"took", "used", "rushed", "moved", "hastened", "went", "stepped", "seized", "came", "returned",
               "appeared", "stood", "rose", "turned", "jumped", "wasted"}


def _infinitive_cue(ctx: Ctx, v: int, m: int) -> bool:
    """"X was quick to add that", "X took the stage to acknowledge his win" (a realised act, not a plan:
    "X is expected to announce", "X declined to say" do not count)."""
    info = VERBS.get(ctx.at(m + 1))
    if info is None or info[1] != "base" or info[0] in QUOTE_ONLY_SET or ctx.inq[m + 1]:
        return False
    head = ctx.low[v]
    if m == v + 1:
        return head in _READY and ctx.at(v - 1) in ("was", "were", "is")
    return head in _DONE_VERBS and m - v <= 6


def _abbreviation_dot(ctx: Ctx, m: int) -> bool:
    """A full stop inside a sentence: "Sen.", "R-Ky.,", "Ltd.", "J."."""
    prev = ctx.orig[m - 1] if m > 0 else ""
    if ctx.at(m + 1) in (",", ")"):
        return True
    return bool(prev) and prev[0].isupper() and (len(prev) <= 4 or "-" in prev or ctx.low[m - 1] in TITLES)


def _title_noun(ctx: Ctx, k: int) -> bool:
    t = ctx.low[k]
    if t.isdigit() or t == "/" or (t[:1].isdigit() and t[-2:] in ("st", "nd", "rd", "th")):
        return True
    return (
        t.isalpha() and len(t) > 2 and not ctx.cap(k) and not is_verb(t) and t not in PREPS and t not in STOP_CAP
        and t not in DETERMINERS and t not in AUX_BE and t not in AUX_OTHER and t not in FILLERS
        and not (t.endswith("ed") and len(t) > 3) and not t.endswith("ly") and t not in _RELATIVE
    )


_RELATIVE = {"which", "that", "who", "whom", "whose", "where", "when", "and", "or", "but", "whether"}


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


def skip_titles_left(ctx: Ctx, k: int, limit: int = 10, commas: bool = True, nouns: bool = False) -> int:
    """From token k leftwards, skip titles, capitalised words, "of" after a title, one comma pair.

    With `nouns`, also plain nouns and numbers of a title ("said 9/11 widow X", "said ranking Democrat X").
    """
    steps = 0
    while k >= 0 and steps < limit:
        steps += 1
        t = ctx.low[k]
        if ctx.inq[k]:
            break
        if t == "." and k > 0 and (ctx.low[k - 1] in TITLES or len(ctx.low[k - 1]) == 1 or _abbreviation_dot(ctx, k)):
            k -= 2
            continue
        if ctx.cap(k) and is_verb(t):
            break  # "Said X, ..." at the start of a sentence
        if nouns and _title_noun(ctx, k):
            k -= 1
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
