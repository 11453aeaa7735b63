"""The mention as the subject of a cue verb: `X said`, `X, 71, who heads ..., told`, `X ..., saying`."""

from __future__ import annotations

from watcher.match.speaker.cues import FINITE_SPEECH, LABEL_VERBS, OPENING_PARTICIPLES, PARTICIPLES, QUOTE_ONLY_SET, VERBS, is_verb
from watcher.match.speaker.lexicon import (
    ACT_BASE, ACT_VERBS, DETERMINERS, OBJ_VERBS, OPENERS, POSS_BLOCK, POSS_SUFFIX, PREPS,
    QUOTE_CHARS, SPEAKING_ROLES, SPEECH_NOUNS, STOP_CAP, TITLE_OF, TITLES, WHO,
)
from watcher.match.speaker.tokens import Ctx, is_ly, name_tail
from watcher.match.speaker.titles import abbreviation_dot, skip_titles_left
from watcher.match.speaker.periphrasis import SPEECH_ADJ
from watcher.match.speaker.verbs import SUBJECT_PRONOUNS, Flags, clause_follows, skip_fillers, verb_ok


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
        # after a determiner it is an adjective: "a beaming X said", "an exhausted X told"
        return "ok" if ctx.at(k - 1) in ("a", "an") and t not in OBJ_VERBS else "verb"
    return "ok"


def subject_of_cue(ctx: Ctx, i0: int, i1: int, nominative: bool, a: int) -> str | None:
    """Mention tokens [i0, i1) as the subject of a following speech verb."""
    if not nominative:
        return None
    n = ctx.n
    k = _affiliation(ctx, name_tail(ctx, i1))
    guard = None
    lead = skip_titles_left(ctx, i0 - 1, commas=False, nouns=True) + 1
    if lead < i0 and not ctx.inq[lead]:
        a = min(a, ctx.starts[lead])  # a quotation right before the title: `"Why?" reporter X asked him`
    # one of several subjects: "Marks and X say", "Marks, Dunn and X say", "critics such as X say"
    plural = _last_conjunct(ctx, skip_titles_left(ctx, i0 - 1, commas=False) + 1) or _member_of_speakers(ctx, i0)
    if k < n and ctx.low[k] in ("—", "–") and not ctx.inq[k] and _dashed_member(ctx, i0):
        flags = Flags(plural=plural)
        return verb_ok(ctx, skip_fillers(ctx, k + 1, flags), flags, a)  # "leaders — and, in particular, X — insisted"
    if k < n and ctx.low[k] in OPENERS and not ctx.inq[k]:
        closer = OPENERS[ctx.low[k]]
        if ctx.low[k] == "," and ctx.at(k + 1) in WHO:
            flags = Flags(plural=plural)
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
            return verb_ok(ctx, k + 1, Flags(plural=plural), a)  # "Gov. X (R-Ohio), said"
        if opened_with_comma:
            # The name is itself the apposition: "the head of the authority, John Fenwick, said"
            before = skip_titles_left(ctx, i0 - 1, commas=False)
            if before >= 0 and ctx.low[before] == ",":
                flags = Flags(plural=plural)
                v = skip_fillers(ctx, k + 1, flags)
                if v < n and (is_verb(ctx.low[v]) or ctx.low[v] in LABEL_VERBS):
                    how = verb_ok(ctx, v, flags, a)
                    if how and mention_role(ctx, i0) == "ok":
                        return how
        m = k + 1
        if ctx.low[k] == "-" and ctx.at(m) == "-":
            closer, m = "—", m + 1  # "--" typed for a dash: "X -- a strategist -- said"
        if m < n and (ctx.inq[m] or ctx.low[m] in QUOTE_CHARS):
            return None  # X, "..." : not an apposition
        if _participle_opening(ctx, m) and mention_role(ctx, i0) == "ok":
            return "reported"  # "X, after initially saying he would not ..., took to the airwaves"
        while m < min(n, k + 45):
            t = ctx.low[m]
            if t == "," and closer == "," and ctx.inq[m] and _quote_closes_after(ctx, m):
                # the apposition's comma inside its closing quotation: "X, whom Y called "low energy," said"
                while ctx.at(m + 1) in QUOTE_CHARS:
                    m += 1
            elif ctx.inq[m] or t in QUOTE_CHARS:
                m += 1  # a quotation inside the apposition: "X, who calls Y a “crook,” said"
                continue
            if t in (";", "!", "?") or t == "according" or (t == "." and not abbreviation_dot(ctx, m)):
                return None
            if t == "-" and ctx.at(m + 1) == "-" and (opened_with_comma or closer == "—"):
                m += 1  # "--" typed for a dash: "A former candidate -- X, who lost in 2008 -- said"
                t = "—"
            if t == closer or (opened_with_comma and t in ("—", "–")):
                if closer == "," and _participle_opening(ctx, m + 1) and mention_role(ctx, i0) == "ok":
                    return "reported"  # "X, R-Wis., despite admitting ..."
                if closer == ")" and ctx.at(m + 1) == ",":
                    closer, opened_with_comma, m = ",", True, m + 1  # "X (R-Ohio), a senator, said"
                    continue
                flags = Flags(plural=plural)
                v = skip_fillers(ctx, m + 1, flags)
                if v < n and (is_verb(ctx.low[v]) or ctx.low[v] in ("quoted", "cited") or ctx.low[v] in LABEL_VERBS):
                    how = verb_ok(ctx, v, flags, a)
                    if how is None:
                        # "X, the fund's lawyer, has rejected the label, noting that ..."
                        found = _participle(ctx, v, flags) if not ctx.cap(v) else None
                        how = found[0] if found and found[1] == "ing" else None
                    if how is None:
                        return None
                    guard = mention_role(ctx, i0)
                    return how if guard == "ok" or _member_of_speakers(ctx, i0) else None
                how = verb_ok(ctx, v, flags, a) if v < n and ctx.low[v] in ACT_OR_VOICE else None
                if how is None and v < n and (flags.aux or ctx.low[v].endswith("ed")) and not ctx.cap(v):
                    # "X, 70, had served in Vietnam - ... - and said", "X, the chairman, voiced confidence that"
                    found = _participle(ctx, v, flags)
                    how = found[0] if found else None
                if how is not None:
                    return how if mention_role(ctx, i0) == "ok" else None
                if closer != ",":
                    return None
            elif t in FINITE_SPEECH and not ctx.cap(m) and not any(ctx.low[j] in _RELATIVES for j in range(k + 1, m)):
                return None  # "X, officials said, ..." (not "X, a lawyer who argued the case, said")
            m += 1
        return None
    flags = Flags(plural=plural)
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


