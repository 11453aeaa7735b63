"""The `speaker` condition: is a named person the source of speech in a text, or merely mentioned?

Each labelled case is one sentence or short passage: (text, speaker key, expected `how` or None).
For a "yes" case the expected `how` must be among the evidence; for a "no" case there must be none.
POSITIVE/NEGATIVE: the development set. HELDOUT: written before the matcher existed, never tuned
against. REVIEW: written later in rounds, scored once, then their misses fixed (see the note there).
"""

from __future__ import annotations

import random
import re

import pytest

from watcher.match.speaker import SpeakerSpec, SpeechEvidence, find_speech, tokens
from watcher.match.speaker.tokens import fold_fast
from watcher.match.text import fold

SPEAKERS = {
    "kovacs": SpeakerSpec("Maria Kovacs"),
    "fenwick": SpeakerSpec("John Fenwick", ("Fenwick",)),
    "bas": SpeakerSpec("Alexander Bastrykin", ("Бастрыкин", "Bastrakin")),
    "durand": SpeakerSpec("Élodie Durand"),
    "marsh": SpeakerSpec("Helena Marsh"),
    "okafor": SpeakerSpec("Tomas Okafor", ("Okafor",)),
    "solberg": SpeakerSpec("Ingrid Solberg"),
    "reyes": SpeakerSpec("Carmen Reyes"),
    "lund": SpeakerSpec("Erik Lund", ("Lund",)),
    "oduya": SpeakerSpec("Grace Oduya"),
    "hale": SpeakerSpec("Dominic Hale"),
    "chen": SpeakerSpec("Wei Chen"),
    "nadia": SpeakerSpec("Nadia Petrenko", ("Петренко",)),
    "ward": SpeakerSpec("Rebecca Ward"),
    "ito": SpeakerSpec("Kenji Ito", ("Ito",)),
    "morozov": SpeakerSpec("Pavel Morozov", ("Морозов",)),
}

