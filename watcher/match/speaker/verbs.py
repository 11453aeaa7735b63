"""Is this token a cue verb whose subject stands before it? Fillers, adverbials, weak cues and their objects."""

from __future__ import annotations

from dataclasses import dataclass

from watcher.match.speaker.cues import (
    LABEL_VERBS, PHRASAL, QUOTE_ONLY_SET, RU_VERBS, VERBS, WEAK_SET, is_verb,
)
from watcher.match.speaker.lexicon import (
    ACT_BASE, ACT_ONLY_NOUNS, ACT_VERBS, FEELINGS, VOICE_VERBS, ADMIT_OBJ, ASK_OBJ, AUX_BE, AUX_OTHER, CLAIM_BAD, CLAUSE_NEXT, CONTEXT_NOUNS,
    DAYS, DENY_OBJ, DETERMINERS, FILLERS, MEDIA, MONTHS, NEG, POSS_BLOCK, POSS_SUFFIX, POST_OBJ, PREPS,
    QUOTE_CHARS, RESPOND_OBJ, RU_IN, SAID_TO_OBJ, SPEECH_NOUNS, TITLES, WORKS,
)
from watcher.match.speaker.tokens import Ctx, is_ly, name_tail
from watcher.match.speaker.periphrasis import periphrasis


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
            if (t == "to" and not flags.aux) or (t == "used" and ctx.at(k + 1) != "to"):
                return k  # "used" is an auxiliary only in "used to": "X used his speech to argue"
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
        elif t in ("both", "all", "each") and flags.plural:
            k += 1  # "X and Y both said"
        elif t == "and" and ctx.at(k + 1) in ("others", "other", "several", "many", "some", "two", "three"):
            flags.plural = True  # "X and others say", "X and other Republicans argue"
            k += 2
            while k < n and ctx.low[k].isalpha() and not is_verb(ctx.low[k]) and ctx.low[k] not in AUX_BE | AUX_OTHER and steps < 12:
                k += 1
                steps += 1
        elif t == "and" and ctx.at(k + 1) in ("his", "her", "their"):
            flags.plural = True
            k += 3
            if ctx.at(k) != "," and ctx.at(k + 1) == "," and ctx.low[k].isalpha() and not is_verb(ctx.low[k]):
                k += 1  # "and his running mate, Y, said"
            if ctx.at(k) == "," and ctx.cap(k + 1):
                # "X and his running mate, Y, said": the partner's name in commas
                j = k + 1
                while j < min(n, k + 6) and (ctx.cap(j) or ctx.low[j] == "."):
                    j += 1
                if ctx.at(j) == ",":
                    k = j + 1
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
        if ctx.inq[j] or not (t.isalnum() or t in (".", "-")) or t in FINITE_AUX or t in ("that", "who", "which"):
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
    if t in ("heard", "recorded", "filmed", "overheard", "caught"):
        j = v + 1
        if nxt in ("on", "in") and ctx.at(v + 2) not in ("saying", "telling"):
            # "was heard on a hot microphone telling", "caught on tape saying"
            j = next((m for m in range(v + 2, min(ctx.n, v + 6)) if ctx.low[m] in ("saying", "telling")), j)
        if ctx.at(j) in ("saying", "telling"):
            return "quote" if ctx.quote_adjacent(a, ctx.ends[j]) else "reported"
    if t in ("offered", "offers", "offering") and nxt == "to" and not flags.be and ctx.at(v + 2).isalpha() and not ctx.cap(v + 2):
        return "reported"  # "X offered to debate on April 14" (an offer is made in words)
    if t in _CATENATIVE and nxt == "to" and not flags.be and not ctx.inq[min(v + 2, ctx.n - 1)]:
        # "X continued to insist", "X has begun to argue", "X would go on to say", "X likes to say"
        j = v + 2
        info = VERBS.get(ctx.at(j))
        if (info and info[1] == "base" and info[0] not in QUOTE_ONLY_SET) or ctx.at(j) in LABEL_VERBS:
            return verb_ok(ctx, j, Flags(aux=True), a)
    if (t in _HABIT and nxt in ("of", "for")) or (t == "taken" and nxt == "to"):
        info = VERBS.get(ctx.at(v + 2))
        if (info and info[1] == "ing" and info[0] not in QUOTE_ONLY_SET) or ctx.at(v + 2) in ("calling", "labeling", "branding"):
            return "quote" if ctx.quote_adjacent(a, ctx.ends[v + 2]) else "reported"  # "X is fond of saying", "X has taken to calling"
    if t in _KEEP and nxt in VERBS and VERBS[nxt][1] == "ing" and VERBS[nxt][0] not in QUOTE_ONLY_SET and not flags.be:
        return verb_ok(ctx, v + 1, Flags(be=True), a)  # "X kept saying", "X began telling"
    if nxt in PHRASAL and t in PHRASAL[nxt] and not flags.be:
        return "quote" if ctx.quote_adjacent(a, ctx.ends[v + 1]) else "reported"  # "X fired back", "X lashed out"
    if t in ("call", "calls", "called", "calling") and not flags.be and nxt in ("for", "on") and ctx.at(v + 2) not in DAYS:
        return "reported"
    if (t in LABEL_VERBS or t in _POSTED) and (not flags.be or t.endswith("ing")) and quote_ahead(ctx, v + 1) is not None:
        return "quote"  # "X called the plan “a disaster”", "X posted two words on Twitter: “So sad”"
    if t in _AS_LABEL and not flags.be and _object_then(ctx, v + 1, {"as"}):
        return "reported"  # "X portrayed the plan as a giveaway", "X cast the vote as a referendum"
    if t in VOICE_VERBS and not flags.be and ctx.at(v + 1 + (ctx.at(v + 1) in DETERMINERS)) in FEELINGS:
        return "reported"  # "X expressed concerns about", "X voiced support for"
    how = periphrasis(ctx, v, flags.be, a)
    if how:
        return how
    if t in ACT_VERBS and not flags.be and (t not in ACT_BASE or flags.aux or flags.plural):
        # "X issued a statement", "X gave an interview", "X repeated his warning"
        nouns = SPEECH_NOUNS | ({"evidence"} if t.startswith("g") else set()) | ({"call", "calls"} if t.startswith(("rep", "ren")) else set())
        nouns = nouns | ACT_ONLY_NOUNS.get(t[:3], set())  # "offered his thoughts", "struck a tone"
        j = v + 1
        for _ in range(4):
            tj = ctx.at(j)
            if tj in nouns and not ctx.inq[j]:
                return "quote" if ctx.quote_adjacent(a, ctx.ends[j]) else "reported"
            if not tj.isalpha() or tj in PREPS or tj in POSS_BLOCK or ctx.cap(j):
                break
            j += 1
        if t not in VERBS:
            return None  # "“…,” X offered" goes on as a cue next to a quotation
    info = VERBS.get(t)
    if info is None:
        return None
    lemma, kind = info
    if flags.be and kind != "ing":
        return None  # passive: "X was told", "X is said to be ill"
    if kind == "base" and not (flags.aux or flags.plural):
        return None  # "X say" (plural / imperative / noun): not a subject-verb pair we trust
    if nxt == "as" and ctx.at(v + 2) == "much" and not ctx.inq[v + 2]:
        return "reported"  # "X acknowledged as much", "X admitted as much in an interview"
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
    if lemma == "write" and nxt not in PREPS and nxt != "in" and (nxt in WORKS or ctx.at(v + 2) in WORKS or ctx.at(v + 3) in WORKS):
        return None  # authorship, not a statement: "X wrote the book" (but "X wrote in his memoir")
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
        return nxt in _TALK_NEXT or (is_ly(ctx, v + 1) and nxt2 in _TALK_NEXT)  # "X talks freely of"
    if lemma in ("agree", "disagree") and nxt == "with" and _object_then(ctx, v + 2, {"that", "on", "about"}):
        return True  # "X agrees with Marks that ...", "X disagreed with the governor on taxes"
    if lemma in ("object", "disagree") and (nxt in ("to", "with", ".", ",") or v + 2 >= ctx.n):
        return True  # "X objected to the plan", "X disagreed."
    if lemma in ("remind", "text", "notify"):
        return nxt == "that" or _object_then(ctx, v + 1, {"that"})  # "X texted reporters that"
    if lemma == "vouch":
        return nxt == "for"
    if lemma == "demand":
        return nxt in _DEMAND_NEXT or clause_follows(ctx, v + 1)  # "X demanded an apology", not "services X demanded."
    if lemma == "wonder":
        return nxt in _WONDER_NEXT  # "X wondered aloud whether", not "X wondered off"
    if lemma == "plead":
        return nxt in ("with", "for", "guilty", "innocent", "no", "not") or clause_follows(ctx, v + 1)
    if clause_follows(ctx, v + 1):
        return True  # "X declared Trump was a threat", "X denied he had lied"
    if lemma == "add" or lemma == "declare" or lemma == "report" or lemma == "counter":
        if lemma in ("add", "report") and nxt == "to":
            return False
        return nxt in CLAUSE_NEXT or is_ly(ctx, v + 1)
    if lemma == "claim":
        return not (nxt in CLAIM_BAD or (nxt == "the" and nxt2 in CLAIM_BAD))
    if (nxt in CLAUSE_NEXT and nxt != "to") or is_ly(ctx, v + 1):
        return True
    if lemma == "appeal":
        return nxt in ("to", "for") and ctx.at(v + 2) not in ("the", "a", "an", "court", "judge")  # not "appealed to the court"
    if lemma in ("deny", "reject", "dismiss"):
        objects = DENY_OBJ if lemma == "deny" else _REJECT_OBJ  # "X rejected the idea", not "X rejected the offer"
        if nxt in ("the", "any", "all", "these", "those", "such", "that", "this", "his", "her", "their"):
            return nxt2 in objects
        return nxt in objects
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


