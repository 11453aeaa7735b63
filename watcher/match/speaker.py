"""The `speaker` condition: does a named person SPEAK in an article (not merely appear)?

Rule-based, no models, no new dependencies. Pure code: text and a `SpeakerSpec` in, a list of
`SpeechEvidence` out (at most one per sentence; an empty list means the person does not speak).

How it works
------------
1. Name matching. The name, its aliases and, by default, the last word of the name (as a
   surname alias) are folded with `text.fold` (case and diacritics, same length so offsets
   stay valid) and compiled once per `SpeakerSpec` (`functools.lru_cache`) into one regular
   expression of whole-word phrases: "Bastrykin" does not match inside "Bastrykins", a
   multi-word name matches only as a phrase, and "Bastrâkin" in the text matches the alias
   "Bastrakin". English possessives ('s, s') are recognised. Cyrillic words also take
   Russian case endings (Бастрыкин / Бастрыкина / Бастрыкину / Бастрыкиным / Бастрыкине),
   and we remember whether the form was the nominative. A single-word match right after a
   different capitalised first name ("Anna Marsh" when looking for "Helena Marsh") or
   right before another capitalised word ("the Marsh Foundation") is dropped.
   Fast path: when the folded text does not contain the folded name at all (a plain
   substring test), we return at once, before splitting sentences. Folding, sentence
   splitting and quotation spans are cached for the last few texts, since the daemon
   runs many speaker rules on one article.

2. Quotations (“…”, "…", «…», „…“, ‘…’) are located once per text. A mention INSIDE
   someone's quotation never makes that person a speaker.

3. Patterns around each mention, within its sentence. The sentence is tokenised in its
   folded form, and capitalisation is read from the original text:

   * reported / quote: the name is the subject of a speech verb a few words later (say,
     tell, state, claim, note, add, warn, announce, insist, argue, explain, confirm,
     deny, ... in any tense: "says", "has said", "had told", "will say", "is quoted as
     saying"). Between the name and the verb there may be only fillers (auxiliaries,
     adverbs, "on Monday", "in a statement", "and Jane Doe") or an apposition closed by
     commas, brackets or dashes ("X, 71, who heads the committee, said"; "the head of
     the committee, X, said"). Also handled: a relative clause ("X, who told reporters
     ..."), a participle ("X hit back on Monday, saying ..."), "X issued a
     statement / gave an interview / repeated his warning", and "It was X who warned".
     The name must be in subject position. It must not follow a preposition or a
     transitive verb ("sources close to X said", "a spokesman for X said", "police
     arrested X"), must not be a possessive ("X's lawyer said"), passive ("X was told",
     "X said to be ill") or negated ("X did not comment", "X said nothing"). Verbs that
     also have non-speech senses (deny, claim, add, post, report, admit, declare,
     maintain, respond, ask ...) need a clause-like continuation ("X denied that ...",
     "X added:", `"…," X added.`). So "X denied entry", "X posted bail" and "Smith added
     a second goal" do not count.
   * inverted: `"…," said X` or `…, says Professor X` covers a speech verb right after a
     quotation, comma, colon or dash, then optional titles, then the name. In Russian,
     verb-subject order is normal ("Об этом заявил глава СК Александр Бастрыкин";
     «…», — сказал Бастрыкин). The name must be in the nominative, so "сказал
     Бастрыкину" (told Bastrykin) does not count.
   * according-to: "according to (regional water chief) X", "quoting/citing X",
     "Interfax quoted X as saying", and Russian "по словам X" or "по данным X".
   * possessive: "X's remarks / statement / words / comments / interview / testimony
     ...", "remarks by X", "in the words of X", and Russian "слова / заявление X".
   * headline: `X: "…"` or `X: I will not resign`.
   * continuation: within the next one or two sentences, "he said", "she added",
     `"…," he told the meeting`, "— добавил он" or "по его словам". This counts when X
     spoke in the anchor sentence, or when X was the only person named there and nobody
     else spoke in it. It stops at another person's name, at another speaker, at a
     pronoun other than the one already seen for X, or at the next mention of X (which
     is judged on its own). For continuation evidence, `alias` and `alias_start` point
     to the mention in the anchor sentence.

   `how` is "quote" when the attribution clause touches a quotation (`"…," X said`,
   `X said: "…"`) and "reported" otherwise.

Known limits: these are heuristics, not parsing. The following are missed or may be
misread: lists of speakers ("Putin, X and Y said"), long or nested appositions,
coreference by role ("the investigator said"), paraphrase verbs we do not list, speech
inside another person's quotation, and hedged attributions ("X is understood to have
told"). The Russian coverage is a small set of verbs and nouns.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from watcher.match.text import fold, split_sentences

__all__ = ["SpeakerSpec", "SpeechEvidence", "find_speech"]


@dataclass(frozen=True)
class SpeakerSpec:
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class SpeechEvidence:
    sentence: str  # the sentence with the statement
    sentence_start: int  # its offset in the text
    alias: str  # the name or alias as written in the text
    alias_start: int  # offset of that mention in the text
    how: str  # "quote" | "reported" | "according-to" | "possessive" | "continuation"


# --------------------------------------------------------------------------- lexicon


def _w(words: str) -> list[str]:
    """A word list written as one string."""
    return words.split()


def _regular(base: str) -> tuple[str, str, str]:
    """(3rd person, past, -ing) of a regular English verb."""
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
}
# Verbs whose use after a subject is speech.
_STRONG = _w(
    "say tell state note warn announce insist argue explain confirm estimate assert reveal stress "
    "emphasise emphasize acknowledge predict promise reply comment tweet write speak urge vow pledge "
    "suggest recall concede disclose mention remark complain allege testify quip joke reiterate clarify "
    "accuse describe boast lament contend caution assure threaten blog retort observe"
)
# Verbs with a common non-speech sense: they need a clause-like continuation.
_WEAK = _w("claim add deny declare report admit maintain respond post ask answer counter")
# Only speech next to a quotation: `"…," he continued`.
_QUOTE_ONLY = _w("continue shout yell whisper scream plead beg agree conclude interject muse sigh snap laugh")
# Usable in the inverted order `"…," said X`.
_INVERTABLE = set(
    _w(
        "say add write explain note insist warn argue reply ask continue recall state declare comment respond "
        "answer claim admit concede conclude retort counter quip joke shout stress emphasise emphasize confirm "
        "observe tweet"
    )
)

_VERBS: dict[str, tuple[str, str]] = {}  # form -> (lemma, kind) kind in base|s|past|pp|ing
for _lemma in _STRONG + _WEAK + _QUOTE_ONLY:
    if _lemma in _IRREGULAR:
        _b, _s, _p, _pp, _ing = _IRREGULAR[_lemma]
    else:
        _b = _lemma
        _s, _p, _ing = _regular(_lemma)
        _pp = _p
    for _form, _kind in ((_b, "base"), (_s, "s"), (_p, "past"), (_pp, "pp"), (_ing, "ing")):
        _VERBS.setdefault(_form, (_lemma, _kind))
_WEAK_SET = set(_WEAK)
_QUOTE_ONLY_SET = set(_QUOTE_ONLY)

# Russian speech verbs (folded: ё -> е): all past forms and common present forms.
_RU_VERBS: set[str] = set()
for _stem in _w(
    "заявил сказал сообщил отметил подчеркнул рассказал добавил пояснил уточнил признал написал ответил "
    "заверил предупредил указал заявлял говорил сообщал отмечал объяснил напомнил призвал пообещал обещал "
    "подтвердил опроверг заметил признался пожаловался возразил объявил высказался прокомментировал "
    "констатировал посетовал рассказывал пояснял"
):
    _RU_VERBS.update({_stem, _stem + "а", _stem + "и"})
_RU_VERBS.update(
    _w(
        "заявляет говорит сообщает отмечает подчеркивает рассказывает добавляет поясняет уточняет пишет "
        "отвечает"
    )
)

# Finite forms that, inside an apposition, mean somebody else is speaking ("X, officials said, ...").
_FINITE_SPEECH = {
    form
    for form, (lemma, kind) in _VERBS.items()
    if kind in ("s", "past")
    and lemma in ("say", "tell", "add", "write", "state", "note", "claim", "report", "argue", "insist", "warn")
} | _RU_VERBS

_AUX_BE = {"is", "was", "are", "were", "be", "been", "being", "'s", "’s"}
_AUX_OTHER = {
    "has", "have", "had", "will", "would", "shall", "should", "can", "could", "may", "might", "must", "did",
    "does", "do", "'d", "'ll", "’d", "’ll", "going", "to", "used",
}
_NEG = {"not", "never", "no", "neither", "nor", "не", "ни"}
_FILLERS = {
    "also", "later", "earlier", "then", "again", "further", "previously", "reportedly", "recently",
    "repeatedly", "once", "now", "still", "too", "himself", "herself", "themselves", "however", "meanwhile",
    "yesterday", "today", "tonight", "subsequently", "separately", "similarly", "publicly", "privately",
    "initially", "originally", "first", "already", "even", "just", "simply", "only", "jr", "sr", "ii", "iii",
    "afterwards", "afterward", "late", "openly", "long", "often", "always", "since", "personally", "bluntly", "flatly", "allegedly",
    "также", "ранее", "позже", "позднее", "вновь", "снова", "уже", "тоже", "сам", "сама", "лично", "прямо",
    "журналистам", "вчера", "сегодня", "публично",
}
_LY_NOUNS = {
    "family", "ally", "rally", "supply", "reply", "assembly", "july", "italy", "belly", "jelly", "bully", "holly",
    "lily", "fly", "daily", "weekly", "monthly", "quarterly", "anomaly", "monopoly", "homily", "folly", "tally",
    "billy", "molly", "kelly", "emily", "polly", "sally", "dolly", "jolly", "hilly", "silly", "ugly", "lonely",
    "elderly", "friendly", "holy", "only",
}
_DAYS = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "weekend", "week", "month",
    "year", "night", "morning", "afternoon", "evening", "day", "понедельник", "вторник", "среду", "четверг",
    "пятницу", "субботу", "воскресенье",
}
_MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
}
_CONTEXT_NOUNS = {
    "statement", "interview", "address", "post", "message", "speech", "letter", "video", "tweet", "briefing",
    "op-ed", "column", "blog", "book", "memo", "email", "note", "report", "remarks", "comments", "testimony",
    "podcast", "broadcast", "conference", "hearing", "court", "parliament", "congress", "filing", "appearance",
    "press", "news", "session", "meeting", "debate", "documentary", "affidavit", "deposition", "lecture",
    "sermon", "editorial", "essay", "article", "newsletter", "response", "reply", "telegram", "facebook",
    "twitter", "instagram", "x",
}
_MEDIA = {
    "twitter", "x", "telegram", "facebook", "instagram", "tiktok", "youtube", "linkedin", "truth", "social",
    "television", "tv", "radio", "state", "national", "bluesky", "threads", "vk", "weibo", "camera", "air",
}
_TITLES = set(
    _w("""mr mrs ms miss dr prof professor sir dame lord lady president vice prime minister deputy chief head
    chairman chairwoman chair director general gen colonel col major captain capt lieutenant lt sergeant sgt
    commander admiral marshal senator sen rep governor gov mayor judge justice attorney prosecutor investigator
    inspector detective officer ambassador envoy secretary spokesman spokeswoman spokesperson commissioner
    councillor councilor mp mep congressman congresswoman chancellor premier king queen prince princess pope
    bishop archbishop cardinal father rev reverend rabbi imam sheikh coach manager ceo cfo founder chairperson
    leader lawmaker legislator economist analyst author writer journalist reporter correspondent editor
    lecturer researcher scientist expert activist lawyer politician ex former acting interim incoming
    outgoing late top senior junior veteran retired embattled jailed detained exiled imprisoned disgraced
    ousted outspoken indicted sanctioned beleaguered appointed elected re-elected newly self-styled so-called
    striker midfielder defender goalkeeper player singer actor actress star billionaire businessman
    businesswoman tycoon oligarch dissident blogger presenter host anchor commentator candidate nominee boss
    leading ruling governing sitting reigning founding visiting presiding serving longtime long-time fellow
    foreign defence defense interior finance health justice economy labour labor state federal regional
    national opposition party committee investigative security intelligence council board executive
    глава председатель руководитель министр президент премьер премьер-министр генерал директор начальник
    следователь прокурор спикер мэр губернатор депутат сенатор посол замглавы замминистра генпрокурор
    эксперт адвокат экс-президент бывший вице-премьер главный официальный""")
)
# Titles that can take "of": "the head of the Investigative Committee, X, said".
_TITLE_OF = set(
    _w("""head chief chairman chairwoman chair director president minister secretary governor mayor leader ceo
    founder commander general rector dean governor-general""")
)
_DETERMINERS = {"the", "a", "an", "his", "her", "their", "its", "our", "my", "your"}
_PREPS = set(
    _w("""about of to for by with against from on at into onto over toward towards like unlike than behind near
    under without among amongst between via per including regarding concerning versus vs beside besides
    alongside upon within across around through past despite except plus close o об обо про с со к ко для от
    у без против над под перед при через""")
)
_OBJ_VERBS = set(
    _w("""met meet meets saw see sees told tell tells beat beats hit hits led leads left taught caught fought
    sought brought bought thought knew knows know sent sends won lost chose sue sues support supports praise
    praises criticise criticises criticize criticizes blame blames thank thanks accuse accuses urge urges join
    joins visit visits invite invites quote quotes cite cites heard hears interview interviews defend defends
    defeat defeats follow follows replace replaces appoint appoints shot rang phoned hugged kissed ask asks
    call calls named name names elect elects fire fires sack sacks hire hires""")
)
_SPEECH_NOUNS = set(
    _w("""remarks remark statement statements words comments comment claim claims announcement announcements
    interview interviews testimony report assertion assertions allegation allegations warning warnings speech
    speeches admission denial denials tweet tweets message letter op-ed answer answers reply replies response
    explanation promise promises pledge pledges vow vows prediction predictions estimate insistence argument
    arguments criticism rhetoric declaration confirmation assurance assurances quote quotes quotation
    briefing deposition essay article blog column testimonies account appeal email e-mail memo
    слова словам заявление заявления заявлению высказывание высказывания комментарий интервью""")
) - {"account", "appeal"}
_RU_SPEECH_NOUNS = {"слова", "заявление", "заявления", "заявлению", "высказывание", "высказывания", "комментарий", "интервью", "словах"}
_POSS_BLOCK = set(
    _w("""press office lawyer lawyers spokesman spokeswoman spokesperson aide aides team campaign family wife husband
    son daughter sons daughters party government administration ministry department staff representative
    representatives attorney attorneys counsel allies supporters critics opponents rivals secretary deputy
    mother father brother sister friend friends adviser advisers advisor spokesmen office's""")
)
_WORKS = {"book", "books", "novel", "novels", "song", "songs", "music", "script", "screenplay", "code", "software", "biography", "memoir", "thesis", "opera", "symphony", "lyrics", "album"}
_ACT_BASE = {"issue", "make", "give", "deliver", "publish", "release", "repeat", "renew"}
_ACT_VERBS = _ACT_BASE | set(
    _w("""issues issued makes made gives gave given delivers delivered publishes published releases released
    repeats repeated renews renewed""")
)
_SPEAKING_ROLES = {"sources", "source", "people", "officials", "official", "aides", "friends", "insiders", "person"}
_CLAUSE_NEXT = {
    "that", ",", ":", ";", "—", "–", "-", ".", "!", "?", "in", "on", "at", "during", "after", "before", "via",
    "through", "when", "while", "yesterday", "today", "tonight", "earlier", "later", "last", "this", "also",
    "again", "repeatedly", "publicly", "once", "then", "to", "что", "в", "на", "\"", "“", "”", "«", "»", "'",
    "‘", "’", "(", "…",
}
_DENY_OBJ = {
    "allegations", "allegation", "accusations", "accusation", "claims", "claim", "reports", "report", "charges",
    "charge", "rumours", "rumors", "wrongdoing", "involvement", "responsibility", "story", "stories",
    "suggestion", "suggestions", "speculation", "it", "this", "having", "being", "knowing", "ever", "any", "all",
    "the", "these", "those", "such", "media", "that",
}
_CLAIM_BAD = set(
    _w("""victory ownership asylum benefits compensation damages a an his her their its title seat crown prize
    trophy medal gold silver bronze lives life win throne championship cup lead pole record inheritance estate
    land territory top first second third""")
)
_ADMIT_OBJ = {
    "it", "wrongdoing", "guilt", "responsibility", "mistakes", "making", "having", "lying", "the", "his", "her",
    "their", "fault", "error", "errors", "defeat", "failure",
}
_RESPOND_OBJ = {
    "questions", "question", "a", "the", "criticism", "allegations", "accusations", "claims", "reports",
    "reporters", "journalists", "critics", "comments", "remarks", "by",
}
_POST_OBJ = {"online", "a", "an"}
_ASK_OBJ = {"whether", "why", "how", "what", "when", "where", "who", "if", ":", ",", "rhetorically"}
_SAID_TO_OBJ = {
    "the", "a", "an", "reporters", "journalists", "him", "her", "them", "me", "us", "you", "his", "their", "its",
    "my", "our", "police", "investigators", "officials", "lawmakers", "parliament", "congress", "supporters",
    "students", "colleagues", "voters", "crowds", "media", "press", "viewers", "listeners", "delegates",
}
_STOP_CAP = set(
    _w("""i he she it we they you the a an this that these those but and or however meanwhile also in on at for of
    to by with from as after before when while if yet so then there here his her their our its my your who what
    where why how not no yes according asked speaking earlier later last next today yesterday tonight
    although though because since once still even only both neither either every each all some many most
    several few one two three four five six seven eight nine ten unlike like despite during under over
    mr mrs ms dr jr sr ii iii iv god он она они мы я вы это этот эта об по как в на и но а""")
) | _DAYS | _MONTHS
_ORG_WORDS = set(
    _w("""committee ministry council court party union department agency service office bank university times
    news post parliament duma kremlin government reuters interfax tass ria ap afp bbc cnn police army navy
    house senate congress commission foundation institute group company corporation inc ltd club fc united
    league federation association church school college hospital airport station street square city state
    republic kingdom federal national international european world global""")
)
_LOCATIVE = {"in", "at", "from", "into", "near", "across", "the", "throughout", "outside", "inside", "around",
             "в", "во", "из", "на", "под", "у"}

