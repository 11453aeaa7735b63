"""Word lists the attribution patterns read: titles, fillers, prepositions, nouns of speech, ..."""

from __future__ import annotations

import re

from watcher.match.text import fold
from watcher.match.speaker.cues import FINITE_SPEECH, RU_VERBS, wordlist


AUX_BE = {"is", "was", "are", "were", "be", "been", "being", "'s", "’s"}
AUX_OTHER = {
    "has", "have", "had", "will", "would", "shall", "should", "can", "could", "may", "might", "must", "did",
    "does", "do", "'d", "'ll", "’d", "’ll", "going", "to", "used",
}
NEG = {"not", "never", "no", "neither", "nor", "не", "ни"}
FILLERS = {
    "also", "later", "earlier", "then", "again", "further", "previously", "reportedly", "recently",
    "repeatedly", "once", "now", "still", "too", "himself", "herself", "themselves", "however", "meanwhile",
    "yesterday", "today", "tonight", "subsequently", "separately", "similarly", "publicly", "privately",
    "initially", "originally", "first", "already", "even", "just", "simply", "only", "jr", "sr", "ii", "iii",
    "afterwards", "afterward", "late", "openly", "long", "often", "always", "since", "personally", "bluntly", "flatly", "allegedly",
    "также", "ранее", "позже", "позднее", "вновь", "снова", "уже", "тоже", "сам", "сама", "лично", "прямо",
    "журналистам", "вчера", "сегодня", "публично",
}
LY_NOUNS = {
    "family", "ally", "rally", "supply", "reply", "assembly", "july", "italy", "belly", "jelly", "bully", "holly",
    "lily", "fly", "daily", "weekly", "monthly", "quarterly", "anomaly", "monopoly", "homily", "folly", "tally",
    "billy", "molly", "kelly", "emily", "polly", "sally", "dolly", "jolly", "hilly", "silly", "ugly", "lonely",
    "elderly", "friendly", "holy", "only",
}
DAYS = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "weekend", "week", "month",
    "year", "night", "morning", "afternoon", "evening", "day", "понедельник", "вторник", "среду", "четверг",
    "пятницу", "субботу", "воскресенье",
}
MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
}
CONTEXT_NOUNS = {
    "statement", "interview", "address", "post", "message", "speech", "letter", "video", "tweet", "briefing",
    "op-ed", "column", "blog", "book", "memo", "email", "note", "report", "remarks", "comments", "testimony",
    "podcast", "broadcast", "conference", "hearing", "court", "parliament", "congress", "filing", "appearance",
    "press", "news", "session", "meeting", "debate", "documentary", "affidavit", "deposition", "lecture",
    "sermon", "editorial", "essay", "article", "newsletter", "response", "reply", "telegram", "facebook",
    "twitter", "instagram", "x",
}
MEDIA = {
    "twitter", "x", "telegram", "facebook", "instagram", "tiktok", "youtube", "linkedin", "truth", "social",
    "television", "tv", "radio", "state", "national", "bluesky", "threads", "vk", "weibo", "camera", "air",
}
TITLES = set(
    wordlist("""mr mrs ms miss dr prof professor sir dame lord lady president vice prime minister deputy chief head
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
    democrat republican independent libertarian speaker whip elect frontrunner front-runner sens reps pastor
    sheriff trooper agent councilman councilwoman councilmember assemblyman assemblywoman delegate alderman
    alderwoman supervisor superintendent principal treasurer comptroller auditor moderator columnist pollster
    strategist comedian rapper filmmaker donor mogul magnate historian quarterback president-elect vice-president
    глава председатель руководитель министр президент премьер премьер-министр генерал директор начальник
    следователь прокурор спикер мэр губернатор депутат сенатор посол замглавы замминистра генпрокурор
    эксперт адвокат экс-президент бывший вице-премьер главный официальный""")
)
# Titles that can take "of": "the head of the Investigative Committee, X, said".
TITLE_OF = set(
    wordlist("""head chief chairman chairwoman chair director president minister secretary governor mayor leader ceo
    founder commander general rector dean governor-general speaker member ambassador""")
)
DETERMINERS = {"the", "a", "an", "his", "her", "their", "its", "our", "my", "your"}
PREPS = set(
    wordlist("""about of to for by with against from on at into onto over toward towards like unlike than behind near
    under without among amongst between via per including regarding concerning versus vs beside besides
    alongside upon within across around through past despite except plus close o об обо про с со к ко для от
    у без против над под перед при через""")
)
OBJ_VERBS = set(
    wordlist("""met meet meets saw see sees told tell tells beat beats hit hits led leads left taught caught fought
    sought brought bought thought knew knows know sent sends won lost chose sue sues support supports praise
    praises criticise criticises criticize criticizes blame blames thank thanks accuse accuses urge urges join
    joins visit visits invite invites quote quotes cite cites heard hears interview interviews defend defends
    defeat defeats follow follows replace replaces appoint appoints shot rang phoned hugged kissed ask asks
    call calls named name names elect elects fire fires sack sacks hire hires""")
)
SPEECH_NOUNS = set(
    wordlist("""remarks remark statement statements words comments comment claim claims announcement announcements
    interview interviews testimony report assertion assertions allegation allegations warning warnings speech
    speeches admission denial denials tweet tweets message letter op-ed answer answers reply replies response
    explanation promise promises pledge pledges vow vows prediction predictions estimate insistence argument
    arguments criticism rhetoric declaration confirmation assurance assurances quote quotes quotation
    briefing deposition essay article blog column testimonies account appeal email e-mail memo critique rebuke
    rebuttal apology eulogy tribute complaint complaints accusation accusations
    слова словам заявление заявления заявлению высказывание высказывания комментарий интервью""")
) - {"account", "appeal"}
RU_SPEECH_NOUNS = {"слова", "заявление", "заявления", "заявлению", "высказывание", "высказывания", "комментарий", "интервью", "словах"}
POSS_BLOCK = set(
    wordlist("""press office lawyer lawyers spokesman spokeswoman spokesperson aide aides team campaign family wife husband
    son daughter sons daughters party government administration ministry department staff representative
    representatives attorney attorneys counsel allies supporters critics opponents rivals secretary deputy
    mother father brother sister friend friends adviser advisers advisor spokesmen office's""")
)
# Nouns that make a name before them a modifier, not a person acting: "the Trump campaign said",
# "Huckabee campaign spokesman Hogan Gidley said", "a Tally backer".
MODIFIED_HEADS = POSS_BLOCK | set(
    wordlist("""supporter backer backers loyalist loyalists surrogate surrogates camp voters fans rally rallies
    event events administration's adviser's aide's campaign's spokesman's official officials strategist
    strategists operative operatives donor donors delegate delegates presidency foundation organization
    organisation era years doctrine plan plans policy policies email emails server servers emailgate
    nomination candidacy ticket headquarters transition tower towers hotel university voter critic opponent""")
)
WORKS = {"book", "books", "novel", "novels", "song", "songs", "music", "script", "screenplay", "code", "software", "biography", "memoir", "thesis", "opera", "symphony", "lyrics", "album"}
ACT_BASE = {"issue", "make", "give", "deliver", "publish", "release", "repeat", "renew", "offer", "strike"}
ACT_VERBS = ACT_BASE | set(
    wordlist("""issues issued makes made gives gave given delivers delivered publishes published releases released
    repeats repeated renews renewed offers offered struck strikes raised raises floated floats""")
)
# Nouns that make an act of speech only after some of those verbs: "offered his thoughts", "struck a tone"
ACT_ONLY_NOUNS = {"off": {"thoughts", "views", "view", "ideas", "critique", "assessment", "apology", "tribute",
                          "rebuttal", "praise", "condolences", "defense", "defence", "advice"},
                  "str": {"tone", "note"},
                  "rai": {"concerns", "concern", "questions", "doubts", "objections", "possibility", "alarm", "prospect"},
                  "flo": {"idea", "notion", "possibility", "prospect", "proposal", "plan"}}