POSITIVE = [
    ('"We will rebuild the bridge by spring," Kovacs said.', "kovacs", "quote"),
    ('"We will rebuild," said Maria Kovacs, the city\'s mayor.', "kovacs", "quote"),
    ('"The numbers are wrong," Kovacs told reporters on Tuesday.', "kovacs", "quote"),
    ("Kovacs said the city would rebuild the bridge by spring.", "kovacs", "reported"),
    ("Maria Kovacs told the council that the budget was exhausted.", "kovacs", "reported"),
    ("Kovacs has said repeatedly that she will not run again.", "kovacs", "reported"),
    ("Kovacs had told colleagues she planned to resign.", "kovacs", "reported"),
    ("Kovacs will say more at a news conference on Friday.", "kovacs", "reported"),
    ('Kovacs is quoted as saying the deal was "dead in the water".', "kovacs", "reported"),
    ("Fenwick was cited as saying that the mine would close.", "fenwick", "reported"),
    ("Fenwick warned that the river could flood within days.", "fenwick", "reported"),
    ("Fenwick, 71, told the court he had never seen the documents.", "fenwick", "reported"),
    ("The head of the regional water authority, John Fenwick, said the dam was safe.", "fenwick", "reported"),
    ("Fenwick, who heads the regional water authority, said the dam was safe.", "fenwick", "reported"),
    ("Chief Engineer John Fenwick said the dam was safe.", "fenwick", "reported"),
    ("Fenwick, in an interview with the Northern Herald, said the dam was safe.", "fenwick", "reported"),
    ("According to Fenwick, the dam is safe.", "fenwick", "according-to"),
    ("According to regional water chief John Fenwick, the dam is safe.", "fenwick", "according-to"),
    ("Fenwick's remarks angered local farmers.", "fenwick", "possessive"),
    ("Kovacs's statement was posted on the city website.", "kovacs", "possessive"),
    ("In remarks by Kovacs on Monday, the city promised new housing.", "kovacs", "possessive"),
    ("Kovacs denied that she had accepted any gifts.", "kovacs", "reported"),
    ("Kovacs denied the allegations in a brief statement.", "kovacs", "reported"),
    ("Kovacs tweeted that the vote had been postponed.", "kovacs", "reported"),
    ("Kovacs posted on Facebook that the vote had been postponed.", "kovacs", "reported"),
    ('Kovacs added: "We are not finished."', "kovacs", "quote"),
    ('"We are not finished," Kovacs added.', "kovacs", "quote"),
    ("Kovacs, speaking at a press conference in the town hall, insisted the budget was balanced.", "kovacs", "reported"),
    ("Kovacs and Paul Lind said in a joint statement that the bridge would reopen.", "kovacs", "reported"),
    ('Kovacs opened the meeting at noon. "We have no money left," she told the council.', "kovacs", "continuation"),
    ('"We have no money left," Kovacs said. "Nobody wants to hear it," she added.', "kovacs", "continuation"),
    ("Kovacs says the bridge will reopen in May.", "kovacs", "reported"),
    ("Kovacs explained that the contract had expired.", "kovacs", "reported"),
    ("Kovacs later acknowledged that mistakes had been made.", "kovacs", "reported"),
    ("Kovacs predicted on Monday that prices would rise.", "kovacs", "reported"),
    ("Kovacs promised to cut waiting times.", "kovacs", "reported"),
    ('"This is a dark day," wrote Fenwick in a letter to staff.', "fenwick", "quote"),
    ("The river is rising, says Fenwick.", "fenwick", "reported"),
    ("The newspaper quoted Fenwick as saying the dam was sound.", "fenwick", "according-to"),
    ("Interfax, citing Fenwick, reported that the dam was sound.", "fenwick", "according-to"),
    ("Глава СК Александр Бастрыкин заявил, что дело будет доведено до суда.", "bas", "reported"),
    ("Бастрыкин заявил, что расследование завершено.", "bas", "reported"),
    ("«Мы найдём виновных», — сказал Бастрыкин журналистам.", "bas", "quote"),
    ("Как сообщил Бастрыкин, подозреваемые задержаны.", "bas", "reported"),
    ("По данным Бастрыкина, ущерб превысил миллиард рублей.", "bas", "according-to"),
    ("Bastrâkin said the suspects had confessed.", "bas", "reported"),
    ("The head of the Investigative Committee, Alexander Bastrykin, said the case would go to court.", "bas", "reported"),
    ("Alexander Bastrykin stressed that no one was above the law.", "bas", "reported"),
    ("Слова Бастрыкина вызвали споры в Госдуме.", "bas", "possessive"),
    ("Head of the Investigative Committee Alexander Bastrykin told Izvestia the case was closed.", "bas", "reported"),
    ("Elodie Durand said the festival would go ahead.", "durand", "reported"),
    ("Durand, 54, told France Info the festival would go ahead.", "durand", "reported"),
    ("ÉLODIE DURAND SAID THE FESTIVAL WOULD GO AHEAD.", "durand", "reported"),
    ("Fenwick (pictured) said the dam was safe.", "fenwick", "reported"),
    ("Fenwick — who has run the authority since 2015 — said the dam was safe.", "fenwick", "reported"),
    ("Fenwick also noted that rainfall had been unusually heavy.", "fenwick", "reported"),
    ("Kovacs is saying the budget cannot be cut.", "kovacs", "reported"),
    ("Kovacs responded that the figures were outdated.", "kovacs", "reported"),
    ('Kovacs replied: "Ask the auditors."', "kovacs", "quote"),
    ("Police detained the driver, Fenwick said.", "fenwick", "reported"),
    ("Kovacs, asked whether she would resign, said no.", "kovacs", "reported"),
    ("Fenwick visited the dam on Sunday.\nHe said the structure was sound.", "fenwick", "continuation"),
    ("Бастрыкин приехал в Казань в понедельник. Он заявил, что виновные будут наказаны.", "bas", "continuation"),
    ("Kovacs told reporters on Tuesday that talks had stalled.", "kovacs", "reported"),
    ("“The bridge is safe,” Kovacs wrote on Telegram.", "kovacs", "quote"),
    ("Fenwick argued in court that the contract was void.", "fenwick", "reported"),
    ("Mr. Fenwick said he was disappointed.", "fenwick", "reported"),
    ("Fenwick on Monday announced his resignation.", "fenwick", "reported"),
]