_DEMAND_NEXT = {"that", "to", "a", "an", "the", "his", "her", "their", "answers", "action", "changes", "more"}
_TALK_NEXT = {"about", "to", "with", "of"}
_AS_LABEL = {"portrayed", "portrays", "portraying", "painted", "paints", "painting", "cast", "casts", "casting",
             "depicted", "depicts", "depicting", "framed", "frames", "framing", "billed", "bills", "pitched", "pitches"}
_WONDER_NEXT = {"aloud", "whether", "if", "why", "how", "what", "who", "when", "where", ":", ","}
_CATENATIVE = {"continued", "continues", "continue", "began", "begins", "begun", "started", "starts", "likes", "liked",
               "loves", "loved", "proceeded", "proceeds", "tends", "tended"}
_HABIT = {"fond", "known", "habit", "tires", "tired", "tiring", "famous", "notorious"}
_KEEP = {"kept", "keeps", "keep", "began", "begins", "started", "starts", "continued", "continues"}
_POSTED = {"post", "posts", "posted", "posting", "shared", "shares", "share", "sharing"}
_REJECT_OBJ = {"idea", "notion", "claim", "claims", "criticism", "suggestion", "suggestions", "accusations", "allegations",
               "charge", "charges", "reports", "comparison", "characterization", "premise", "argument", "assertion"}