_QUOTE_CHARS = set("\"“”«»„‘’'‹›")
_OPENERS = {",": ",", "(": ")", "—": "—", "–": "–", "-": "-"}
_PRONOUNS = {"he": "m", "she": "f", "он": "m", "она": "f"}
_GENDER_HINT = {"he": "m", "his": "m", "him": "m", "himself": "m", "she": "f", "her": "f", "hers": "f", "herself": "f"}

_CYR = re.compile(r"[\u0400-\u04ff]")


def _folded(words):
    """The lexicon as the folded text will show it (ё -> е, й -> и)."""
    return {fold(w) for w in words}


_TITLES = _folded(_TITLES)
_RU_VERBS = _folded(_RU_VERBS)
_RU_SPEECH_NOUNS = _folded(_RU_SPEECH_NOUNS)
_SPEECH_NOUNS = _folded(_SPEECH_NOUNS)
_FILLERS = _folded(_FILLERS)
_STOP_CAP = _folded(_STOP_CAP)
_PREPS = _folded(_PREPS)
_DAYS = _folded(_DAYS)
_FINITE_SPEECH = _folded(_FINITE_SPEECH)
_WHO = _folded({"who", "который", "которая", "которые"})
_RU_IN = _folded({"интервью", "эфире", "телеграм-канале", "своем", "своём", "ходе", "беседе", "эфир"})
_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")
_POSS_SUFFIX = ("'s", "’s")