# "X expressed concerns about", "X voiced support for"
VOICE_VERBS = {"expressed", "expresses", "voiced", "voices", "expressing", "voicing"}
FEELINGS = {"concern", "concerns", "support", "doubt", "doubts", "frustration", "opposition", "regret", "anger",
             "confidence", "hope", "skepticism", "scepticism", "dismay", "outrage", "sympathy", "condolences",
             "disappointment", "reservations", "alarm", "gratitude", "thanks", "optimism", "fears", "worries"}
SPEAKING_ROLES = {"sources", "source", "people", "officials", "official", "aides", "friends", "insiders", "person"}
CLAUSE_NEXT = {
    "that", ",", ":", ";", "—", "–", "-", ".", "!", "?", "in", "on", "at", "during", "after", "before", "via",
    "through", "when", "while", "yesterday", "today", "tonight", "earlier", "later", "last", "this", "also",
    "again", "repeatedly", "publicly", "once", "then", "to", "что", "в", "на", "\"", "“", "”", "«", "»", "'",
    "‘", "’", "(", "…",
}
DENY_OBJ = {
    "allegations", "allegation", "accusations", "accusation", "claims", "claim", "reports", "report", "charges",
    "charge", "rumours", "rumors", "wrongdoing", "involvement", "responsibility", "story", "stories",
    "suggestion", "suggestions", "speculation", "it", "this", "having", "being", "knowing", "ever", "any", "all",
    "the", "these", "those", "such", "media", "that",
}
CLAIM_BAD = set(
    wordlist("""victory ownership asylum benefits compensation damages a an his her their its title seat crown prize
    trophy medal gold silver bronze lives life win throne championship cup lead pole record inheritance estate
    land territory top first second third""")
)
ADMIT_OBJ = {
    "it", "wrongdoing", "guilt", "responsibility", "mistakes", "making", "having", "lying", "the", "his", "her",
    "their", "fault", "error", "errors", "defeat", "failure",
}
RESPOND_OBJ = {
    "questions", "question", "a", "the", "criticism", "allegations", "accusations", "claims", "reports",
    "reporters", "journalists", "critics", "comments", "remarks", "by",
}
POST_OBJ = {"online", "a", "an"}
ASK_OBJ = {"whether", "why", "how", "what", "when", "where", "who", "if", ":", ",", "rhetorically"}
SAID_TO_OBJ = {
    "the", "a", "an", "reporters", "journalists", "him", "her", "them", "me", "us", "you", "his", "their", "its",
    "my", "our", "police", "investigators", "officials", "lawmakers", "parliament", "congress", "supporters",
    "students", "colleagues", "voters", "crowds", "media", "press", "viewers", "listeners", "delegates",
}
STOP_CAP = set(
    wordlist("""i he she it we they you the a an this that these those but and or however meanwhile also in on at for of
    to by with from as after before when while if yet so then there here his her their our its my your who what
    where why how not no yes according asked speaking earlier later last next today yesterday tonight
    although though because since once still even only both neither either every each all some many most
    several few one two three four five six seven eight nine ten unlike like despite during under over
    mr mrs ms dr jr sr ii iii iv god он она они мы я вы это этот эта об по как в на и но а""")
) | DAYS | MONTHS
ORG_WORDS = set(
    wordlist("""committee ministry council court party union department agency service office bank university times
    news post parliament duma kremlin government reuters interfax tass ria ap afp bbc cnn police army navy
    house senate congress commission foundation institute group company corporation inc ltd club fc united
    league federation association church school college hospital airport station street square city state
    republic kingdom federal national international european world global chamber commerce capitol caucus pac
    network magazine journal tribune herald gazette convention coalition alliance pentagon administration""")
)
LOCATIVE = {"in", "at", "from", "into", "near", "across", "the", "throughout", "outside", "inside", "around",
             "в", "во", "из", "на", "под", "у"}