_ASK_NEXT = {"to", "how", "whether", "why", "what", "when", "where", "who", "if", "about", "for"}
FINITE_AUX = {"is", "was", "are", "were", "has", "had", "have", "will", "would", "could", "should", "can", "did",
               "does", "do", "might", "must", "may"}
SUBJECT_PRONOUNS = {"he", "she", "they", "it", "i", "we", "you", "there", "this"}


def _object_then(ctx: Ctx, k: int, then: set[str]) -> bool:
    """A short object (a pronoun or up to four words, no verb) at token k, then one of `then`."""
    for j in range(k, min(ctx.n, k + 5)):
        t = ctx.low[j]
        if ctx.inq[j]:
            return False
        if j > k and t in then:
            return True
        if not (t.isalpha() or t.endswith(POSS_SUFFIX) or t == ".") or (t in VERBS and j > k) or t in FINITE_AUX:
            return False
    return False


def clause_follows(ctx: Ctx, k: int) -> bool:
    """A that-less clause at token k: a pronoun or a name, then a finite auxiliary ("Trump was", "he had")."""
    t = ctx.at(k)
    if t in SUBJECT_PRONOUNS - {"it", "this", "there", "you"}:
        return ctx.at(k + 1) in FINITE_AUX or ctx.at(k + 1).endswith("ed")
    j = k
    if t in ("the", "a", "an", "his", "her", "their", "its"):
        j += 1
        while j < ctx.n and j < k + 4 and ctx.low[j].isalpha() and not is_verb(ctx.low[j]) and not ctx.inq[j]:
            if ctx.low[j] in FINITE_AUX:
                return True
            j += 1
        return False
    while j < ctx.n and j < k + 3 and ctx.cap(j) and not ctx.inq[j]:
        j += 1
    return j > k and ctx.at(j) in FINITE_AUX


def quote_ahead(ctx: Ctx, k: int) -> int | None:
    """The token index where a quotation starts within a short object after token k (no verb between)."""
    for j in range(k, min(ctx.n, k + 9)):
        if ctx.inq[j]:
            return j
        t = ctx.low[j]
        if t in QUOTE_CHARS:
            continue
        if t in (".", ";", ":", "!", "?") or (t in VERBS and j > k) or t in FINITE_AUX:
            return None
    return None