# --------------------------------------------------------------------------- name matching

# Russian case endings by how the nominative ends (applied to Cyrillic words of a name).
_RU_CONSONANT = "(?:а|у|ом|ым|ем|е|ой|ы|и|ою|ей|ов|ев|ых|ым|ыми|ам|ами|ах|ю|я)?"
_RU_A = "(?:а|ы|и|е|у|ю|ой|ей|ою|ею|я)"
_RU_ADJ = "(?:ий|ый|ой|ого|его|ому|ему|им|ым|ом|ем|ая|ую|ей|ие|их|ых|ии|ия|ию|ием|ая|яя|юю)"
_RU_SOFT = "(?:й|ь|я|ю|ем|е|и|ей|ью|ем)"


def _word_pattern(word: str) -> str:
    """Pattern for one folded word of a name; Cyrillic words also take Russian case endings.

    Folding turns "й" into "и", so "-ий/-ый/-ой" arrive as "-ии/-ыи/-ои" and the endings are folded too.
    """
    if not _CYR.search(word) or len(word) < 3:
        return re.escape(word)
    if word.endswith(("ии", "ыи", "ои")) and len(word) > 4:
        return re.escape(word[:-2]) + fold(_RU_ADJ)
    if word[-1] in "ая":
        return re.escape(word[:-1]) + fold(_RU_A)
    if word[-1] in "иь":
        return re.escape(word[:-1]) + fold(_RU_SOFT)
    if word[-1] in "оеуюэы":
        return re.escape(word)  # indeclinable (Шойгу)
    return re.escape(word) + fold(_RU_CONSONANT)