NEGATIVE = [
    ("Protesters criticised Kovacs outside the town hall.", "kovacs"),
    ("A photo of Kovacs at the ribbon-cutting went viral.", "kovacs"),
    ("Kovacs was seen leaving the building on Tuesday.", "kovacs"),
    ("Kovacs's car was found abandoned near the river.", "kovacs"),
    ("Sources close to Kovacs said she was considering resigning.", "kovacs"),
    ("Kovacs was told by officials that the bridge would stay shut.", "kovacs"),
    ("Asked about Kovacs, the minister said he had no comment.", "kovacs"),
    ("The minister told Kovacs that the funds had been frozen.", "kovacs"),
    ("Fenwick denied entry to the inspectors.", "fenwick"),
    ("Fenwick was denied entry at the border.", "fenwick"),
    ("Fenwick said to be ill, reports claim.", "fenwick"),
    ("Fenwick is said to be considering retirement.", "fenwick"),
    ("A spokesman for Fenwick said the engineer was unavailable.", "fenwick"),
    ("Fenwick's spokesman said the engineer was unavailable.", "fenwick"),
    ('"We cannot let Kovacs destroy this city," the opposition leader said.', "kovacs"),
    ("The opposition leader said Kovacs had lied.", "kovacs"),
    ("Kovacs did not respond to a request for comment.", "kovacs"),
    ("Kovacs declined to comment.", "kovacs"),
    ("Kovacs could not be reached for comment.", "kovacs"),
    ("Voters elected Kovacs in 2019.", "kovacs"),
    ("A lawsuit against Fenwick claims the dam was poorly maintained.", "fenwick"),
    ("Fenwick posted bail on Friday.", "fenwick"),
    ("Fenwick added a second goal in the 80th minute.", "fenwick"),
    ("Fenwick claimed victory in the regional election.", "fenwick"),
    ("Fenwick declared bankruptcy in 2012.", "fenwick"),
    ("Fenwick was admitted to hospital on Sunday.", "fenwick"),
    ("Kovacs reported for duty at dawn.", "kovacs"),
    ("Anna Kovacs said the school would reopen.", "kovacs"),
    ("The Kovacs Foundation said it would donate the funds.", "kovacs"),
    ("Kovacsevic said the deal was off.", "kovacs"),
    ("Officials said they had warned Fenwick about the cracks.", "fenwick"),
    ("Fenwick, the mayor said, had ignored the warnings.", "fenwick"),
    ("Critics of Fenwick said the dam was neglected.", "fenwick"),
    ("The court that convicted Fenwick said the sentence was lenient.", "fenwick"),
    ("An aide to Bastrykin said the meeting had been cancelled.", "bas"),
    ("Путин поблагодарил Бастрыкина за работу.", "bas"),
    ("Журналисты сказали Бастрыкину, что дело закрыто.", "bas"),
    ("Представитель Бастрыкина заявил, что встреча отменена.", "bas"),
    ("Bastrykin's deputy told reporters the case was closed.", "bas"),
    ("The Bastrykins said they were shocked.", "bas"),
    ("Kovacs met Prime Minister Peter Hall on Monday. He said the talks went well.", "kovacs"),
    ("The minister told Kovacs the bridge would stay shut. He added that funds were frozen.", "kovacs"),
    ("Kovacs arrived at noon. Hall greeted her. She said the talks went well.", "kovacs"),
    ("Fenwick was questioned about the cracks.", "fenwick"),
    ("Fenwick told to step down, say union leaders.", "fenwick"),
    ('"Kovacs said she would resign," a source told the newspaper.', "kovacs"),
    ("Kovacs accused of fraud in leaked report.", "kovacs"),
    ("Fenwick maintained his lead in the polls.", "fenwick"),
    ("Reporters asked Fenwick about the cracks.", "fenwick"),
    ("A report by Fenwick's office said the dam was safe.", "fenwick"),
    ("Lawyers representing Kovacs said she was innocent.", "kovacs"),
    ("Kovacs declined to say whether she would run.", "kovacs"),
    ("Fenwick smiled and waved at the crowd.", "fenwick"),
    ("Fenwick said to have fled the country.", "fenwick"),
    ("Durand's husband told Le Monde the festival was cancelled.", "durand"),
    ("Fenwick resigned in March. Three weeks later, the board said it had found no wrongdoing.", "fenwick"),
    ("Бастрыкин поручил возбудить уголовное дело.", "bas"),
]

