"""Periphrases of saying: `X made the case that`, `X was among those who said`, `As X put it`,
`X called the plan a failure`, `X addressed the convention`."""

from __future__ import annotations

from watcher.match.speaker.cues import QUOTE_ONLY_SET, VERBS
from watcher.match.speaker.lexicon import DETERMINERS, POSS_SUFFIX, PREPS, SPEECH_NOUNS, TITLES
from watcher.match.speaker.tokens import Ctx, is_ly


MAKE = {"made", "makes", "make", "making"}


def made_a_point(ctx: Ctx, v: int) -> bool:
    """"X made the case that", "X made clear that", "X made it clear", "X made the point"."""
    nxt = ctx.at(v + 1)
    if nxt == "clear" or (nxt == "it" and ctx.at(v + 2) == "clear"):
        return True
    return nxt in ("the", "a", "his", "her") and ctx.at(v + 2) in ("case", "point", "argument", "plea", "pitch", "appeal")


def among_speakers(ctx: Ctx, v: int) -> bool:
    """After "X was": "among those who said", "the first to say", "one of the first to warn"."""
    j = v
    if ctx.at(j) == "among" and ctx.at(j + 1) in ("those", "the", "several", "many"):
        for k in range(j + 2, min(ctx.n, j + 6)):
            if ctx.low[k] in ("who", "that"):
                info = VERBS.get(ctx.at(k + 1))
                return info is not None and info[1] in ("s", "past", "base") and not ctx.inq[k + 1]  # "those who say"
        return False
    if ctx.at(j) == "one" and ctx.at(j + 1) == "of":
        j += 2
    if ctx.at(j) == "the" and ctx.at(j + 1) in ("first", "last", "only") and ctx.at(j + 2) in ("to", "one", "ones"):
        k = j + 2 if ctx.at(j + 2) == "to" else j + 3
        info = VERBS.get(ctx.at(k + 1))
        return ctx.at(k) == "to" and info is not None and info[1] == "base" and info[0] not in QUOTE_ONLY_SET
    return False


def put_it(ctx: Ctx, v: int) -> bool:
    """"put it" of words, not of a thing: "As X put it in a statement", "X put it this way:", "X put it bluntly"."""
    after = ctx.at(v + 2)
    if after in ("", ",", ".", ":", ";", "—", "this", "that", "best", "so", "another", "more", "simply") or is_ly(ctx, v + 2):
        return True
    j = v - 1
    while j >= 0 and ctx.low[j] != "as" and (ctx.cap(j) or ctx.low[j] in TITLES or ctx.low[j] in (".", "has", "had", "once")):
        j -= 1
    return ctx.at(j) == "as"  # "As Ms. X put it in a statement to ..."


_AUDIENCES = {"convention", "crowd", "rally", "supporters", "audience", "nation", "reporters", "congress", "delegates",
              "conference", "assembly", "parliament", "senate", "house", "gathering", "meeting", "students", "graduates",
              "voters", "chamber", "press", "media", "summit", "forum", "committee", "council", "u.n", "troops"}
_TIME_NOUNS = {"hour", "day", "minute", "week", "month", "year", "time", "moment", "halt", "truce", "meeting",
               "vote", "press", "news", "special", "snap", "emergency", "recess", "strike", "session", "taxi", "cab"}


def audience(ctx: Ctx, k: int) -> bool:
    """A short object that is an audience: "the convention", "a rally in Ohio", "supporters"."""
    for j in range(k, min(ctx.n, k + 4)):
        t = ctx.low[j]
        if t in _AUDIENCES:
            return True
        if not (t.isalpha() and (t in DETERMINERS or not ctx.cap(j) or j > k)) or t in PREPS:
            return False
    return False


_NAMING = {"labeled", "labelled", "labels", "dubbed", "dubs", "branded", "brands"}
_PLATFORMS = {"twitter", "facebook", "instagram", "airwaves", "x", "truth", "youtube", "tiktok"}
_RENEW = {"renewed", "renews", "continued", "continues", "escalated", "escalates", "intensified", "intensifies",
          "sharpened", "sharpens", "launched", "launches", "unleashed", "unleashes", "leveled", "levelled", "levels",
          "kept", "keeps", "stepped", "steps", "ramped", "ramps", "repeated", "repeats"}
_ATTACKS = {"attacks", "attack", "criticism", "criticisms", "broadside", "broadsides", "barbs", "jabs", "salvo",
            "tirade", "diatribe", "insults", "taunts", "assault", "critique", "rhetoric", "denunciations", "charge", "charges"}