def _fold_words(s: str) -> list[str]:
    return fold(s).replace("’", "'").split()


@dataclass(frozen=True)
class _Matcher:
    regex: re.Pattern[str]
    needles: tuple[str, ...]
    forms: frozenset[str]  # folded aliases as given (nominative forms)
    name_words: frozenset[str]  # folded words of all names (first names, patronymics, ...)
    multiword: bool
    cyrillic_full: bool  # a multi-word Cyrillic alias exists (so Cyrillic first names can be checked)


@functools.lru_cache(maxsize=4096)
def _matcher(speaker: SpeakerSpec) -> _Matcher:
    names = [speaker.name, *speaker.aliases]
    name_words = _fold_words(speaker.name)
    while len(name_words) > 1 and name_words[-1].rstrip(".,") in ("jr", "sr", "ii", "iii", "iv"):
        name_words = name_words[:-1]
    if len(name_words) > 1:
        names.append(name_words[-1].rstrip(".,"))  # surname alias by default
    alias_words: list[list[str]] = []
    for n in names:
        ws = [w.strip(".,;:") for w in _fold_words(n)]
        ws = [w for w in ws if w]
        if ws and ws not in alias_words:
            alias_words.append(ws)
    alias_words.sort(key=lambda ws: -len(" ".join(ws)))
    alts = [r"\s+".join(_word_pattern(w) for w in ws) for ws in alias_words]
    regex = re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?!\w|[-‐]\w)") if alts else re.compile(r"(?!x)x")
    needles = set()
    for ws in alias_words:
        longest = max(ws, key=len)
        needles.add(longest[:-1] if _CYR.search(longest) and len(longest) > 4 else longest)
    all_words = {w for ws in alias_words for w in ws}
    return _Matcher(
        regex=regex,
        needles=tuple(sorted(needles)),
        forms=frozenset(" ".join(ws) for ws in alias_words),
        name_words=frozenset(all_words),
        multiword=len(name_words) > 1,
        cyrillic_full=any(len(ws) > 1 and _CYR.search(ws[-1]) for ws in alias_words),
    )


# --------------------------------------------------------------------------- folding, quotes

_FOLD_MEMO: dict[str, str] = {}


@functools.lru_cache(maxsize=8)
def _fold_fast(text: str) -> str:
    """Same result as `text.fold`, much faster on long texts (per-character memo + str.translate)."""
    if text.isascii():
        return text.lower()
    table = {}
    for ch in set(text):
        f = _FOLD_MEMO.get(ch)
        if f is None:
            f = _FOLD_MEMO[ch] = fold(ch)
        if f != ch:
            table[ord(ch)] = f
    return text.translate(table)


_QUOTE_RE = re.compile(r"[\"“”«»„‘’'\n]")


@functools.lru_cache(maxsize=8)
def _sentences(text: str):
    """split_sentences, cached: many speaker rules run over the same article."""
    return split_sentences(text)


@functools.lru_cache(maxsize=8)
def _quote_spans(text: str) -> list[tuple[int, int]]:
    """Outermost quoted spans [open, close+1); an unclosed quote ends at the end of its paragraph."""
    spans: list[tuple[int, int]] = []
    stack: list[str] = []
    start = 0
    n = len(text)
    for m in _QUOTE_RE.finditer(text):
        ch = m.group()
        i = m.start()
        if ch == "\n":
            if stack:
                spans.append((start, i))
                stack.clear()
            continue
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < n else " "
        was_open = bool(stack)
        if ch in "'’":
            if stack and stack[-1] in "'‘" and not nxt.isalnum() and not prev.isspace():
                stack.pop()
            elif ch == "'" and (prev.isspace() or prev in "([\"“«—–-" or i == 0) and nxt.isalnum():
                stack.append("'")
            # otherwise an apostrophe
        elif ch == '"':
            if '"' in stack:
                while stack.pop() != '"':
                    pass
            else:
                stack.append('"')
        elif ch in "“«„‘":
            if ch == "“" and stack and stack[-1] == "„":
                stack.pop()
            else:
                stack.append(ch)
        elif stack:  # ” »
            stack.pop()
        if stack and not was_open:
            start = i
        elif was_open and not stack:
            spans.append((start, i + 1))
    if stack:
        spans.append((start, n))
    return spans


# --------------------------------------------------------------------------- per-sentence context


class _Ctx:
    """Tokens of one sentence: folded text, original text, absolute offsets, inside-quote flags."""

    __slots__ = ("ends", "inq", "low", "n", "orig", "qends", "qstarts", "quotes", "sent", "starts", "text")

    def __init__(self, text: str, folded: str, sent, quotes: list[tuple[int, int]]):
        self.text = text
        self.sent = sent
        s0 = sent.start
        seg = folded[s0 : sent.end]
        self.low = []
        self.orig = []
        self.starts = []
        self.ends = []
        for m in _TOKEN.finditer(seg):
            a, b = m.start() + s0, m.end() + s0
            self.low.append(m.group().replace("’", "'") if "’" in m.group() else m.group())
            self.orig.append(text[a:b])
            self.starts.append(a)
            self.ends.append(b)
        self.n = len(self.low)
        qs = [q for q in quotes if q[0] < sent.end and q[1] > sent.start]
        # A sentence that is one whole quotation is read as plain text.
        if len(qs) == 1 and qs[0][0] == sent.start and sent.end - 2 <= qs[0][1] <= sent.end:
            qs = []
        self.quotes = qs
        self.qstarts = [q[0] for q in qs]
        self.qends = [q[1] for q in qs]
        inq = [False] * self.n
        j = 0
        for i, a in enumerate(self.starts):  # spans are sorted and disjoint: one merge pass
            while j < len(qs) and qs[j][1] <= a:
                j += 1
            inq[i] = j < len(qs) and qs[j][0] <= a
        self.inq = inq

    def at(self, i: int) -> str:
        return self.low[i] if 0 <= i < self.n else ""

    def cap(self, i: int) -> bool:
        if not 0 <= i < self.n:
            return False
        o = self.orig[i]
        return o[:1].isupper() and o[:1].isalpha()

    def token_index(self, pos: int) -> int:
        return bisect_left(self.starts, pos)

    def quote_adjacent(self, a: int, b: int) -> bool:
        """Does a quotation end right before offset `a`, or start right after offset `b`?"""
        i = bisect_right(self.qends, a) - 1  # the last quotation ending before a
        if i >= 0 and _GAP_BEFORE.fullmatch(self.text, self.qends[i], a):
            return True
        i = bisect_left(self.qstarts, b)  # the first quotation starting after b
        if i < len(self.qstarts):
            q0 = self.qstarts[i]
            if _GAP_AFTER.fullmatch(self.text, b, q0) or _GAP_COLON.fullmatch(self.text, b, q0):
                return True
        return False