# Written before speaker.py existed; kept apart so the numbers on them can be quoted separately.
HELDOUT = [
    ("Marsh, speaking at a rally in Leeds on Saturday, said the budget was a disgrace.", "marsh", "reported"),
    ("“It is over,” Helena Marsh told the BBC.", "marsh", "quote"),
    ("The council voted against Marsh on Tuesday.", "marsh", None),
    ("Critics of Helena Marsh said the plan would fail.", "marsh", None),
    ("Marsh has repeatedly argued that the tax is unfair.", "marsh", "reported"),
    ("A lawyer for Marsh declined to comment.", "marsh", None),
    ("According to Ms Marsh, the talks collapsed late on Friday.", "marsh", "according-to"),
    ("Marsh's comments drew criticism from unions.", "marsh", "possessive"),
    ("Marsh's daughter said the family was relieved.", "marsh", None),
    ("Police said they had interviewed Marsh twice.", "marsh", None),
    ("Okafor wrote on Facebook that he would not resign.", "okafor", "reported"),
    ("“We are ready,” said Tomas Okafor, the team's coach.", "okafor", "quote"),
    ("Fans chanted Okafor's name throughout the match.", "okafor", None),
    ("Okafor was questioned by detectives for six hours.", "okafor", None),
    ("The striker, Tomas Okafor, 29, told reporters he felt fine.", "okafor", "reported"),
    ("Okafor posted bail on Monday.", "okafor", None),
    ("Okafor is said to be considering an offer from Spain.", "okafor", None),
    ("In a statement, Okafor confirmed he had signed the contract.", "okafor", "reported"),
    ("Reporters asked Okafor about the injury.", "okafor", None),
    ("Bastrykin ordered a criminal case to be opened.", "bas", None),
    ("Глава СК Александр Бастрыкин поручил возбудить уголовное дело.", "bas", None),
    ("Об этом заявил глава СК Александр Бастрыкин.", "bas", "reported"),
    ("По словам Бастрыкина, расследование продолжается.", "bas", "according-to"),
    ("Журналисты спросили Бастрыкина о деле.", "bas", None),
    ("Bastrâkin told state television the suspects had been detained.", "bas", "reported"),
    ("A portrait of Bastrykin hangs in the lobby.", "bas", None),
    ("Ingrid Solberg, the foundation's director, warned that funding would run out.", "solberg", "reported"),
    ("The prize was awarded to Ingrid Solberg.", "solberg", None),
    ("Solberg arrived in Oslo on Monday. She told reporters the deal was close.", "solberg", "continuation"),
    ("Solberg met Prime Minister Jonas Berg on Monday. He said the deal was close.", "solberg", None),
    ("Solberg did not respond to requests for comment.", "solberg", None),
    ("Solberg declined to say whether she would run.", "solberg", None),
    ("“We will not give up,” Solberg insisted.", "solberg", "quote"),
    ("The newspaper quoted Solberg as saying the deal was dead.", "solberg", "according-to"),
    ("Solberg is expected to announce her decision on Friday.", "solberg", None),
    ("Solberg, who was interviewed by police, has not been charged.", "solberg", None),
    ("Helena Marsh's statement was read out in court.", "marsh", "possessive"),
    ("Marsh: “I never lied”", "marsh", "quote"),
    ("The minister told Marsh that her visa had been revoked.", "marsh", None),
    ("Officials told Marsh to leave. She refused.", "marsh", None),
    ("Anna Marsh said the school would reopen.", "marsh", None),
    ("Marshall said the vote was rigged.", "marsh", None),
]