# Adjectives that label what was called: "called the plan illegal"
_LABEL_ADJ_ENDS = ("ous", "ive", "ible", "able", "ful", "less", "ic", "ical", "ish", "ant", "ent", "al", "ary", "ate", "ed")
_LABEL_ADJ = {"wrong", "bad", "good", "great", "crazy", "stupid", "dumb", "weak", "sick", "sad", "fake", "false", "unfair",
              "unfit", "unacceptable", "outrageous", "absurd", "silly", "nuts", "insane", "rigged", "corrupt", "crooked",
              "racist", "sexist", "dishonest", "untrue", "baseless", "ridiculous", "disgusting", "pathetic", "terrible",
              "horrible", "awful", "wonderful", "tremendous", "incredible", "amazing", "brilliant", "irresponsible",
              "reckless", "unconstitutional", "illegal", "unprecedented", "unfortunate", "premature", "overdue", "long"}


def called_adj(ctx: Ctx, k: int) -> bool:
    """call + a short object + an adjective ending the clause: "called Trump dangerous", "called the plan
    unconstitutional" (not "called the police yesterday", "called him back")."""
    j = k
    if ctx.at(j) in DETERMINERS or ctx.at(j).endswith(POSS_SUFFIX):
        j += 1
        while j < min(ctx.n, k + 4) and ctx.low[j].isalpha() and not ctx.inq[j] and ctx.at(j + 1).isalpha() and ctx.at(j + 1) not in _LABEL_ADJ and not ctx.at(j + 1).endswith(_LABEL_ADJ_ENDS):
            j += 1  # "the new health plan"
    elif ctx.cap(j):
        while ctx.cap(j + 1):
            j += 1
    elif ctx.at(j) not in ("him", "her", "them", "it", "this", "that"):
        return False
    adj = ctx.at(j + 1)
    if ctx.inq[min(j + 1, ctx.n - 1)] or ctx.cap(j + 1) or adj in PREPS or adj in VERBS or adj in ("back", "again", "home", "later", "today", "yesterday", "up", "off", "out", "in"):
        return False
    end = ctx.at(j + 2)
    if not (adj in _LABEL_ADJ or (len(adj) > 4 and adj.endswith(_LABEL_ADJ_ENDS) and adj.isalpha() and not adj.endswith("ed"))):
        return False
    return end in ("", ".", ",", ";", "and", "but", "because", "for", "in", "on", "at", "during", "after", "—", "–", "-", "!", "?")


def _attacks(ctx: Ctx, k: int) -> bool:
    """"(up) his attacks on", "the criticism of": the object of a verb of renewing is an attack in words."""
    if ctx.at(k) in ("up", "off"):
        k += 1
    if ctx.at(k) in DETERMINERS:
        k += 1
    return ctx.at(k) in _ATTACKS or (ctx.low[k].isalpha() if k < ctx.n else False) and ctx.at(k + 1) in _ATTACKS


def called_a(ctx: Ctx, k: int) -> bool:
    """call + a short object + a/an + noun: "called the plan a failure" (not "called a meeting",
    "called the police an hour later", "called it a day"); also across the apposition of a named object
    ("called Mr. Y, a former trucking director who ..., an outstanding leader")."""
    if ctx.cap(k):
        j = k
        while ctx.cap(j + 1) or (ctx.at(j + 1) == "." and ctx.cap(j + 2)):
            j += 1
        if ctx.at(j + 1) == ",":
            close = next((m for m in range(j + 2, min(ctx.n, j + 30)) if ctx.low[m] in (",", ";", ".", ":") or ctx.inq[m]), None)
            if close is not None and ctx.low[close] == "," and not ctx.inq[close] and ctx.at(close + 1) in ("a", "an"):
                nxt = ctx.at(close + 2)
                return nxt.isalpha() and nxt not in _TIME_NOUNS
    for j in range(k + 1, min(ctx.n, k + 5)):
        t = ctx.low[j]
        if ctx.inq[j] or t in PREPS or t in VERBS or not (t.isalpha() or t.endswith(POSS_SUFFIX)):
            return False
        if t in ("a", "an") and ctx.at(k) not in ("a", "an", "for", "on"):
            nxt = ctx.at(j + 1)
            return nxt.isalpha() and nxt not in _TIME_NOUNS and ctx.at(j + 2) not in ("later", "ago", "earlier")
    return False


# Verbs of belief and intention: a statement only when the content is quoted ("X believes the system is
# “rigged”"); "X thinks the plan will fail" is no speech.
BELIEF_FORMS = {
    form
    for base, s, past in (
        ("think", "thinks", "thought"), ("believe", "believes", "believed"), ("want", "wants", "wanted"),
        ("hope", "hopes", "hoped"), ("feel", "feels", "felt"), ("fear", "fears", "feared"),
        ("expect", "expects", "expected"), ("wish", "wishes", "wished"), ("consider", "considers", "considered"),
        ("view", "views", "viewed"), ("regard", "regards", "regarded"),
        ("worry", "worries", "worried"), ("plan", "plans", "planned"), ("intend", "intends", "intended"),
        ("envision", "envisions", "envisioned"),
    )
    for form in (s, past)
}