_GAP_BEFORE = re.compile(r"[\s,.:;—–-]*")
_GAP_AFTER = re.compile(r"[\s,:—–-]*")
_GAP_COLON = re.compile(r"[^\"“”«».]{0,60}:\s*")


def _is_ly(ctx: _Ctx, i: int) -> bool:
    t = ctx.low[i]
    return len(t) >= 5 and t.endswith("ly") and t not in _LY_NOUNS and not ctx.cap(i)


def _is_verb(t: str) -> bool:
    return t in _VERBS or t in _RU_VERBS


# --------------------------------------------------------------------------- subject -> verb


@dataclass
class _Flags:
    be: bool = False
    neg: bool = False
    aux: bool = False
    plural: bool = False


def _skip_fillers(ctx: _Ctx, k: int, flags: _Flags) -> int:
    """Skip auxiliaries, adverbs and short adverbials between a subject and its verb."""
    n = ctx.n
    steps = 0
    while k < n and steps < 12:
        steps += 1
        if ctx.inq[k]:
            return k
        t = ctx.low[k]
        if t in _AUX_BE:
            flags.be = True
            flags.aux = True
            k += 1
        elif t in _NEG or t.endswith("n't"):
            flags.neg = True
            k += 1
        elif t in _AUX_OTHER:
            if t == "to" and not flags.aux:
                return k
            flags.aux = True
            k += 1
        elif t in _FILLERS or _is_ly(ctx, k) or t in _DAYS:
            k += 1
        elif t in ("on", "last", "this", "next", "late", "early", "в", "во") and ctx.at(k + 1) in _DAYS:
            k += 2
        elif t == "on" and ctx.at(k + 1) in _MONTHS | {"social"}:
            k += 2
            while k < n and (ctx.low[k].isdigit() or ctx.low[k] in ("media", ",")) and steps < 12:
                k += 1
                steps += 1
        elif t == "on" and ctx.at(k + 1) in _MEDIA:
            k += 2
            if ctx.at(k) in ("television", "tv", "media", "radio", "social"):
                k += 1
        elif t == "on" and ctx.at(k + 1).isdigit():
            k += 2
            if ctx.at(k) in _MONTHS:
                k += 1
        elif t == "in" and ctx.at(k + 1) in _DETERMINERS:
            j = k + 2
            while j < min(n, k + 5) and ctx.low[j] not in _CONTEXT_NOUNS and ctx.low[j].isalpha():
                j += 1
            if ctx.at(j) in _CONTEXT_NOUNS:
                k = j + 1
                # "in an interview with the BBC": the partner is part of the adverbial
                if ctx.at(k) in ("with", "to", "on", "for"):
                    j = k + 1
                    while j < min(n, k + 6) and (ctx.cap(j) or ctx.low[j] in _DETERMINERS or ctx.low[j].isupper()):
                        j += 1
                    k = j
            else:
                return k
        elif t == "in" and ctx.at(k + 1) in _CONTEXT_NOUNS:
            k += 2
        elif t == "в" and ctx.at(k + 1) in _RU_IN:
            j = k + 2
            while j < min(n, k + 9) and not _is_verb(ctx.low[j]) and ctx.low[j] not in (",", "."):
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


def _verb_ok(ctx: _Ctx, v: int, flags: _Flags, a: int) -> str | None:
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
    if t in _RU_VERBS:
        return "quote" if ctx.quote_adjacent(a, end) else "reported"
    # "is quoted as saying", "was cited as saying"
    if t in ("quoted", "cited", "heard", "recorded", "filmed", "reported", "recalled") and nxt == "as" and ctx.at(v + 2) == "saying":
        end = ctx.ends[v + 2]
        return "quote" if ctx.quote_adjacent(a, end) else "reported"
    if t in ("heard", "recorded", "filmed", "overheard", "caught") and nxt in ("saying", "telling"):
        return "quote" if ctx.quote_adjacent(a, ctx.ends[v + 1]) else "reported"
    if t in ("hit", "hits", "hitting", "lashed", "lashes", "lashing") and nxt in ("out", "back") and ctx.at(v + 2) == "at" and not flags.be:
        return "reported"  # "X hit out at critics"
    if t in ("call", "calls", "called", "calling") and nxt in ("for", "on") and ctx.at(v + 2) not in _DAYS and not flags.be:
        return "reported"
    if t in _ACT_VERBS and not flags.be and (t not in _ACT_BASE or flags.aux or flags.plural):
        # "X issued a statement", "X gave an interview", "X repeated his warning"
        nouns = _SPEECH_NOUNS | ({"evidence"} if t.startswith("g") else set()) | ({"call", "calls"} if t.startswith(("rep", "ren")) else set())
        j = v + 1
        for _ in range(4):
            tj = ctx.at(j)
            if tj in nouns and not ctx.inq[j]:
                return "quote" if ctx.quote_adjacent(a, ctx.ends[j]) else "reported"
            if not tj.isalpha() or tj in _PREPS or tj in _POSS_BLOCK or ctx.cap(j):
                break
            j += 1
        return None
    info = _VERBS.get(t)
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
        and not (lemma == "say" and (ctx.at(v + 2) in _SAID_TO_OBJ or ctx.cap(v + 2)))
    ):
        return None  # "X said to be ill", "X told to leave", "X added to the pressure"
    if lemma == "accuse" and nxt == "of":
        return None
    if nxt in ("nothing", "little") or (nxt == "no" and ctx.at(v + 2) in ("more", "word", "comment")):
        return None  # "X said nothing"
    if lemma == "write" and (nxt in _WORKS or ctx.at(v + 2) in _WORKS or ctx.at(v + 3) in _WORKS):
        return None  # authorship, not a statement: "X wrote the book"
    adjacent = ctx.quote_adjacent(a, end)
    if lemma in _QUOTE_ONLY_SET:
        return "quote" if adjacent else None
    if lemma in _WEAK_SET and not adjacent and not _weak_ok(ctx, v, lemma):
        return None
    return "quote" if adjacent else "reported"