# Written after the first implementation, in three rounds, each run once before any change:
# first-pass results were P 0.95 / R 0.91, P 1.00 / R 0.79 and P 1.00 / R 0.86. The misses were then
# fixed (or a label corrected where the sentence really is speech), so these are no longer unseen.
REVIEW = [
    ("Reyes, whose party lost 12 seats, conceded defeat late on Sunday.", "reyes", "reported"),
    ("\"I take full responsibility,\" Reyes, 48, said in a televised address.", "reyes", "quote"),
    ("Speaking to supporters in Valencia, Reyes vowed to fight on.", "reyes", "reported"),
    ("Reyes hit back at critics on Monday, saying the reforms were working.", "reyes", "reported"),
    ("The finance minister, Carmen Reyes, told parliament that the deficit would shrink.", "reyes", "reported"),
    ("The deficit will shrink, Reyes told parliament.", "reyes", "reported"),
    ("Reyes's office said she was recovering well.", "reyes", None),
    ("Supporters of Reyes rallied in the capital.", "reyes", None),
    ("Reyes was interviewed by the BBC on Tuesday.", "reyes", None),
    ("Reyes said in a statement on Thursday that she would not seek re-election.", "reyes", "reported"),
    ("The party has distanced itself from Reyes, who said last week that the election was rigged.", "reyes", "reported"),
    ("Reyes' comments were condemned by opposition lawmakers.", "reyes", "possessive"),
    ("A video shows Reyes shaking hands with the president.", "reyes", None),
    ("Reyes, according to two people familiar with the talks, has asked for more time.", "reyes", None),
    ("According to people close to Reyes, she is furious.", "reyes", None),
    ("Reyes insisted she had done nothing wrong.", "reyes", "reported"),
    ("In a letter to staff, Reyes wrote that the company faced tough choices.", "reyes", "reported"),
    ("Reyes has been accused of misleading parliament.", "reyes", None),
    ("The report criticised Reyes for failing to act.", "reyes", None),
    ("Lund, the club's manager, admitted his side had been poor.", "lund", "reported"),
    ("\"We were poor,\" admitted Lund.", "lund", "quote"),
    ("Lund was sacked on Monday after a run of defeats.", "lund", None),
    ("Lund's contract runs until 2027.", "lund", None),
    ("The board thanked Lund for his service.", "lund", None),
    ("Lund scored twice and added an assist.", "lund", None),
    ("Asked whether he would quit, Lund replied: \"Never.\"", "lund", "quote"),
    ("Lund told Sky Sports he was staying.", "lund", "reported"),
    ("Erik Lund, speaking after the match, said the referee had been unfair.", "lund", "reported"),
    ("Lund is set to be named the new coach.", "lund", None),
    ("Бастрыкин также поручил проверить информацию.", "bas", None),
    ("Председатель СК Александр Бастрыкин в интервью «Российской газете» заявил, что преступность снизилась.", "bas", "reported"),
    ("Бастрыкину доложили о ходе расследования.", "bas", None),
    ("Встреча с Бастрыкиным прошла в Кремле.", "bas", None),
    ("Alexander Bastrykin, Russia's top investigator, has repeatedly claimed that foreign agents are to blame.", "bas", "reported"),
    ("Russia's top investigator Alexander Bastrykin said the suspects would be extradited.", "bas", "reported"),
    ("Oduya said nothing about the allegations when approached by reporters.", "oduya", None),
    ("Oduya announced on Instagram that she was pregnant.", "oduya", "reported"),
    ("Oduya's lawyers said the claims were false.", "oduya", None),
    ("\"Grace Oduya is a national treasure,\" the minister said.", "oduya", None),
    ("Oduya, who was born in Nairobi, moved to London in 2009.", "oduya", None),
    ("Oduya arrived at the premiere in a red gown. She told reporters she was thrilled.", "oduya", "continuation"),
    ("Oduya thanked her fans. \"You are everything,\" she wrote.", "oduya", "continuation"),
    ("Oduya won the award last year. The jury said her performance was remarkable.", "oduya", None),
    ("The singer Grace Oduya told Variety she was taking a break.", "oduya", "reported"),
    ("Journalists asked Oduya about the rumours. She laughed.", "oduya", None),
    ("Oduya has not commented publicly.", "oduya", None),
    ("Hale says sorry after row over leaked emails", "hale", "reported"),
    ("Hale to face questions over leaked emails", "hale", None),
    ("Hale: I will not resign", "hale", "quote"),
    ("\"There is no crisis,\" Hale, who chairs the committee, told MPs.", "hale", "quote"),
    ("Hale told MPs there was no crisis, adding that the figures were \"robust\".", "hale", "reported"),
    ("MPs told Hale there was a crisis.", "hale", None),
    ("Hale, a former banker, has long argued for lower taxes.", "hale", "reported"),
    ("Hale is understood to have told colleagues he would step down.", "hale", None),
    ("It was Hale who first warned of the danger.", "hale", "reported"),
    ("Neither Hale nor his deputy commented.", "hale", None),
    ("Hale and his wife said they were grateful for the support.", "hale", "reported"),
    ("Hale's resignation letter said he had been treated unfairly.", "hale", "possessive"),
    ("The inquiry heard from Hale on Tuesday.", "hale", None),
    ("Hale gave evidence to the inquiry on Tuesday. He said he had acted in good faith.", "hale", "continuation"),
    ("Hale gave evidence to the inquiry on Tuesday. Lawyers for the families said he had lied.", "hale", "reported"),
    ("Hale spoke to reporters outside his home.", "hale", "reported"),
    ("Hale will speak at the conference next month.", "hale", "reported"),
    ("Hale was heard saying that the vote was a sham.", "hale", "reported"),
    ("A recording appears to show Hale saying the vote was a sham.", "hale", "reported"),
    ("Chen, the company's founder, estimated that sales would double.", "chen", "reported"),
    ("Wei Chen estimates the market at $4bn.", "chen", "reported"),
    ("Analysts expect Chen to announce layoffs.", "chen", None),
    ("Chen was named chief executive in 2020.", "chen", None),
    ("Chen is scheduled to testify before Congress next week.", "chen", None),
    ("\"We are not for sale,\" Chen said in an email to staff seen by Reuters.", "chen", "quote"),
    ("An email from Chen to staff, seen by Reuters, said the company was not for sale.", "chen", "possessive"),
    ("Chen's testimony contradicted earlier statements.", "chen", "possessive"),
    ("The company said Chen had resigned for personal reasons.", "chen", None),
    ("Chen confirmed the layoffs in a memo.", "chen", "reported"),
    ("Chen confirmed as new chief executive", "chen", None),
    ("Петренко заявила, что не собирается уходить в отставку.", "nadia", "reported"),
    ("Nadia Petrenko told Ukrainska Pravda that talks had stalled.", "nadia", "reported"),
    ("Петренко отказалась от комментариев.", "nadia", None),
    ("В отношении Петренко возбуждено уголовное дело.", "nadia", None),
    ("Мэр Петренко рассказала журналистам о планах.", "nadia", "reported"),
    ("Бастрыкин поблагодарил следователей. «Вы проделали большую работу», — сказал он.", "bas", "continuation"),
    ("Бастрыкин провёл совещание. Прокурор Иванов сообщил, что дело передано в суд.", "bas", None),
    ("Alexander Bastrykin's committee said the suspects had been detained.", "bas", None),
    ("Bastrykin, speaking on state television, said the attack had been planned abroad.", "bas", "reported"),
    ("State television showed Bastrykin inspecting the site.", "bas", None),
    ("Chen and Hale traded barbs on Monday.", "hale", None),
    ("Petrenko's deputy, Oleh Marchuk, said the budget was final.", "nadia", None),
    ("Deputy mayor Oleh Marchuk said Petrenko would return next week.", "nadia", None),
    ("Petrenko, Marchuk said, would return next week.", "nadia", None),
    ("Ward, the Labour MP for Hartlepool since 2017, said on Sunday that the closure would cost 400 jobs.", "ward", "reported"),
    ("\"This is devastating for the town,\" said Ward.", "ward", "quote"),
    ("The closure, Ward warned, would cost 400 jobs.", "ward", "reported"),
    ("Ward urged ministers to intervene.", "ward", "reported"),
    ("Ministers urged Ward to back the deal.", "ward", None),
    ("Ward voted against the bill.", "ward", None),
    ("Ward's warning came as the company confirmed the closure.", "ward", "possessive"),
    ("The company confirmed the closure in a letter to Ward.", "ward", None),
    ("Ward has written to the business secretary demanding answers.", "ward", "reported"),
    ("Ward was among 40 MPs who signed the letter.", "ward", None),
    ("Speaking in the Commons, Ward described the decision as \"a betrayal\".", "ward", "reported"),
    ("Ward later told the BBC: \"We will fight this.\"", "ward", "quote"),
    ("Ward, 38, is the party's spokeswoman on industry.", "ward", None),
    ("Ito said the yen's fall was \"excessive\" and that authorities were watching closely.", "ito", "reported"),
    ("Finance minister Kenji Ito declined to say whether Tokyo had intervened.", "ito", None),
    ("Markets rallied after Ito's comments.", "ito", "possessive"),
    ("Traders shrugged off Ito's appointment.", "ito", None),
    ("Ito will hold talks with his US counterpart on Friday.", "ito", None),
    ("\"We will take appropriate action,\" Ito told reporters at the ministry.", "ito", "quote"),
    ("Ito is known to favour a weaker yen.", "ito", None),
    ("According to a ministry official who briefed reporters, Ito was furious.", "ito", None),
    ("In an interview with Nikkei, Ito said rates would stay low.", "ito", "reported"),
    ("Ito repeated his warning on Tuesday.", "ito", "reported"),
    ("Морозов сообщил, что завод возобновит работу в марте.", "morozov", "reported"),
    ("Губернатор Павел Морозов подписал указ о выплатах.", "morozov", None),
    ("Решение Морозова вызвало протесты.", "morozov", None),
    ("«Работа возобновится в марте», — пообещал Морозов.", "morozov", "quote"),
    ("Как рассказал Морозов журналистам, выплаты начнутся в апреле.", "morozov", "reported"),
    ("Журналисты направили Морозову запрос.", "morozov", None),
    ("Pavel Morozov, the regional governor, told Kommersant the plant would reopen.", "morozov", "reported"),
    ("Investigators led by Alexander Bastrykin raided the offices.", "bas", None),
    ("Bastrykin's investigators raided the offices.", "bas", None),
    ("Bastrykin personally took charge of the case, Interfax reported.", "bas", None),
    ("Interfax quoted Bastrykin as saying that the suspects were foreign agents.", "bas", "according-to"),
    ("The Investigative Committee, headed by Bastrykin, said the suspects were foreign agents.", "bas", None),
    ("Бастрыкин лично взял дело на контроль. По его словам, виновные будут найдены.", "bas", "continuation"),
    ("Bastrykin arrived in Kazan on Tuesday. \"Nobody will escape punishment,\" he said.", "bas", "continuation"),
    ("Bastrykin arrived in Kazan on Tuesday. The local governor said security had been tightened.", "bas", None),
    ("Ward met union leaders on Monday. They said the talks were constructive.", "ward", None),
    ("Ward met union leaders on Monday. She said afterwards that the talks had been constructive.", "ward", "continuation"),
]

