"""He/she continuing a speaker named earlier in the paragraph."""

from __future__ import annotations

import re

from watcher.match.speaker.cues import RU_VERBS, VERBS, is_verb, wordlist
from watcher.match.speaker.lexicon import (
    AUX_BE, AUX_OTHER, DETERMINERS, FILLERS, GENDER_HINT, LOCATIVE, MODIFIED_HEADS, NEG, ORG_WORDS, POSS_SUFFIX,
    PRONOUNS, QUOTE_CHARS, STOP_CAP, TITLES,
)
from watcher.match.speaker.places import NOT_PERSONS, PEOPLES
from watcher.match.speaker.tokens import Ctx
from watcher.match.speaker.attribution import subject_of_cue
from watcher.match.speaker.forms import inverted_cue


# State abbreviations and place words that follow a place after a comma ("Lee County, Fla.").
_PLACES = set(
    wordlist("""ala ariz ark calif colo conn del fla ga ill ind kan ky la md mass mich minn miss mo mont neb nev
    okla ore pa tenn tex va vt wash wis wyo county city state province district""")
)
# Subjects of a cue verb that no he/she can stand for
_THING_SPEAKERS = set(
    wordlist("""report statement poll survey study campaign agency newspaper paper ad advertisement video letter memo
    document documents filing complaint lawsuit release website site network group organization organisation company
    firm office it analysis review audit book article story editorial column transcript email message tweet post
    indictment ruling order law bill plan proposal platform""")
)
_LIST_JOINS = {",", "and", "or"}
# Capitalised words for groups, parties and faiths: no he/she among them
_GROUPS = set(
    wordlist("""democrats republicans democrat republican independents conservatives liberals progressives libertarians
    americans europeans catholics evangelicals christians muslims jews marines reporters officials critics aides
    supporters voters analysts experts lawmakers senators congressmen protesters residents others sources observers
    polls insiders strategists economists scientists advocates activists organizers witnesses investigators
    prosecutors lawyers attorneys doctors teachers students parents workers donors delegates members leaders allies
    opponents rivals officers agents diplomats historians scholars researchers pollsters consultants operatives
    friends neighbors relatives families americans people many some most both several""")
)
_PLURAL_PRONOUNS = {"they", "we", "i", "you", "они", "мы", "я", "вы"}
_PLURAL_VERBS = {"are", "were", "have", "do"}


def has_person(ctx: Ctx, lo: int, hi: int, skip: set[int]) -> bool:
    """Is a person's name (other than the skipped tokens) in tokens [lo, hi)?

    Reads runs of capitalised words: a run is not a person when it holds an organisation word
    ("Federal Reserve", "NBC News"), follows "the" or a locative ("in New Hampshire"), continues a
    place after a comma ("Lee County, Fla."), or modifies a noun ("New England director", "Trump
    supporters").
    """
    hi = min(hi, ctx.n)
    m = lo
    place_end = -2
    while m < hi:
        if m in skip or ctx.inq[m] or not ctx.cap(m):
            m += 1
            continue
        e = m
        while e < hi and e not in skip and not ctx.inq[e] and (ctx.cap(e) or (ctx.low[e] == "." and ctx.cap(e - 1) and len(ctx.orig[e - 1]) <= 3)):
            e += 1
        if _is_person_run(ctx, m, e, place_end):
            return True
        if ctx.at(m - 1) in LOCATIVE or (ctx.at(m - 1) in _LIST_JOINS and place_end == m - 1) or ctx.low[m] in _PLACES:
            place_end = e if ctx.at(e) != "." else e + 1
        m = e
    return False