def _weak_ok(ctx: _Ctx, v: int, lemma: str) -> bool:
    nxt = ctx.at(v + 1)
    nxt2 = ctx.at(v + 2)
    if v + 1 >= ctx.n:
        return True  # "..., X added." (sentence end)
    if lemma == "ask":
        return nxt in _ASK_OBJ
    if lemma == "add" or lemma == "declare" or lemma == "report" or lemma == "counter":
        if lemma in ("add", "report") and nxt == "to":
            return False
        return nxt in _CLAUSE_NEXT or _is_ly(ctx, v + 1)
    if lemma == "claim":
        return not (nxt in _CLAIM_BAD or (nxt == "the" and nxt2 in _CLAIM_BAD))
    if (nxt in _CLAUSE_NEXT and nxt != "to") or _is_ly(ctx, v + 1):
        return True
    if lemma == "deny":
        if nxt in ("the", "any", "all", "these", "those", "such"):
            return nxt2 in _DENY_OBJ
        return nxt in _DENY_OBJ
    if lemma == "admit":
        if nxt == "to":
            return nxt2.endswith("ing") or nxt2 in _ADMIT_OBJ
        return nxt in _ADMIT_OBJ
    if lemma == "maintain":
        return nxt in ("his", "her", "their") and nxt2 in ("innocence", "position", "stance")
    if lemma in ("respond", "answer"):
        if nxt == "to":
            return nxt2 in _RESPOND_OBJ
        return nxt == "by" and nxt2 == "saying"
    if lemma == "post":
        return nxt in _POST_OBJ and nxt2 in ("video", "message", "statement", "comment", "note", "letter", "tweet", "post", "update", "thread")
    return False


def _preceding(ctx: _Ctx, i0: int) -> str:
    """What stands before a mention: 'ok' (subject position), 'prep' or 'verb' (object)."""
    k = i0 - 1
    steps = 0
    while k >= 0 and steps < 10:
        steps += 1
        t = ctx.low[k]
        if ctx.inq[k]:
            return "ok"
        if t == "." and k > 0 and (ctx.low[k - 1] in _TITLES or len(ctx.low[k - 1]) == 1):
            k -= 2  # "Mr. Smith", "J. Smith"
            continue
        if t in _TITLES or t in _DETERMINERS or t.endswith(_POSS_SUFFIX) or (ctx.cap(k) and t not in _STOP_CAP) or ctx.orig[k].isupper() and t.isalpha():
            k -= 1
            continue
        if t == "of" and ctx.at(k - 1) in _TITLE_OF | _DETERMINERS:
            k -= 1
            continue
        break
    if k < 0:
        return "ok"
    t = ctx.low[k]
    if t in _PREPS:
        return "prep"
    if t in _OBJ_VERBS or (t.endswith("ed") and len(t) > 4 and t not in _TITLES) or (t.endswith("ing") and len(t) > 5 and t not in _TITLES):
        return "verb"
    return "ok"


def _reported(ctx: _Ctx, i0: int, i1: int, nominative: bool, a: int) -> str | None:
    """Mention tokens [i0, i1) as the subject of a following speech verb."""
    if not nominative:
        return None
    n = ctx.n
    k = i1
    guard = None
    if k < n and ctx.low[k] in _OPENERS and not ctx.inq[k]:
        closer = _OPENERS[ctx.low[k]]
        if ctx.low[k] == "," and ctx.at(k + 1) in _WHO:
            flags = _Flags()
            v = _skip_fillers(ctx, k + 2, flags)
            how = _verb_ok(ctx, v, flags, a)
            if how:
                # "distanced itself from X, who said": the clause is about X, unless a role that
                # speaks for X precedes ("a spokesman for X, who said").
                for j in range(max(0, _skip_titles_left(ctx, i0 - 1, commas=False) - 2), i0):
                    if ctx.low[j] in _POSS_BLOCK or ctx.low[j] in _SPEAKING_ROLES:
                        return None
                return how
        opened_with_comma = ctx.low[k] == ","
        if opened_with_comma:
            # The name is itself the apposition: "the head of the authority, John Fenwick, said"
            before = _skip_titles_left(ctx, i0 - 1, commas=False)
            if before >= 0 and ctx.low[before] == ",":
                flags = _Flags()
                v = _skip_fillers(ctx, k + 1, flags)
                if v < n and _is_verb(ctx.low[v]):
                    how = _verb_ok(ctx, v, flags, a)
                    if how and _preceding(ctx, i0) == "ok":
                        return how
        m = k + 1
        while m < min(n, k + 30):
            t = ctx.low[m]
            if ctx.inq[m] or t in (".", ";", "!", "?") or t in _QUOTE_CHARS:
                return None
            if t == closer or (opened_with_comma and t in ("—", "–")):
                flags = _Flags()
                v = _skip_fillers(ctx, m + 1, flags)
                if v < n and (_is_verb(ctx.low[v]) or ctx.low[v] in ("quoted", "cited", "called")):
                    how = _verb_ok(ctx, v, flags, a)
                    if how is None:
                        return None
                    guard = _preceding(ctx, i0)
                    return how if guard == "ok" else None
                if closer != ",":
                    return None
            elif t in _FINITE_SPEECH and ctx.at(k + 1) not in ("who", "который", "которая"):
                return None  # "X, officials said, ..."
            m += 1
        return None
    flags = _Flags()
    v = _skip_fillers(ctx, k, flags)
    if v >= n:
        return None
    how = _verb_ok(ctx, v, flags, a)
    if how is None:
        how = _participle(ctx, v, flags)
        if how is None:
            return None
    return how if _preceding(ctx, i0) == "ok" else None


_PARTICIPLES = {"saying", "adding", "telling", "warning", "noting", "arguing", "insisting", "claiming", "stressing", "explaining", "declaring", "writing", "vowing"}


def _participle(ctx: _Ctx, v: int, flags: _Flags) -> str | None:
    """X <acts>, saying ...: "X hit back at critics on Monday, saying the reforms worked"."""
    if flags.be or flags.neg or v >= ctx.n or ctx.inq[v]:
        return None
    t = ctx.low[v]
    if not t.isalpha() or t in _PREPS or t in _DETERMINERS or ctx.cap(v) or t in _VERBS:
        return None
    for m in range(v + 1, min(ctx.n, v + 16)):
        tm = ctx.low[m]
        if ctx.inq[m] or tm in (".", ";", "!", "?", "(") or tm in _QUOTE_CHARS or tm in _VERBS and tm not in _PARTICIPLES:
            return None
        if tm == "," and ctx.at(m + 1) in _PARTICIPLES:
            return "reported"
        if tm in _WHO or tm in ("which", "that", "who", "whose", "and", "but", "while", "after", "before", "when"):
            return None
    return None


# --------------------------------------------------------------------------- other patterns


def _skip_titles_left(ctx: _Ctx, k: int, limit: int = 10, commas: bool = True) -> int:
    """From token k leftwards, skip titles, capitalised words, "of" after a title, one comma pair."""
    steps = 0
    while k >= 0 and steps < limit:
        steps += 1
        t = ctx.low[k]
        if ctx.inq[k]:
            break
        if t == "." and k > 0 and (ctx.low[k - 1] in _TITLES or len(ctx.low[k - 1]) == 1):
            k -= 2
            continue
        if t in _TITLES or t in _DETERMINERS or t.endswith(_POSS_SUFFIX) or (ctx.cap(k) and t not in _STOP_CAP) or (ctx.orig[k].isupper() and t.isalpha()):
            k -= 1
            continue
        if t == "of" and ctx.at(k - 1) in _TITLE_OF:
            k -= 1
            continue
        if commas and t == "," and k > 0 and (ctx.low[k - 1] in _TITLES or ctx.cap(k - 1)):
            k -= 1
            continue
        break
    return k


