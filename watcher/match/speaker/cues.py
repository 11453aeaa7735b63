"""Cue verbs of speech: English lemmas with every inflection, and Russian forms."""

from __future__ import annotations


def wordlist(words: str) -> list[str]:
    """A word list written as one string."""
    return words.split()


_DOUBLED = {"refer", "confer", "regret", "rebut", "commit", "omit", "infer", "prefer", "compel", "control"}  # referred


def _regular(base: str) -> tuple[str, str, str]:
    """(3rd person, past, -ing) of a regular English verb."""
    if (len(base) <= 4 or base in _DOUBLED) and base[-1] not in "aeiouwxy" and base[-2] in "aeiou" and base[-3] not in "aeiou":
        d = base + base[-1]  # beg -> begged, snap -> snapping
        return base + "s", d + "ed", d + "ing"
    if base.endswith(("s", "sh", "ch", "x", "z")):
        third = base + "es"
    elif base.endswith("y") and base[-2] not in "aeiou":
        third = base[:-1] + "ies"
    else:
        third = base + "s"
    if base.endswith("e"):
        past = base + "d"
    elif base.endswith("y") and base[-2] not in "aeiou":
        past = base[:-1] + "ied"
    else:
        past = base + "ed"
    ing = base[:-1] + "ing" if base.endswith("e") and not base.endswith("ee") else base + "ing"
    return third, past, ing


# lemma -> (base, 3rd, past, past participle, -ing); regular ones are generated.
_IRREGULAR = {
    "say": ("say", "says", "said", "said", "saying"),
    "tell": ("tell", "tells", "told", "told", "telling"),
    "write": ("write", "writes", "wrote", "written", "writing"),
    "speak": ("speak", "speaks", "spoke", "spoken", "speaking"),
    "admit": ("admit", "admits", "admitted", "admitted", "admitting"),
    "quip": ("quip", "quips", "quipped", "quipped", "quipping"),
    "blog": ("blog", "blogs", "blogged", "blogged", "blogging"),
    "retort": ("retort", "retorts", "retorted", "retorted", "retorting"),
    "swear": ("swear", "swears", "swore", "sworn", "swearing"),
    "forecast": ("forecast", "forecasts", "forecast", "forecast", "forecasting"),
}
# Verbs whose use after a subject is speech.
_STRONG = wordlist(
    "say tell state note warn announce insist argue explain confirm estimate assert reveal stress "
    "emphasise emphasize acknowledge predict promise reply comment tweet write speak urge vow pledge "
    "suggest recall concede disclose mention remark complain allege testify quip joke reiterate clarify "
    "accuse describe boast lament contend caution assure threaten blog retort observe proclaim liken denounce "
    "condemn criticize criticise decry lambast lambaste rebuke chide scold ridicule blast slam praise opine "
    "speculate propose cite echo question defend affirm reaffirm recount relay hint imply inform confess "
    "protest dispute recommend advise underscore highlight assail berate castigate excoriate fault laud "
    "commend vent rant grumble scoff brag swear theorize surmise apologize thank lecture preach "
    "reassure tout congratulate blame challenge encourage refute rebut exclaim bemoan applaud "
    "hail mock taunt snipe grouse gripe fume gush implore beseech exhort forecast query inquire deplore reprimand "
    "admonish skewer bash downplay concur contradict divulge elaborate outline reminisce tease posit postulate "
    "hypothesize hypothesise aver avow profess"
)
# Verbs with a common non-speech sense: they need a clause-like continuation.
_WEAK = wordlist("claim add deny declare report admit maintain respond post ask answer counter remind agree talk indicate order "
    "charge signal disagree object reject demand wonder text notify plead intimate vouch appeal guess reason dismiss repeat guarantee crow trumpet")
# Only speech next to a quotation: `"…," he continued`.
_QUOTE_ONLY = wordlist(
    "continue shout yell whisper scream beg conclude interject muse sigh snap laugh start react offer murmur mutter "
    "mumble stammer interrupt whine moan"
)
# Usable in the inverted order `"…," said X`.
INVERTABLE = set(
    wordlist(
        "say add write explain note insist warn argue reply ask continue recall state declare comment respond "
        "answer claim admit concede conclude retort counter quip joke shout stress emphasise emphasize confirm "
        "observe tweet agree proclaim react exclaim wonder offer"
    )
)