QUOTE_CHARS = set("\"“”«»„‘’'‹›")
OPENERS = {",": ",", "(": ")", "—": "—", "–": "–", "-": "-"}
PRONOUNS = {"he": "m", "she": "f", "он": "m", "она": "f"}
GENDER_HINT = {"he": "m", "his": "m", "him": "m", "himself": "m", "she": "f", "her": "f", "hers": "f", "herself": "f"}

CYR = re.compile(r"[\u0400-\u04ff]")


def folded_set(words):
    """The lexicon as the folded text will show it (ё -> е, й -> и)."""
    return {fold(w) for w in words}


TITLES = folded_set(TITLES)
RU_VERBS = folded_set(RU_VERBS)
RU_SPEECH_NOUNS = folded_set(RU_SPEECH_NOUNS)
SPEECH_NOUNS = folded_set(SPEECH_NOUNS)
FILLERS = folded_set(FILLERS)
STOP_CAP = folded_set(STOP_CAP)
PREPS = folded_set(PREPS)
DAYS = folded_set(DAYS)
FINITE_SPEECH = folded_set(FINITE_SPEECH)
WHO = folded_set({"who", "который", "которая", "которые"})
RU_IN = folded_set({"интервью", "эфире", "телеграм-канале", "своем", "своём", "ходе", "беседе", "эфир"})
TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")
POSS_SUFFIX = ("'s", "’s")