def _inverted(ctx: _Ctx, i0: int, i1: int, nominative: bool, possessive: bool) -> str | None:
    """`"…," said X` / `…, says X` / Russian `заявил X`."""
    if possessive or not nominative:
        return None
    k = _skip_titles_left(ctx, i0 - 1)
    if k < 0 or ctx.inq[k]:
        return None
    t = ctx.low[k]
    nxt = ctx.at(i1)
    if t in _RU_VERBS:
        if k > 0 and ctx.low[k - 1] in _NEG:
            return None
        return "quote" if ctx.quote_adjacent(ctx.starts[k], ctx.ends[k]) else "reported"
    info = _VERBS.get(t)
    if info is None or info[0] not in _INVERTABLE or info[1] not in ("s", "past"):
        return None
    j = k - 1
    while j >= 0 and ctx.low[j] in ("also", "then"):
        j -= 1
    if j >= 0 and ctx.low[j] not in (",", ":", "—", "–", "-", "(") and ctx.low[j] not in _QUOTE_CHARS:
        return None
    if nxt in _AUX_BE or nxt in _AUX_OTHER - {"to"} or nxt in _NEG or _is_verb(nxt) or nxt.endswith("n't"):
        return None  # "..., said Smith was ill" (X is the subject of a reported clause)
    adjacent = ctx.quote_adjacent(ctx.starts[k], ctx.ends[k])
    if info[0] in _QUOTE_ONLY_SET and not adjacent:
        return None
    return "quote" if adjacent else "reported"


def _according(ctx: _Ctx, i0: int, i1: int, possessive: bool) -> str | None:
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
        if t in ("quoted", "cited"):
            if ctx.at(i1) == "as" and ctx.at(i1 + 1) in ("saying", "telling", "stating"):
                return "according-to"
            return None
        if t == "." and k > 0 and (ctx.low[k - 1] in _TITLES or len(ctx.low[k - 1]) == 1):
            k -= 2
            continue
        if t == "," and k > 0 and (ctx.low[k - 1] in _TITLES or ctx.cap(k - 1)):
            k -= 1
            continue
        if t == "of" and ctx.at(k - 1) in _TITLE_OF:
            k -= 1
            continue
        if t in _PREPS or t in _POSS_BLOCK or not (t.isalpha() or t.endswith(_POSS_SUFFIX) or "-" in t):
            return None
        if t in ("sources", "source", "people", "officials", "aides", "friends", "allies", "critics"):
            return None
        k -= 1
    return None


def _possessive(ctx: _Ctx, i0: int, i1: int, possessive: bool, nominative: bool, cyrillic: bool) -> str | None:
    if possessive:
        k = i1
        for _ in range(3):
            if k >= ctx.n or ctx.inq[k]:
                return None
            t = ctx.low[k]
            if t in _SPEECH_NOUNS:
                return "possessive"
            if t in _POSS_BLOCK or t.endswith(_POSS_SUFFIX) or not t.isalpha() and "-" not in t or ctx.cap(k):
                return None
            k += 1
        return None
    if cyrillic and not nominative:
        k = i0 - 1
        while k >= 0 and i0 - k <= 6 and not ctx.inq[k]:
            if ctx.low[k] in _RU_SPEECH_NOUNS:
                return "possessive"
            if not (ctx.low[k] in _TITLES or ctx.cap(k) or ctx.orig[k].isupper()):
                break
            k -= 1
    k = _skip_titles_left(ctx, i0 - 1, limit=6, commas=False)
    if k < 0 or ctx.inq[k]:
        return None
    t = ctx.low[k]
    if t in ("by", "from") or (t == "of" and ctx.at(k - 1) == "words"):
        j = k - 1
        for _ in range(3):
            if j < 0:
                return None
            if ctx.low[j] in _SPEECH_NOUNS:
                return "possessive"
            if not ctx.low[j].isalpha() or ctx.low[j] in _DETERMINERS:
                return None
            j -= 1
    return None


_FIRST_PERSON = _folded({"i", "we", "my", "our", "i'm", "i've", "we're", "we've", "я", "мы", "мой", "наш"})


def _headline_colon(ctx: _Ctx, i0: int, i1: int, nominative: bool) -> str | None:
    """`X: "…"` (or a headline `X: I will not resign`) at the start of a sentence."""
    if (
        nominative
        and _skip_titles_left(ctx, i0 - 1, commas=False) < 0
        and ctx.at(i1) == ":"
        and i1 + 1 < ctx.n
        and (ctx.inq[i1 + 1] or ctx.low[i1 + 1] in _FIRST_PERSON)
    ):
        return "quote"
    return None


def _cleft(ctx: _Ctx, i0: int, i1: int, nominative: bool, a: int) -> str | None:
    """"It was X who warned ..." """
    if nominative and ctx.at(i1) in _WHO and ctx.at(i0 - 1) in ("was", "is") and ctx.at(i0 - 2) == "it":
        flags = _Flags()
        v = _skip_fillers(ctx, i1 + 1, flags)
        return _verb_ok(ctx, v, flags, a)
    return None


# --------------------------------------------------------------------------- continuation


def _persons(ctx: _Ctx, lo: int, hi: int, skip: set[int]) -> bool:
    """Is a person-like capitalised name (other than the skipped tokens) in tokens [lo, hi)?"""
    for m in range(lo, min(hi, ctx.n)):
        if m in skip or ctx.inq[m] or not ctx.cap(m):
            continue
        t = ctx.low[m]
        o = ctx.orig[m]
        if t in _STOP_CAP or t in _TITLES or t in _ORG_WORDS or (len(o) > 1 and o.isupper()):
            continue
        if t.endswith(_POSS_SUFFIX) and t[:-2] in _ORG_WORDS:
            continue
        prev = ctx.at(m - 1)
        first = m == 0 or prev in _QUOTE_CHARS
        if first:
            nx = ctx.at(m + 1)
            if not (_is_verb(nx) or nx in _AUX_BE or nx in _AUX_OTHER or nx.endswith("ed")):
                continue
        elif prev in _LOCATIVE:
            continue
        if ctx.at(m + 1) in _ORG_WORDS or (ctx.cap(m + 1) and ctx.at(m + 2) in _ORG_WORDS):
            continue
        return True
    return False


def _speech_tokens(ctx: _Ctx, lo: int = 0, hi: int | None = None) -> bool:
    hi = ctx.n if hi is None else hi
    for m in range(lo, hi):
        if not ctx.inq[m]:
            t = ctx.low[m]
            if t in _RU_VERBS or (t in _VERBS and _VERBS[t][1] != "base"):
                return True
    return False