_RELATIVES = {"who", "whose", "whom", "that", "which", "where", "when", "который", "которая", "которые"}
_MEMBER_WORDS = {",", "and", "in", "particular", "including", "especially", "notably", "particularly", "above", "all"}


def _affiliation(ctx: Ctx, k: int) -> int:
    """Skip "of <place or organisation>" after a name: "X of Ohio", "X of the conservative Heritage Foundation
    in Washington", "X of Yale University"; k unchanged when no capitalised name follows "of"."""
    if ctx.at(k) != "of" or ctx.inq[k]:
        return k
    j = k + 1
    if ctx.at(j) == "the":
        j += 1
    lower = 0
    while j < ctx.n and not ctx.cap(j) and ctx.low[j].isalpha() and lower < 2:
        j, lower = j + 1, lower + 1  # "the conservative Heritage Foundation"
    if not ctx.cap(j) or ctx.inq[j]:
        return k
    while j < ctx.n and not ctx.inq[j] and (
        ctx.cap(j) or (ctx.low[j] in ("of", "for", "and", "&", ".", "-") and ctx.cap(j + 1))
    ):
        j += 1
    if ctx.at(j) == "in" and ctx.cap(j + 1):  # "... in Washington"
        j += 1
        while ctx.cap(j):
            j += 1
    return j


def _last_conjunct(ctx: Ctx, lead: int) -> bool:
    """The subject starting at token `lead` is the last of a list of names: "Marks and X", "Marks, Dunn and X"."""
    if ctx.at(lead - 1) != "and" or ctx.inq[lead - 1]:
        return False
    j = lead - 2
    if ctx.at(j) == ")":  # "Sen. Jo Marks (R-Ohio) and X"
        while j > 0 and ctx.low[j] != "(" and lead - j < 8:
            j -= 1
        j -= 1
    return j >= 0 and ctx.cap(j) and not ctx.inq[j] and ctx.low[j] not in STOP_CAP


def _dashed_member(ctx: Ctx, i0: int) -> bool:
    """X between dashes after the group it belongs to or names: "leaders — and, in particular, X — insisted"."""
    j = skip_titles_left(ctx, i0 - 1, commas=False)
    for _ in range(7):
        if j < 0 or ctx.inq[j]:
            return False
        if ctx.low[j] in ("—", "–"):
            return True
        if ctx.low[j] not in _MEMBER_WORDS:
            return False
        j -= 1
    return False