def _is_person_run(ctx: Ctx, m: int, e: int, place_end: int) -> bool:
    words = [ctx.low[x] for x in range(m, e) if ctx.low[x] != "."]
    names = [
        w for x, w in zip(range(m, e), words)
        if w not in STOP_CAP and w not in TITLES and not _acronym(ctx.orig[x])
    ]
    if not names:
        return False
    if any(w in ORG_WORDS or (w.endswith(POSS_SUFFIX) and w[:-2] in ORG_WORDS) for w in words):
        return False
    prev, nxt = ctx.at(m - 1), ctx.at(e)
    if prev in LOCATIVE or (prev in _LIST_JOINS and place_end == m - 1) or (len(words) == 1 and words[0] in _PLACES):
        return False  # "in Iowa", "in Lee County, Fla.", "in Florida and Ohio"
    if all(w in _GROUPS or w in PEOPLES for w in names) or " ".join(w for w in words if w != "the") in NOT_PERSONS:
        return False  # "Democrats and Republicans", "Reporters asked X", "visited Iowa", "on Twitter"
    if len(names) == 1 and prev in TITLES and ctx.at(m - 2) in ("a", "an"):
        return False  # "a former Marine", "a registered Democrat"
    if nxt in ORG_WORDS or (not ctx.cap(e) and (nxt in TITLES or nxt in MODIFIED_HEADS)):
        return False  # "Trump supporters", "the New England director"
    if words[-1] in TITLES or (prev in ("a", "an") and nxt.isalpha() and not ctx.cap(e)):
        return False  # "Texas Sen. <name>", "a Canadian geophysicist"
    if m == 0 or prev in QUOTE_CHARS or prev == "(":
        # the first word of a sentence is capitalised anyway: a name when a cue verb follows it, or when
        # it is capitalised inside a sentence elsewhere too ("Radar does not help" is no person)
        if len(words) == 1 and not is_verb(nxt) and not nxt.endswith("ed"):
            if nxt == "," and _apposition_after(ctx, e) and words[0] not in _DISCOURSE and not words[0].endswith("ly"):
                return True  # "Fiorina, the former chief executive who dropped her bid, ..."
            if nxt in _PLURAL_VERBS or not (nxt in AUX_BE or nxt in AUX_OTHER):
                return False
            if not re.search(r"[a-z,;] " + re.escape(ctx.orig[m]) + r"\b", ctx.text):
                return False
    return True


_DISCOURSE = set(
    wordlist("""indeed instead still now overall nevertheless nonetheless moreover furthermore besides again likewise
    ultimately finally first second third last thus therefore hence otherwise anyway yes well sure today tonight
    tomorrow here there then sometimes often instead yet""")
)


def _apposition_after(ctx: Ctx, comma: int) -> bool:
    """An apposition of a person after the comma at token `comma`: "who ...", "the former ...", "a 71-year-old"."""
    t, t2 = ctx.at(comma + 1), ctx.at(comma + 2)
    return t in ("who", "whose") or (t in ("the", "a", "an") and (t2 in TITLES or t2[:1].isdigit()))


def _acronym(word: str) -> bool:
    """"NBC", "NBC's", "GOP’s": capitals only (before a possessive)."""
    if word[-2:] in ("'s", "’s"):
        word = word[:-2]
    return len(word) > 1 and word.isupper()


def has_speech_verb(ctx: Ctx, lo: int = 0, hi: int | None = None) -> bool:
    """Does someone who could be a he/she speak in tokens [lo, hi)?

    Passives ("X was asked"), plural speakers ("aides said", "say experts", "they told") and nouns
    ("the reports") do not count.
    """
    hi = ctx.n if hi is None else hi
    for m in range(lo, hi):
        if ctx.inq[m]:
            continue
        t = ctx.low[m]
        if t in RU_VERBS:
            return True
        info = VERBS.get(t)
        if info is None or info[1] == "base" or (m > 0 and ctx.cap(m)):
            continue  # "United States" is no verb
        k = m - 1
        while k >= 0 and (ctx.low[k] in FILLERS or ctx.low[k] in NEG or ctx.low[k] in AUX_OTHER):
            k -= 1
        before = ctx.at(k)
        if before in AUX_BE or before in DETERMINERS or before.endswith(POSS_SUFFIX):
            continue  # "X was asked", "the reports", "Trump's claims"
        if before in _PLURAL_PRONOUNS or _plural_noun(ctx, k) or before in _THING_SPEAKERS or before in ORG_WORDS:
            continue  # "they said", "aides said", "the report said", "the campaign said": no he/she
        if before in (",", ":") or before in QUOTE_CHARS:
            if _plural_noun(ctx, m + 1) or ctx.at(m + 1) in _PLURAL_PRONOUNS:
                continue  # "..., say experts"
        return True
    return False