def belief_quoted(ctx: Ctx, v: int) -> bool:
    """A quotation in the content of a belief verb at v, before any other cue or clause break."""
    for j in range(v + 1, min(ctx.n, v + 25)):
        if ctx.inq[j]:
            # words of the quotation, not a title ("Hamilton", "Hey Jude"): a lowercase word among them
            return any(ctx.low[q].isalpha() and not ctx.cap(q) for q in range(j, min(ctx.n, j + 12)) if ctx.inq[q])
        t = ctx.low[j]
        if t in (";", ".", "!", "?", ":", "but", "while", "although") or (t in VERBS and VERBS[t][1] in ("s", "past")):
            return False
    return False


# "X was adamant that", "X has been critical of", "X has been vocal about"
_THAT = ("that", ":", "—")
SPEECH_ADJ = {
    "adamant": _THAT, "clear": _THAT, "emphatic": _THAT, "explicit": _THAT, "unequivocal": _THAT,
    "insistent": _THAT, "blunt": ("about", ":", "in"), "vocal": ("about", "in"), "outspoken": ("about", "in"),
    "candid": ("about",), "frank": ("about",), "forthright": ("about",), "upfront": ("about",),
    "critical": ("of",), "dismissive": ("of",), "scathing": ("about", "in"), "effusive": ("about", "in"),
}
_TAKE = {"took", "takes", "take", "taking"}
_SHOTS = {"swipe", "shot", "shots", "jab", "jabs", "dig", "digs", "potshot", "potshots"}


def speech_adjective(ctx: Ctx, v: int) -> bool:
    """After a form of be: "adamant that", "clear that", "critical of", "vocal about", "blunt:"."""
    return ctx.at(v + 1) in SPEECH_ADJ.get(ctx.at(v), ())


def speech_idiom(ctx: Ctx, v: int) -> bool:
    """"took aim at", "took a swipe at", "took issue with", "stood by his remarks", "doubled down on",
    "walked back his comments"."""
    t, n1, n2, n3 = ctx.at(v), ctx.at(v + 1), ctx.at(v + 2), ctx.at(v + 3)
    if t in _TAKE:
        return (n1 == "aim" and n2 == "at") or (n1 == "issue" and n2 == "with") or (
            n1 in _SHOTS and n2 == "at") or (n1 in ("a", "another") and n2 in _SHOTS and n3 == "at")
    if t in ("doubled", "doubles", "doubling") and n1 == "down":
        return True
    if t in ("stood", "stands", "standing", "walked", "walks", "walking") and n1 in ("by", "back"):
        k = v + 2 + (n2 in ("his", "her", "their", "the", "those", "these", "that"))
        return ctx.at(k) in SPEECH_NOUNS or ctx.at(k + 1) in SPEECH_NOUNS
    return False


def periphrasis(ctx: Ctx, v: int, be: bool, a: int) -> str | None:
    """A periphrasis of saying at token v (after the subject and any auxiliary; `be` when that was a
    form of be): "quote"/"reported", or None."""
    t, nxt = ctx.low[v], ctx.at(v + 1)
    if t in ("addressed", "addresses", "address", "addressing") and not be and audience(ctx, v + 1):
        return "reported"  # "X addressed the convention"
    if t in ("call", "calls", "called", "calling") and (not be or t == "calling") and (called_a(ctx, v + 1) or called_adj(ctx, v + 1)):
        return "reported"  # "X called the plan a failure", "X has called him a liar", "X called the plan illegal"
    if t in _NAMING and not be and (called_a(ctx, v) or called_adj(ctx, v + 1)):
        return "reported"  # "X labeled Trump a bigot", "X branded the deal illegal"
    if t in _TAKE and nxt == "to" and (ctx.at(v + 2) in _PLATFORMS or ctx.at(v + 3) == "airwaves"):
        return "reported"  # "X took to Twitter on Monday"
    if t in _RENEW and _attacks(ctx, v + 1):
        return "reported"  # "X renewed his attacks on Trump", "X stepped up his criticism"
    if t in MAKE and not be and made_a_point(ctx, v):
        return "quote" if ctx.quote_adjacent(a, ctx.ends[min(v + 3, ctx.n - 1)]) else "reported"
    if t == "this" and ctx.at(v - 1) in ("had", "has", "have") and ctx.at(v + 1) == "to" and ctx.at(v + 2) == "say":
        return "quote" if ctx.quote_adjacent(a, ctx.ends[v + 2]) else "reported"  # "X had this to say:"
    if be and t in ("among", "one", "the") and among_speakers(ctx, v):
        return "reported"  # "X was among those who said", "X was one of the first to say"
    if t in ("put", "puts") and nxt == "it" and not be and put_it(ctx, v):
        return "quote" if ctx.quote_adjacent(a, ctx.ends[v + 1]) else "reported"  # "as X put it", "X put it bluntly"
    if (be and speech_adjective(ctx, v)) or (not be and speech_idiom(ctx, v)):
        return "reported"  # "X was adamant that", "X took aim at", "X stood by his remarks"
    if t in BELIEF_FORMS and not be and belief_quoted(ctx, v):
        return "quote"  # "X believes the system is “rigged”"
    return None