LABELLED = [(t, k, h) for t, k, h in POSITIVE] + [(t, k, None) for t, k in NEGATIVE] + REVIEW


def _hows(text: str, key: str) -> list[str]:
    return [e.how for e in find_speech(text, SPEAKERS[key])]


def _check(text: str, key: str, expected: str | None) -> None:
    hows = _hows(text, key)
    if expected is None:
        assert hows == [], f"{text!r}: expected no speech, got {hows}"
    else:
        assert expected in hows, f"{text!r}: expected {expected}, got {hows or 'nothing'}"


@pytest.mark.parametrize(("text", "key", "expected"), LABELLED, ids=[c[0][:60] for c in LABELLED])
def test_labelled(text: str, key: str, expected: str | None) -> None:
    _check(text, key, expected)


@pytest.mark.parametrize(("text", "key", "expected"), HELDOUT, ids=[c[0][:60] for c in HELDOUT])
def test_heldout(text: str, key: str, expected: str | None) -> None:
    _check(text, key, expected)


def test_evidence_offsets_point_into_the_text() -> None:
    text = 'Floods hit the valley.\n"We will rebuild," said Alexander Bastrykin. He added that aid was coming.'
    ev = find_speech(text, SPEAKERS["bas"])
    assert [e.how for e in ev] == ["quote", "continuation"]
    first = ev[0]
    assert text[first.sentence_start : first.sentence_start + len(first.sentence)] == first.sentence
    assert text[first.alias_start : first.alias_start + len(first.alias)] == first.alias == "Alexander Bastrykin"
    assert ev[1].sentence == "He added that aid was coming."
    assert ev[1].alias_start == first.alias_start
    assert isinstance(first, SpeechEvidence)


