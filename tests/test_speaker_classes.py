"""The `speaker` condition on the error classes found in real political news (issue 14).

One class per list: sentences written for these tests in the shape of US wire and newspaper copy
(no text of the evaluation data). A class lists cases that must fire and cases that must not, so a
fix for one cannot silently buy recall with false alarms.
"""

from __future__ import annotations

import pytest

from watcher.match.speaker import SpeakerSpec, find_speech

TALLY = SpeakerSpec("Rick Tally", ("Tally",))
MARKS = SpeakerSpec("Jo Marks", ("Marks",))

# (class, text, fires)
CASES = [
    # Quotation marks that do not pair up in the copy: “…," and ''…''
    ("mixed quotes", '“We will win this," Tally said at the rally. "Nobody can stop us.”', True),
    ("mixed quotes", "''We will win this,'' Tally said.", True),
    ("mixed quotes", '“Tally will lose," the governor said at the rally.', False),
    ("mixed quotes", "''Tally will lose,'' the governor said.", False),
    # Titles, party tags and appositions between the name and the cue verb
    ("apposition", "Gov. Rick Tally (R-Ohio), said, “We will win.”", True),
    ("apposition", "Sen. Rick Tally, R-Ore., said the bill was dead.", True),
    ("apposition", "Rick Tally, chief strategist in Denver at Hall Capital Ltd., said in a note that rates would rise.", True),
    ("apposition", "Rick Tally Jr., the director of the agency, said the files were lost.", True),
    ("apposition", "Tally, who calls the mayor a “crook,” said he would run again.", True),
    ("apposition", "Rep. Rick Tally (D-Ore.) said in a statement that the vote was rigged.", True),
    ("apposition", "Tally, according to two aides, has asked for more time.", False),
    ("apposition", "Tally, the mayor said, had ignored the warnings.", False),
    # Inverted order with long titles: `"…," said <title> X`
    ("inverted title", '"It is over," said Del. Rick Tally of the Virgin Islands.', True),
    ("inverted title", '"It is over," said Army 1st Lt. Rick Tally.', True),
    ("inverted title", '"It is over," said 9/11 widow Rick Tally.', True),
    ("inverted title", '"It is over," said ranking committee Democrat Rick Tally (D-Md.).', True),
    ("inverted title", "Said Rick Tally, who grew up in the town, “We were all proud.”", True),
    ("inverted title", "“The plan is dead,” agrees Rick Tally, 30, of Salem, Ore.", True),
    ("inverted title", '"It is over," said Jo Marks, who ran against Tally.', False),
    ("inverted title", "The council said police arrested Tally on Monday.", False),
    # say + as: "X said as the crowd cheered" is speech; "X described as" is not
    ("said as", '"It is over," Tally said as the crowd cheered.', True),
    ("said as", "Tally, described as a loner, lived alone.", False),
    # Participles: the -ing cue belongs to the subject of the clause
    ("participle", "Tally threw his support behind Sen. Jo Marks (R-Texas) on Wednesday, saying it was time for change.", True),
    ("participle", "Tally was blunt about his dislike of the plan, saying voters deserved better.", True),
    ("participle", "Tally revised his plan, promising to focus its benefits on workers.", True),
    ("participle", "Tally appeared with the host and endorsed Marks, calling her “a fighter.”", True),
    ("participle", "Marks also complained that Tally is too rigid, suggesting he sees the issue as “black and white.”", False),
    ("participle", "Tally met Marks, who left early, saying she was tired.", False),
    ("participle", "Tally was attacked by Marks on Monday, saying nothing in reply.", False),
    # Cue verbs beyond `say`: call + quoted label, ask, phrasal cues, remind, declare + clause
    ("other cue verbs", "Tally called the plan “a disaster.”", True),
    ("other cue verbs", "Tally called half of the voters “fools.”", True),
    ("other cue verbs", "Tally asked the mayor to explain the delay.", True),
    ("other cue verbs", "Tally asks him about his tax returns.", True),
    ("other cue verbs", "Tally fired back that the report was wrong.", True),
    ("other cue verbs", "Tally lashed out at the press on Monday.", True),
    ("other cue verbs", "Tally railed against the judge at a rally in San Diego.", True),
    ("other cue verbs", "Tally reminded voters that he had opposed the war.", True),
    ("other cue verbs", "Tally on Friday declared the mayor was a threat to the city.", True),
    ("other cue verbs", "Tally emphatically proclaimed at a press conference, “I did nothing wrong.”", True),
    ("other cue verbs", "Tally called the police after the break-in.", False),
    ("other cue verbs", "Tally was called “a fraud” by his rival.", False),
    ("other cue verbs", "Tally fired the campaign manager on Monday.", False),
    ("other cue verbs", "Tally reminded many of his late father.", False),
    ("other cue verbs", "Tally declared bankruptcy in 2012.", False),
    # A name that modifies another noun is not a person acting
    ("modifier", "Mayor Jo Marks, a Tally supporter, said Tally campaign aides would meet on Friday.", False),
    ("modifier", "“We won,” said Rick Hollis, a Tally backer.", False),
    ("modifier", "Tally campaign spokesman Jo Marks said the rally was cancelled.", False),
    ("modifier", "The Tally campaign pushed back, calling the report false.", False),
    ("modifier", "Tally aides said the rally was cancelled.", False),
    ("modifier", "Tally said the rally was cancelled.", True),
    ("modifier", "Tally plans to say more on Friday, his aide said. Tally insisted he was innocent.", True),
]


@pytest.mark.parametrize(("kind", "text", "fires"), CASES, ids=[f"{c[0]}: {c[1][:50]}" for c in CASES])
def test_error_class(kind: str, text: str, fires: bool) -> None:
    found = find_speech(text, TALLY)
    if fires:
        assert found, f"{kind}: {text!r} should make Tally a speaker"
    else:
        assert not found, f"{kind}: {text!r} should not, found {[(e.how, e.sentence) for e in found]}"


def test_the_other_person_of_a_modifier_still_speaks() -> None:
    """In "Tally campaign spokesman Jo Marks said", Marks speaks."""
    found = find_speech("Tally campaign spokesman Jo Marks said the rally was cancelled.", MARKS)
    assert [e.how for e in found] == ["reported"]