def _quote_closes_after(ctx: Ctx, m: int) -> bool:
    """Is the token after m the closing mark of a quotation, with plain text after it?"""
    j = m + 1
    while j < ctx.n and ctx.low[j] in QUOTE_CHARS:
        j += 1
    return j > m + 1 and j < ctx.n and not ctx.inq[j]


def _participle_opening(ctx: Ctx, m: int) -> bool:
    """An apposition that opens with a cue: "after initially saying", "despite admitting", "while insisting"."""
    j = m + 1 if ctx.at(m) in ("after", "before", "while", "when", "by", "in", "despite") else m
    if j < ctx.n and is_ly(ctx, j):
        j += 1
    return j > m and ctx.at(j) in OPENING_PARTICIPLES and not ctx.inq[j]


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


ACT_OR_VOICE = ACT_VERBS | set(SPEECH_ADJ) | {"expressed", "expresses", "voiced", "voices", "put", "puts", "this", "among", "one", "the"}

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


_PAST = {"won", "lost", "made", "took", "gave", "ran", "came", "went", "got", "had", "wrote", "spoke", "left", "led",
         "sent", "kept", "began", "became", "held", "brought", "met", "paid", "put", "set", "saw", "knew", "found",
         "chose", "beat", "hit", "cut", "let", "quit", "spent", "built", "told", "said", "did", "does", "has", "is", "was"}


def _named_clause(ctx: Ctx, k: int) -> bool:
    """A name and its finite verb at token k: "Bill Clinton won", "Marks argued" (another subject)."""
    j = k
    while j < ctx.n and (ctx.cap(j) or (ctx.low[j] == "." and ctx.cap(j - 1))) and not ctx.inq[j]:
        j += 1
    t = ctx.at(j)
    return j > k and not ctx.cap(j) and (t in _PAST or (t.endswith("ed") and len(t) > 3) or (t in VERBS and VERBS[t][1] in ("s", "past")))


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
    if not (t.isalpha() or t.isdigit()) or t in PREPS or t in DETERMINERS or ctx.cap(v):
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
        elif tm in (";", "!", "?", ":") or (tm == "." and not abbreviation_dot(ctx, m)):
            return None
        elif (tm in (",", "by", "in") or (tm in _MESSAGES and not _someone_elses(ctx, m))) and ctx.at(m + 1) in PARTICIPLES:
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
            if ctx.at(m + 1) in SUBJECT_PRONOUNS or clause_follows(ctx, m + 1) or _named_clause(ctx, m + 1):
                return None
        elif tm == "to" and _infinitive_cue(ctx, v, m):
            return "reported", "to"  # the infinitive's subject is X even in "before X took the stage to ..."
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
        elif tm in _NEW_CLAUSE and (
            ctx.at(m + 1) in SUBJECT_PRONOUNS or clause_follows(ctx, m + 1) or _named_clause(ctx, m + 1)
        ):
            return None  # "X arrived, but Y left, saying", "X won, although Bill Clinton won the spin by declaring"
    return None


_READY = {"quick", "careful", "swift", "fast", "eager", "keen", "happy", "first", "last", "prompt"}
_DONE_VERBS = {"took", "used", "rushed", "go", "goes", "gone", "moved", "hastened", "went", "stepped", "seized", "came", "returned", "jumped",
               "appeared", "stood", "rose", "turned", "jumped", "wasted"}


def _infinitive_cue(ctx: Ctx, v: int, m: int) -> bool:
    """"X was quick to add that", "X took the stage to acknowledge his win" (a realised act, not a plan:
    "X is expected to announce", "X declined to say" do not count)."""
    info = VERBS.get(ctx.at(m + 1)) if ctx.at(m + 1) != "point" or ctx.at(m + 2) != "out" else ("point", "base")
    if ctx.at(m + 1) in ACT_BASE and not ctx.inq[m + 1] and ctx.at(m + 3) in SPEECH_NOUNS | {"call"}:
        info = ("act", "base")  # "seized on the massacre to renew his call", "to issue a statement"
    if info is None or info[1] != "base" or info[0] in QUOTE_ONLY_SET or ctx.inq[m + 1]:
        return False
    head = ctx.low[v]
    if m == v + 1:
        return (head in _READY and ctx.at(v - 1) in ("was", "were", "is")) or head in ("managed", "proceeded", "hastened")
    return head in _DONE_VERBS and m - v <= 6