def _pronoun_speech(ctx: _Ctx) -> tuple[str, int] | None:
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
        if t not in _PRONOUNS:
            continue
        how = _reported(ctx, i, i + 1, True, ctx.starts[i]) or _inverted(ctx, i, i + 1, True, False)
        if how:
            return _PRONOUNS[t], i
    return None


def _gender_after(ctx: _Ctx, i1: int) -> str | None:
    for m in range(i1, ctx.n):
        if not ctx.inq[m]:
            g = _GENDER_HINT.get(ctx.low[m])
            if g:
                return g
            if ctx.low[m] in _RU_VERBS:
                return "f" if ctx.low[m].endswith("а") else "m"
    return None


# --------------------------------------------------------------------------- entry point


def _mention_ok(text: str, folded: str, a: int, b: int, mt: _Matcher) -> bool:
    """Drop a single-word (surname) match that belongs to someone else: "Anna Marsh", "Marsh Foundation"."""
    if not mt.multiword or len(folded[a:b].split()) > 1:
        return True
    # word before
    j = a - 1
    while j >= 0 and text[j] in " \t\u00a0":
        j -= 1
    if j >= 0 and j < a - 1:
        if text[j] == "." and j >= 1:
            k = j - 1
            while k >= 0 and text[k].isalpha():
                k -= 1
            word = folded[k + 1 : j]
            if len(word) == 1 and not any(w.startswith(word) for w in mt.name_words):
                return False
        elif text[j].isalpha():
            k = j
            while k >= 0 and (text[k].isalpha() or text[k] in "-'’"):
                k -= 1
            orig = text[k + 1 : j + 1]
            word = folded[k + 1 : j + 1]
            if orig[:1].isupper() and not orig.isupper() and not _known_word(word, mt):
                return False
    # word after
    j = b
    if folded[j : j + 2] in _POSS_SUFFIX:
        return True
    while j < len(text) and text[j] in " \t\u00a0":
        j += 1
    if j > b and j < len(text) and text[j].isupper() and text[j].isalpha():
        k = j
        while k < len(text) and (text[k].isalpha() or text[k] in "-'’"):
            k += 1
        orig = text[j:k]
        word = folded[j:k]
        if not orig.isupper() and not _known_word(word, mt) and word not in ("jr", "sr", "ii", "iii"):
            return False
    return True


def _known_word(word: str, mt: _Matcher) -> bool:
    word = word.replace("’", "'")
    if word in _STOP_CAP or word in _TITLES or word.endswith(_POSS_SUFFIX):
        return True
    if _CYR.search(word) and not mt.cyrillic_full:
        return True  # a Cyrillic first name we cannot compare with a Latin-script name
    for w in mt.name_words:
        if word == w or (len(w) >= 4 and _CYR.search(w) and word[: len(w) - 1] == w[:-1]):
            return True
    return False


def find_speech(text: str, speaker: SpeakerSpec) -> list[SpeechEvidence]:
    """Evidence that `speaker` is the source of direct or reported speech in `text` (empty: none)."""
    if not text:
        return []
    mt = _matcher(speaker)
    folded = _fold_fast(text)
    if not any(nd in folded for nd in mt.needles):
        return []
    mentions = []
    for m in mt.regex.finditer(folded):
        a, b = m.start(), m.end()
        if _mention_ok(text, folded, a, b, mt):
            mentions.append((a, b))
    if not mentions:
        return []

    sentences = _sentences(text)
    sent_starts = [s.start for s in sentences]
    quotes = _quote_spans(text)
    ctxs: dict[int, _Ctx] = {}

    def ctx_of(idx: int) -> _Ctx:
        c = ctxs.get(idx)
        if c is None:
            c = ctxs[idx] = _Ctx(text, folded, sentences[idx], quotes)
        return c

    by_sentence: dict[int, list[tuple[int, int]]] = {}
    for a, b in mentions:
        idx = bisect_left(sent_starts, a + 1) - 1
        if idx >= 0 and a < sentences[idx].end:
            by_sentence.setdefault(idx, []).append((a, b))

    found: dict[int, SpeechEvidence] = {}
    anchors: list[tuple[int, int, int, bool, str | None]] = []  # (sentence, alias start, end, spoke, gender)
    for idx, ms in sorted(by_sentence.items()):
        ctx = ctx_of(idx)
        sent = sentences[idx]
        last_outside = None
        mention_tokens: set[int] = set()
        for a, b in ms:
            mention_tokens.update(range(ctx.token_index(a), ctx.token_index(b)))
        for a, b in ms:
            i0 = ctx.token_index(a)
            if i0 >= ctx.n or ctx.inq[i0]:
                continue
            matched = folded[a:b]
            possessive = False
            end = b
            if folded[b : b + 2] in _POSS_SUFFIX and not folded[b + 2 : b + 3].isalnum():
                possessive, end = True, b + 2
            elif folded[b : b + 1] in ("'", "’") and matched.endswith("s") and not folded[b + 1 : b + 2].isalnum():
                possessive, end = True, b + 1
            i1 = ctx.token_index(end)
            cyrillic = bool(_CYR.search(matched))
            nominative = not cyrillic or " ".join(matched.split()) in mt.forms
            how = (
                (_reported(ctx, i0, i1, nominative and not possessive, a) if not possessive else None)
                or _inverted(ctx, i0, i1, nominative, possessive)
                or _according(ctx, i0, i1, possessive)
                or _possessive(ctx, i0, i1, possessive, nominative, cyrillic)
                or _headline_colon(ctx, i0, i1, nominative and not possessive)
                or _cleft(ctx, i0, i1, nominative and not possessive, a)
            )
            alias_text = text[a:b]
            last_outside = (a, b, i1)
            if how and idx not in found:
                found[idx] = SpeechEvidence(sent.text, sent.start, alias_text, a, how)
        if last_outside is None:
            continue
        a, b, i1 = last_outside
        spoke = idx in found
        # X is only a candidate antecedent if nobody else is named or speaks in the sentence.
        if not spoke and (_persons(ctx, 0, ctx.n, mention_tokens) or _speech_tokens(ctx)):
            continue
        anchors.append((idx, a, b, spoke, _gender_after(ctx, i1) if spoke else None))

    for idx, a, b, _spoke, gender in anchors:
        for step in (1, 2):
            j = idx + step
            if j >= len(sentences) or j in by_sentence:
                break
            ctx = ctx_of(j)
            hit = _pronoun_speech(ctx)
            if hit:
                g, pi = hit
                if _persons(ctx, 0, pi, set()) or (gender and g != gender):
                    break
                if j not in found:
                    found[j] = SpeechEvidence(sentences[j].text, sentences[j].start, text[a:b], a, "continuation")
                gender = g
                continue
            if _persons(ctx, 0, ctx.n, set()) or _speech_tokens(ctx):
                break
    return [found[k] for k in sorted(found)]