def test_alias_as_written_with_case_ending_and_diacritics() -> None:
    ev = find_speech("По словам Бастрыкина, дело закрыто.", SPEAKERS["bas"])
    assert ev and ev[0].alias == "Бастрыкина"
    ev = find_speech("Bastrâkin said the case was closed.", SPEAKERS["bas"])
    assert ev and ev[0].alias == "Bastrâkin"


def test_surname_needs_no_explicit_alias_but_phrase_must_match() -> None:
    assert _hows("Kovacs said yes.", "kovacs") == ["reported"]
    assert _hows("Maria Kovacs said yes.", "kovacs") == ["reported"]
    assert _hows("Maria said yes.", "kovacs") == []  # first name alone is not an alias


def test_fast_fold_equals_text_fold() -> None:
    sample = "Bastrâkin İstanbul Ёлкин ÉLODIE “quoted” — straße ǅ ﬁ Ⅻ 𝔘 Ωmega"
    assert fold_fast(sample) == fold(sample)
    assert fold_fast("Plain ASCII Text") == fold("Plain ASCII Text")


def test_no_mention_no_evidence() -> None:
    assert find_speech("", SPEAKERS["kovacs"]) == []
    assert find_speech("The mayor said the bridge was safe.", SPEAKERS["kovacs"]) == []