_ROLE_NOUNS = set(
    wordlist("""president governor mayor senator minister secretary spokesman spokeswoman spokesperson official
    judge chairman chairwoman director chief leader commissioner ambassador prosecutor lawyer attorney
    officer sheriff candidate nominee host anchor moderator reporter aide adviser advisor manager executive
    congressman congresswoman representative deputy speaker woman man wife husband mother father daughter son""")
)


_FEMALE_ROLES = {"woman", "wife", "mother", "daughter", "congresswoman", "chairwoman", "spokeswoman"}
_MALE_ROLES = {"man", "husband", "father", "son", "congressman", "chairman", "spokesman"}


def roles_between(ctx: Ctx, lo: int, hi: int) -> set[str]:
    """The genders ("m", "f", "?" for unknown) of other people named by a role in tokens [lo, hi):
    "met the governor, and she said" (?), "spanks his daughter" (f).

    An apposition right after `lo` ("X, the party's director, ...") describes X and is skipped.
    """
    k = lo
    if ctx.at(k) == ",":
        k += 1
        while k < hi and ctx.low[k] != ",":
            k += 1
    found = set()
    for j in range(k, min(hi, ctx.n)):
        t = ctx.low[j]
        if t in _ROLE_NOUNS and not ctx.inq[j] and ctx.at(j - 1) in DETERMINERS:
            found.add("f" if t in _FEMALE_ROLES else "m" if t in _MALE_ROLES else "?")
    return found


def role_blocks(roles: set[str], gender: str) -> bool:
    """Could one of these roles be the he/she of `gender`?"""
    return "?" in roles or gender in roles


def _plural_noun(ctx: Ctx, k: int) -> bool:
    t = ctx.at(k)
    if ctx.cap(k):
        # capitalised only at the start of the sentence, and then a surname may end in -s too ("Sanders told")
        return k == 0 and (t in _GROUPS or t in PEOPLES)
    return len(t) > 3 and t.endswith("s") and not t.endswith(("ss", "'s", "us", "is")) and t.isalpha() and t not in VERBS


def pronoun_speech(ctx: Ctx, start: int = 0) -> tuple[str, int] | None:
    """A he/she (он/она) subject of a speech verb in this sentence, from token `start` on:
    (pronoun gender, token index)."""
    for i in range(start, ctx.n):
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


def both_genders(ctx: Ctx) -> bool:
    """Are a he and a she both in this sentence (outside quotations): two people in play?"""
    seen = {GENDER_HINT.get(t) for t, q in zip(ctx.low, ctx.inq) if not q}
    return "m" in seen and "f" in seen


def gender_after(ctx: Ctx, i1: int) -> str | None:
    for m in range(i1, ctx.n):
        if not ctx.inq[m]:
            g = GENDER_HINT.get(ctx.low[m])
            if g:
                return g
            if ctx.low[m] in RU_VERBS:
                return "f" if ctx.low[m].endswith("а") else "m"
    return None


def subject_with_others(ctx: Ctx, i0: int, i1: int, skip: set[int]) -> str | None:
    """X is the subject of its sentence and the others are named only after X or in a phrase fronted
    before it ("As for Carson's remark, Levine found it funny", "Ayotte would not rule out shifting her
    position on Trump"): the gender X's sentence gives X (his/her after the name), so that a later
    he/she of that gender continues X. None when unsure (no gender, X not first, someone speaks)."""
    k = i0 - 1
    while k >= 0 and (ctx.cap(k) or ctx.low[k] in TITLES or ctx.low[k] == "."):
        k -= 1
    if k >= 0 and not (ctx.low[k] == "," and not ctx.inq[k]):
        return None
    if has_person(ctx, k + 1, i0, skip) or has_speech_verb(ctx):
        return None
    t = ctx.at(i1)
    if not t.isalpha() or ctx.cap(i1) or t in DETERMINERS or t in ("who", "and", "or", "of", "in", "at", "on", "for"):
        return None
    return gender_after(ctx, i1)