VERBS: dict[str, tuple[str, str]] = {}  # form -> (lemma, kind) kind in base|s|past|pp|ing
for _lemma in _STRONG + _WEAK + _QUOTE_ONLY:
    if _lemma in _IRREGULAR:
        _b, _s, _p, _pp, _ing = _IRREGULAR[_lemma]
    else:
        _b = _lemma
        _s, _p, _ing = _regular(_lemma)
        _pp = _p
    for _form, _kind in ((_b, "base"), (_s, "s"), (_p, "past"), (_pp, "pp"), (_ing, "ing")):
        VERBS.setdefault(_form, (_lemma, _kind))
VERBS.setdefault("pressed", ("press", "past"))  # `"…?" X pressed` (not "press", as in "press secretary")
WEAK_SET = set(_WEAK)
QUOTE_ONLY_SET = set(_QUOTE_ONLY) | {"press"}

# Russian speech verbs (folded: ё -> е): all past forms and common present forms.
RU_VERBS: set[str] = set()
for _stem in wordlist(
    "заявил сказал сообщил отметил подчеркнул рассказал добавил пояснил уточнил признал написал ответил "
    "заверил предупредил указал заявлял говорил сообщал отмечал объяснил напомнил призвал пообещал обещал "
    "подтвердил опроверг заметил признался пожаловался возразил объявил высказался прокомментировал "
    "констатировал посетовал рассказывал пояснял"
):
    RU_VERBS.update({_stem, _stem + "а", _stem + "и"})
RU_VERBS.update(
    wordlist(
        "заявляет говорит сообщает отмечает подчеркивает рассказывает добавляет поясняет уточняет пишет "
        "отвечает"
    )
)

# Finite forms that, inside an apposition, mean somebody else is speaking ("X, officials said, ...").
FINITE_SPEECH = {
    form
    for form, (lemma, kind) in VERBS.items()
    if kind in ("s", "past")
    and lemma in ("say", "tell", "add", "write", "state", "note", "claim", "report", "argue", "insist", "warn")
} | RU_VERBS


# `X <does something>, saying ...`: the -ing forms that attach a statement to the clause's subject.
PARTICIPLES = {
    form
    for form, (lemma, kind) in VERBS.items()
    if kind == "ing" and lemma not in QUOTE_ONLY_SET and lemma not in ("post", "maintain", "report", "speak", "cite")
} | {"calling"}

# Opening a sentence or an apposition, these also make the clause's subject a speaker:
# "Speaking at a rally in Ohio, X called the plan a failure", "X, addressing the convention, ..."
OPENING_PARTICIPLES = PARTICIPLES | {"speaking", "addressing", "testifying", "writing", "responding", "answering"}

# Verb + particle that make a speech act: `X fired back that ...`, `X lashed out at ...`.
PHRASAL = {
    "back": {"fire", "fires", "fired", "firing", "shoot", "shoots", "shot", "shooting", "hit", "hits", "hitting",
             "push", "pushes", "pushed", "pushing", "hits", "strike", "struck", "striking"},
    "out": {"lash", "lashes", "lashed", "lashing", "speak", "speaks", "spoke", "speaking", "call", "calls",
            "called", "calling", "point", "points", "pointed", "pointing", "lay", "lays", "laid", "laying"},
    "against": {"rail", "rails", "railed", "railing", "inveigh", "inveighs", "inveighed", "argue", "argues",
                "argued", "arguing", "warn", "warns", "warned", "warning"},
    "at": {"rail", "rails", "railed", "railing", "lash", "lashes", "lashed", "lashing", "snap", "snaps", "snapped",
           "snapping", "swipe", "swipes", "swiped", "swiping", "jab", "jabs", "jabbed", "jabbing"},
    "to": {"point", "points", "pointed", "pointing"},
    "in": {"weigh", "weighs", "weighed", "weighing", "chime", "chimes", "chimed", "chiming"},
    "into": {"lit", "light", "lights", "lighting", "tore", "tear", "tears", "tearing"},
    "off": {"sound", "sounds", "sounded", "sounding"},
    "up": {"speak", "speaks", "spoke", "speaking", "open", "opens", "opened", "opening"},
}


# Verbs that speak when a quotation follows their object: `X called the plan “a disaster”`.
LABEL_VERBS = {
    form
    for base in wordlist("""call dub label brand compare liken refer characterize characterise deride mock hail
    slam blast praise ridicule denounce criticize criticise attack decry dismiss credit tout""")
    for form in (base, *_regular(base))
}


def is_verb(t: str) -> bool:
    return t in VERBS or t in RU_VERBS