def _article(words: int, seed: int = 7) -> str:
    rnd = random.Random(seed)
    vocab = re.findall(
        r"\S+",
        "the council said on Tuesday that a new bridge would open in spring while residents complained about "
        "traffic and the regional minister promised more funding for roads schools and hospitals next year",
    )
    sentences = []
    count = 0
    while count < words:
        n = rnd.randint(12, 25)
        s = " ".join(rnd.choice(vocab) for _ in range(n))
        sentences.append(s[0].upper() + s[1:] + ".")
        count += n
    sentences.insert(len(sentences) // 2, '"We will rebuild," Maria Kovacs told reporters.')
    sentences.insert(len(sentences) // 3, "Protesters gathered outside the office of Kovacs.")
    return " ".join(sentences)


def _clear_text_caches() -> None:
    tokens.fold_fast.cache_clear()
    tokens.sentences_of.cache_clear()
    tokens.quote_spans.cache_clear()
    tokens.sentence_views.cache_clear()


def test_cost_is_bounded_by_work_not_by_clock() -> None:
    """Deterministic stand-in for a timing test (the milliseconds are printed by
    benchmarks/speaker_real.py): a speaker who is not named costs one fold and a substring test,
    with no sentence split and no token view; a named speaker builds the article's views once, and
    every further speaker rule on the same article reuses them; only sentences with a mention or
    a candidate pronoun are tokenised."""
    text = _article(1000)
    named, absent, other = SPEAKERS["kovacs"], SPEAKERS["solberg"], SPEAKERS["reyes"]
    _clear_text_caches()
    assert find_speech(text, absent) == []
    assert tokens.sentences_of.cache_info().misses == 0, "an absent speaker split the article into sentences"
    assert tokens.sentence_views.cache_info().misses == 0, "an absent speaker built token views"
    assert find_speech(text, named), "the named speaker in the generated article was not found"
    assert tokens.sentences_of.cache_info().misses == 1
    views = tokens.sentence_views(text)
    built = len(views)
    n_sentences = len(tokens.sentences_of(text))
    mentioned = sum(1 for s in tokens.sentences_of(text) if "Kovacs" in s.text)
    # each sentence with a mention, and at most the two after it (where a he/she may continue it)
    assert 0 < built <= 3 * mentioned < n_sentences, f"{built} of {n_sentences} sentences tokenised for {mentioned} mentions"
    for spec in (named, other, absent, named):
        find_speech(text, spec)
    assert tokens.sentences_of.cache_info().misses == 1, "a further rule on the same article split it again"
    assert tokens.sentence_views.cache_info().misses == 1, "a further rule on the same article rebuilt its views"
    assert len(tokens.sentence_views(text)) == built


def _scores(cases) -> tuple[float, float, int, int, int]:
    tp = fp = fn = 0
    for text, key, expected in cases:
        said = bool(find_speech(text, SPEAKERS[key]))
        tp += said and expected is not None
        fp += said and expected is None
        fn += (not said) and expected is not None
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def test_precision_and_recall() -> None:
    for label, cases in (("labelled", LABELLED), ("held-out", HELDOUT), ("all", LABELLED + HELDOUT)):
        p, r, tp, fp, fn = _scores(cases)
        print(f"\n{label}: {len(cases)} cases, precision {p:.3f}, recall {r:.3f} (tp {tp}, fp {fp}, fn {fn})")
    p, r, *_ = _scores(LABELLED + HELDOUT)
    assert p >= 0.95 and r >= 0.9
