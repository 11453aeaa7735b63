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
    # He/she continuing a person named before it in the paragraph, in the same or a later sentence
    ("pronoun", "Ms. Tally was shocked by the reaction from the crowd, she said in an interview later.", True),
    ("pronoun", "Tally pointed to the polls, cracking a smile as he noted that the race had tightened.", True),
    ("pronoun", "Tally was asked about it during the debate on Thursday night in Miami. He said he had not seen it.", True),
    ("pronoun", "Tally, who has held town halls in New Hampshire, is not worried. “We will win,” he told reporters.", True),
    ("pronoun", "Rick Tally, the progressive icon, made the same case in 2012. Companies are part of communities, he said.", True),
    ("pronoun", "Rick Tally, the campaign's New England director, has signed up hundreds. “It's easier now,” he said.", True),
    ("pronoun", "Rick Tally, a pollster for The Wall Street Journal and NBC News, sounded a cautious note. The mood is sour, he said.", True),
    ("pronoun", "Part of the problem, say experts like Rick Tally, a Canadian geophysicist, is the soil. Radar does not help, he said.", True),
    ("pronoun", "Texas Sen. Rick Tally has made no secret of his views. He has also suggested that voters deserve better.", True),
    ("pronoun", 'Rick Tally, 18, from Lee County, Fla., disagrees. "It is wrong," he says.', True),
    ("pronoun", "Tally met Gov. Jo Marks on Monday. He said the talks went well.", False),
    ("pronoun", "Marks told Tally the plan was dead. He added that funds were frozen.", False),
    ("pronoun", "Tally met the governor, and she said the talks went well.", False),
    ("pronoun", "Tally met the governor on Monday. She said the talks went well.", False),
    ("pronoun", "Tally watched as Marks spoke. She said the plan was dead.", False),
    ("pronoun", "The mayor told Tally that she would not resign.", False),
    # Two subjects or two verbs joined by "and"/"but"; fillers between subject and verb
    ("coordination", "Former Ohio Gov. Rick Tally (R) and former Arkansas Gov. Jo Marks (D) announced they will quit.", True),
    ("coordination", "Rick Tally, the party chairman, this past week announced a new website.", True),
    ("coordination", "Tally has freed up $26 million and on Monday announced more funds for the city.", True),
    ("coordination", "Tally used to support the senator, but now said the senator had lost his way.", True),
    ("coordination", "Tally has freed up $26 million, and Marks said more funds would follow.", False),
    ("coordination", "Jo Marks signed an order, while Tally proposed a ban and said the speaker should resign.", True),
    ("coordination", "A former candidate -- Rick Tally, who lost the 2008 election -- said the plan had failed.", True),
    ("coordination", "Marks said Tally had begun making calls, but said the outcome was still open.", False),
    ("coordination", "Tally lost the vote but his deputy said the fight would go on.", False),
    # An opening -ing cue whose subject is the person
    ("opening participle", "Noting that the plan had failed twice, Tally reminded voters of his own proposal.", True),
    ("opening participle", "Noting that Tally had failed twice, the mayor proposed a new plan.", False),
    ("opening participle", "Saying the plan had failed, officials fired Tally on Monday.", False),
    # A middle initial after the first name is the same person
    ("initial", "Secretary of State Rick J. Tally said the talks would resume.", True),
    ("initial", "Rick J. Tally Jr., the vice president, said the rules were fair.", True),
    ("initial", "J. Tally said the school would reopen.", False),
    ("initial", "Anna J. Tally said the school would reopen.", False),
    # Capitalised words that look like cue verbs are names: "United States"
    ("capitalised", "''It is clear,'' Rick Tally, a former United States ambassador to Russia, said of the network.", True),
    # "was quick to add", "took the stage to acknowledge": a realised act of speech, not a plan
    ("infinitive", "Tally was quick to add that the deal was not dead.", True),
    ("infinitive", "Tally took the stage on Tuesday night to acknowledge his victory.", True),
    ("infinitive", "Tally is expected to announce his decision on Friday.", False),
    ("infinitive", "Tally declined to say whether he would run.", False),
    ("infinitive", "Tally wants to explain his plan next week.", False),
    # A short adverbial between subject and verb
    ("adverbial", "Tally during a Sunday rally thanked the nurses and called the union “a sponsor of my campaign.”", True),
    ("adverbial", "Tally at the debate said the plan was dead.", True),
    # Labelling verbs with a quotation after their object
    ("label + quote", "Tally compared the mayor to a duck, “smoothly sailing on the surface.”", True),
    ("label + quote", "Tally refers to the governor as “Chris.”", True),
    ("label + quote", "Tally compared the two plans in a long essay.", False),
    # A headline `X: claim` (a one-line title)
    ("headline", "Tally: Marks Is Unfit to Serve as Governor", True),
    ("headline", "The panel met on Monday.\nTally: Marks Is Unfit to Serve as Governor, the panel heard from witnesses.", False),
    # A question quoted in its own sentence: `"…?" X asked.`
    ('question', '"Can you really reform Wall Street?" Tally asked. "I have doubts."', True),
    ('question', '"Is that you?" the host asked Tally.', False),
    # More -ing cues: after a cue verb, after "by", at the start of an apposition
    ("participle 2", "In an interview, Tally continued to question the senator's temper, saying he could not make deals.", True),
    ("participle 2", "Tally posted a comment of her own, saying, “We are so excited!”", True),
    ("participle 2", "Tally picked up from his daughter by saying he was ready to serve.", True),
    ("participle 2", "Tally, after initially saying he would not advertise, bought airtime this week.", True),
    ("participle 2", "Critics of Tally, after saying he would lose, changed their minds.", False),
    # The one asking a question speaks: "asked by X"
    ("asked by", "Marks was asked by host Rick Tally whether she would run.", True),
    ("asked by", "Asked by Tally if he agreed, the governor said no.", True),
    ("asked by", "Marks was appointed by Tally in 2019.", False),
    # One of a group of speakers: "critics like X said", "several candidates, including X, said"
    ("group", "Proponents like Mr. Tally urged the administration to raise the cutoff.", True),
    ("group", "Several candidates, including Tally, said the country should take no more refugees.", True),
    ("group", "Critics like Tally were ignored by the board.", False),
    ("group", "People close to Tally said he was angry.", False),
    ("group", "Officials who met Tally, including the mayor, said he was angry.", False),
    # A message of X's speaks for X; a progressive `is calling` in a headline
    ("message", 'After the attacks, Tally released a radio ad calling it "dangerous" that the mayor had no plan.', True),
    ("message", "Rick Tally Is Now Calling Jo Marks The ‘Most Valuable Player’ For The Rebels", True),
    ("message", "Marks released a radio ad calling Tally “dangerous.”", False),
    # Inflections of the cue lexicon: doubled consonants
    ("inflection", '"Please stay," Tally begged.', True),
    ("inflection", '"Enough," Tally snapped.', True),
    ("inflection", "Tally slammed the deal as “a disgrace.”", True),
    # Verbs of public judgement and agreement
    ("judgement verbs", "Tally likened the network to the BBC in an interview last week.", True),
    ("judgement verbs", "Tally denounced the annexation in an on-air diatribe.", True),
    ("judgement verbs", "Tally, the former attorney general, criticized the senator's use of email.", True),
    ("judgement verbs", "Tally agreed that the rules should be modernized.", True),
    ("judgement verbs", "Tally agreed to pay a 2 percent fee.", False),
    ("judgement verbs", "Critics denounced Tally on Monday.", False),
    ("judgement verbs", "Tally will follow Marks's speech denouncing the plan with a speech of his own.", False),
    ("judgement verbs", "Tally expressed concerns about the plan on Monday.", True),
    ("judgement verbs", "Tally opined on the deal in a column.", True),
    ("judgement verbs", "Tally is talking about a new tax on imports.", True),
    ("judgement verbs", "Tally talks a good game.", False),
    ("judgement verbs", "Tally expressed the package to Ohio.", False),
    # The role comes first and the name is its apposition, in the inverted order
    ("role apposition", "He had a voice in decisions, said a former spokesman for the Foreign Ministry, Rick Tally, who ran as a candidate.", True),
    ("role apposition", "The plan failed, said critics of Tally.", False),
    ("role apposition", "The plan failed, said a lawyer for the family, which sued Tally.", False),
    # More places of an -ing cue: a "which" clause between, "with X tweeting", "X, despite admitting"
    ("participle 3", "Tally backed the party during his time at the network, which let him go in 2015, and said he did not support Marks.", True),
    ("participle 3", "Republicans were quick to chime in, with Tally tweeting that it was a disaster.", True),
    ("participle 3", "House Speaker Rick Tally, R-Wis., despite admitting he had concerns, backed the bill.", True),
    ("participle 3", "Tally met the mayor, who left early, and Marks said the talks had failed.", False),
    # Pronouns: a role of the other gender does not compete; a plural subject at sentence start
    ("pronoun 2", "Texas Sen. Rick Tally has made no secret of the fact that he spanks his daughter. He has also suggested voters deserve a spanking.", True),
    ("pronoun 2", "Tally has made no secret of the fact that he spanks his son. He has also suggested voters deserve a spanking.", False),
    ("pronoun 2", "Aides insisted it was no campaign event, but Tally's ballroom was full when he spoke. He railed against the budget.", True),
    # A possessive is a speaker only with a noun of speech as its head
    ("possessive", "Tally's remarks angered the crowd.", True),
    ("possessive", "Tally's email server was never hacked, investigators said.", False),
    ("possessive", "Tally's speech writer quit on Monday.", False),
    ("possessive", "Tally's car was found near the river.", False),
    # Proposals, citations, questions, defences and echoes are statements; `"…?" X pressed`
    ("proposal verbs", "Tally proposed a ban on imports from the region, citing fears of job losses.", True),
    ("proposal verbs", "Sen. Rick Tally, a Democrat from Ohio, has proposed taxing carbon emissions.", True),
    ("proposal verbs", "Tally, in turn, cites his followers as the source for the figure.", True),
    ("proposal verbs", "Tally questioned the governor about that position, but she was adamant.", True),
    ("proposal verbs", "Tally defended his endorsement this week on his radio show.", True),
    ("proposal verbs", "Tally echoed statements by the governor last week that the police were under attack.", True),
    ("proposal verbs", "“Would it be negotiable?” Tally pressed.", True),
    ("proposal verbs", "Tally press secretary Jo Marks gave it a try, tweeting that the rally was full.", False),
    ("proposal verbs", "The plan was proposed by Tally in 2014.", False),
    ("proposal verbs", "Tally was questioned by police on Monday.", False),
    ("proposal verbs", "Tally was cited for speeding on Monday.", False),
    # Headlines: a title-case verb after the name, `X to <cue>`, `X to Y: claim`; a lead-in ending in a colon
    ("headline 2", "Tally Warns Council Plan Would Ruin The Town", True),
    ("headline 2", "After The Vote, Tally Said The Words Everyone Was Thinking", True),
    ("headline 2", "Tally to call for a ban on fracking", True),
    ("headline 2", "Tally to Farm Bureau: the subsidies will stay", True),
    ("headline 2", "Tally continued:", True),
    ("headline 2", "That is, when the hosts mocked him again — Tally called them on it:", True),
    ("headline 2", "Tally Foundation Faces New Questions Over Donations", False),
    ("headline 2", "Tally to face Marks in the first debate", False),
    ("headline 2", "Tally has three options:", False),
    ("headline 2", "Tally lost the vote. Marks replied:", False),
    # Reported speech: one named between dashes after the group, -ing after "in", `As X put it`, `led X to announce`
    ("reported 2", "In the last few days, Democratic leaders — and, in particular, Sen. Rick Tally — insisted that the tax be delayed.", True),
    ("reported 2", "The mayor — Rick Tally — insisted that the tax be delayed.", True),
    ("reported 2", "Tally was magnanimous in declaring victory on Tuesday night.", True),
    ("reported 2", "As they met in Ottawa, Tally was 340 miles away in Bangor, Maine, promising to build a wall.", True),
    ("reported 2", "As Mr. Tally put it in a statement in July, the station is “a perspective you won't get elsewhere.”", True),
    ("reported 2", "Tally put it bluntly: the plan is dead.", True),
    ("reported 2", "The release of the emails led party chairman Rick Tally to announce his resignation.", True),
    ("reported 2", "Democratic leaders — and Tally's aides — insisted that the tax be delayed.", False),
    ("reported 2", "Tally put it on the table at the meeting.", False),
    ("reported 2", "The scandal led Tally to leave the network.", False),
    ("reported 2", "Marks joined Tally in the hall, in declaring the vote over.", False),
    # Speech inside another's quotation: a plain finite cue right after the name is a nested attribution
    ("nested", '"As we have explained before, the only figure is an announcement by the secretary. Then, in 2017, Tally said that 100,000 would be accepted.', True),
    ("nested", "“We met on Monday. Tally told us the plant would close. It was a shock,” the union leader said.", True),
    ("nested", "“We met on Monday, and Tally told us the plant would close,” the union leader said.", False),
    ("nested", "“Tally opened up a whole line of conversation,” the senator said.", False),
    ("nested", "“Tally just saying ‘believe me’ is not enough,” the senator said.", False),
    ("nested", "“[Tally's] comments were outrageous,” the senator said.", False),
    ("nested", "“The Tally campaign said nothing,” the senator said.", False),
    # he/she after a sentence whose subject is X while others are named after X: X's own his/her decides
    ("pronoun 3", "In an interview last week, Tally would not rule out shifting her position on Marks. She said she has no plans to change her vote.", True),
    ("pronoun 3", "Tally would not rule out shifting her position on Marks. He said the vote was close.", False),
    ("pronoun 3", "Tally attacked Marks on Monday. She said the attack was unfair.", False),
    ("pronoun 3", "Tally met the ambassador after his arrival. He said the talks went well.", False),
    # Quote-only and inverted cues, labelling verbs with a quotation
    ("other cue verbs 2", "“The paper claims you met them in January,” Tally started.", True),
    ("other cue verbs 2", "“Is the president profiling?” reacted Tally.", True),
    ("other cue verbs 2", "Tally credited the win to “a closed primary that shut out independents.”", True),
    ("other cue verbs 2", "Tally started the car and drove off.", False),
    ("other cue verbs 2", "Tally reacted angrily to the news.", False),
    # After an apposition: a second verb of X's clause, a statement issued, a feeling voiced; indicate/order + clause
    ("apposition 2", "One of the men, Rick Tally, 70, had served in Vietnam - ''13 months in hell'' - and said he was convinced the war was wrong.", True),
    ("apposition 2", "Rick Tally, chairman of the county party in Florida, voiced confidence that Marks would be easy to beat.", True),
    ("apposition 2", "Rick Tally, the committee's political director, released a statement confirming it will double its staff.", True),
    ("apposition 2", "House Speaker Rick Tally (R-Wis.) has indicated he has no plans to bring the measures up for a vote.", True),
    ("apposition 2", "Judge Rick Tally ordered that the records be released by Thursday.", True),
    ("apposition 2", "Rick Tally, 70, had served in Vietnam and later moved to Ohio.", False),
    ("apposition 2", "Judge Rick Tally ordered the records released by Thursday.", False),
    ("apposition 2", "Rick Tally, the chairman, indicated the exit with his hand.", False),
    # More verbs of saying: recount, hint, confess, protest, dispute, recommend, underscore, assail, thank ...
    ("more cue verbs", "Tally recounted how the crowd had turned on him.", True),
    ("more cue verbs", "Tally hinted that he might run again.", True),
    ("more cue verbs", "Tally thanked his parents, his wife and his campaign manager.", True),
    ("more cue verbs", "Tally assailed the governor's record on immigration.", True),
    ("more cue verbs", "Tally charged that the election was rigged.", True),
    ("more cue verbs", "The tax charged by Tally was repealed.", False),
    ("more cue verbs", "Tally charged the battery overnight.", False),
    ("more cue verbs", "It expanded the services that Tally demanded.", False),
    # Appositions: "--" typed for dashes, a comma inside the quotation that closes it, "Speaker of the House"
    ("apposition 3", "Rick Tally -- a Republican strategist -- said the party was split.", True),
    ("apposition 3", "Former Speaker of the House Rick Tally said the party was split.", True),
    ("apposition 3", 'Tally, whom the governor called "low energy," said the party was split.', True),
    ("apposition 3", "Tally, who called the plan “a disaster,” told reporters it would fail.", True),
    ("apposition 3", 'Tally, whom the governor called "low energy," Marks said, was not running.', False),
    ("apposition 3", "Marks met Rick Tally -- a Republican strategist -- and the two said nothing.", False),
    # Periphrases of saying: made the case / made clear, had this to say, among those who said, the first to say
    ("periphrasis", "Tally made the case that the party was split.", True),
    ("periphrasis", "Tally made it clear the party was split.", True),
    ("periphrasis", 'Tally, the chairman, had this to say: "The party is split."', True),
    ("periphrasis", "Tally was among those who said the party was split.", True),
    ("periphrasis", "Tally was one of the first to warn that the party was split.", True),
    ("periphrasis", "Tally and Marks both said the party was split.", True),
    ("periphrasis", "Marks, Tally and Smith all said the party was split.", True),
    ("periphrasis", "Tally made the team in 2010.", False),
    ("periphrasis", "Tally was the first to arrive.", False),
    ("periphrasis", "Tally was among those who lost their seats.", False),
    # A realised infinitive cue keeps X as its subject inside a subordinate clause; act + noun of speech
    ("infinitive 2", "Even before Tally took the stage on Tuesday night to acknowledge his victory, his campaign sent a text.", True),
    ("infinitive 2", "As Tally quickly seized on the attack to renew his call for a ban, others did the same.", True),
    ("infinitive 2", "Before Tally went to Ohio to campaign, Marks said he was tired.", False),
    ("infinitive 2", "As Tally rushed to the hospital to see his son, reporters waited.", False),
    ("infinitive 2", "After a verbal tussle, Tally managed to ask whether the views were dangerous.", True),
    ("infinitive 2", "Tally managed to finish the race.", False),
    ("more cue verbs", "Tally is keeping a lid on the party -- by touting his Senate record upstate.", True),
    # call X a Y; address an audience; offer a view / strike a tone; an opening "Speaking at ..."; object, disagree
    ("acts of speech", "Tally, meanwhile, has called the plan a failure.", True),
    ("acts of speech", "Tally is calling the plan a failure.", True),
    ("acts of speech", "Tally addressed the convention on Monday night.", True),
    ("acts of speech", "Tally offered a blistering critique of the plan.", True),
    ("acts of speech", "Tally struck a more conciliatory tone in his speech.", True),
    ("acts of speech", "Speaking at a rally in Ohio, Tally called the plan a failure.", True),
    ("acts of speech", "Tally objected to the plan.", True),
    ("acts of speech", "Tally disagreed.", True),
    ("acts of speech", "Tally called the police an hour later.", False),
    ("acts of speech", "Tally called a meeting for Monday.", False),
    ("acts of speech", "Tally was called a liar.", False),
    ("acts of speech", "Tally addressed the issue in a memo.", False),
    ("acts of speech", "Tally struck a deal with the unions.", False),
    ("acts of speech", "Tally offered a deal to the unions.", False),
    ("acts of speech", "Speaking on condition of anonymity, an aide said Tally was tired.", False),
    # Belief and intention speak only with quoted content
    ("belief + quote", "Tally believes the system is “rigged.”", True),
    ("belief + quote", "Tally hopes to \"bring the country together.\"", True),
    ("belief + quote", "Tally thinks the plan will fail.", False),
    ("belief + quote", "Tally thinks Marks said the plan was \"a disaster.\"", False),
    ("belief + quote", "Tally considered \"Hamilton\" the best show on Broadway.", False),
    # X's own clause closed by a colon and a quotation; doubled consonants (referred)
    ("colon + quote", 'Tally was blunt: "The plan failed."', True),
    ("colon + quote", 'Tally took to Twitter: "The plan failed."', True),
    ("colon + quote", "Tally didn't hold back: \"The plan failed.\"", True),
    ("colon + quote", 'Tally\'s verdict on the plan: "It failed."', True),
    ("colon + quote", 'Tally referred to the plan as "a total failure."', True),
    ("colon + quote", 'Tally met Marks: "It was a good talk," Marks said.', False),
    ("colon + quote", 'Tally\'s plan: "Build the wall."', False),
    ("colon + quote", "Tally faces a choice: stay or go.", False),
    # "as described by X"; a noun of speech by a role whose apposition is X
    ("by X", "The plan, as described by Tally, would cut taxes.", True),
    ("by X", "He was responding to complaints by the secretary of the Treasury, Rick Tally, that the surplus was too big.", True),
    ("by X", "The book was written by the former aide, Rick Tally, in 2010.", False),
    ("by X", "The house was built by the mayor's brother, Rick Tally.", False),
    # Same-sentence he/she past unnamed speakers in between, when X's own his/her gives the gender
    ("pronoun 4", "The moment that Ms. Tally, 21, held up her signs, supporters ripped them away, screaming slurs and calling her a liar, she said in an interview.", True),
    ("pronoun 4", "The moment that Tally held up her signs, Jo Marks ripped them away, calling her a liar, she said in an interview.", False),
    ("colon + quote", 'Tally, in a statement: "The plan failed."', True),
    ("colon + quote", 'Tally on Fox News: "The plan failed."', True),
    ("colon + quote", 'Tally, Marks wrote: "He won."', False),
    # Statements as adjectives and idioms: adamant that, critical of, took aim at, stood by his remarks ...
    ("idioms", "Tally, for his part, has been clear that he will run.", True),
    ("idioms", "Tally has been critical of the plan.", True),
    ("idioms", "Tally was quick to point out that the plan had failed.", True),
    ("idioms", "Tally raised concerns about the plan.", True),
    ("idioms", "Tally floated the idea of a new vote.", True),
    ("idioms", "Tally took a swipe at the governor.", True),
    ("idioms", "Tally doubled down on his comments.", True),
    ("idioms", "Tally stood by his comments.", True),
    ("idioms", "Tally congratulated Marks on her win.", True),
    ("idioms", "Tally was clear of any wrongdoing.", False),
    ("idioms", "Tally was in critical condition.", False),
    ("idioms", "Tally raised money for the campaign.", False),
    ("idioms", "Tally took aim with a rifle.", False),
    ("idioms", "Tally stood by the door.", False),
    ("idioms", "Tally walked back to his car.", False),
    ("more cue verbs", "Tally blamed the governor for the failure.", True),
    ("more cue verbs", "Tally rejected that idea.", True),
    ("more cue verbs", "Tally rejected the offer from the Yankees.", False),
    # Headlines with a tag before the name, and headline verbs of attack
    ("headline 3", "Exclusive — Rick Tally: Obama Is Destroying the Party", True),
    ("headline 3", "Tally Rips Governor Over Failed Plan", True),
    ("headline 3", "Tally Hits Governor Over Failed Plan", True),
    ("headline 3", "Tally Hits The Campaign Trail In Iowa", False),
    ("headline 3", "Marks Rips Tally Over Failed Plan", False),
    # A cue verb opening the sentence is no first name: "Said X: ..."
    ("opening cue", 'Experts doubt the plan will pass. Said Tally: "I have seen this before."', True),
    ("opening cue", "Says Tally, who ran the agency for a decade: “It will not work.”", True),
    ("opening cue", "Anna Tally said the school would reopen.", False),
    # An adjective after "a"/"an" before the name: "a beaming X said"
    ("adjective", "“We won,” a beaming Tally told supporters.", True),
    ("adjective", "“We won,” an exhausted Tally said after midnight.", True),
    ("adjective", "“We won,” said the governor, having beaten Tally.", False),
    # More cue verbs and their inflections, each with a non-speech use beside it
    ("cue verbs 3", "Tally demanded an apology from the network.", True),
    ("cue verbs 3", "Tally demands that the board resign.", True),
    ("cue verbs 3", "The bill expanded the services that Tally demanded.", False),
    ("cue verbs 3", "Tally wondered aloud whether the plan would survive.", True),
    ("cue verbs 3", "“Will we win?” Tally wondered.", True),
    ("cue verbs 3", "Tally wondered off into the crowd.", False),
    ("cue verbs 3", "Tally exclaimed, “We did it!”", True),
    ("cue verbs 3", "Tally texted reporters that the deal was off.", True),
    ("cue verbs 3", "Tally pleaded with voters to stay home.", True),
    ("cue verbs 3", "Tally has pleaded not guilty.", True),
    ("cue verbs 3", "“Give us time,” Tally offered.", True),
    ("cue verbs 3", "Tally offered a deal to the union.", False),
    ("cue verbs 3", "Tally railed at the ruling on Monday.", True),
    ("cue verbs 3", "Tally arrived at the rally on Monday.", False),
    ("cue verbs 3", "Tally kept saying the vote was rigged.", True),
    ("cue verbs 3", "Tally kept the notes in a drawer.", False),
    ("cue verbs 3", "Tally acknowledged as much in an interview.", True),
    ("cue verbs 3", "“It was a mistake,” Tally wrote in his memoir.", True),
    ("cue verbs 3", "Tally wrote the memoir in 2010.", False),
    ("cue verbs 3", "Tally posted two words on Twitter - “So sad” - with a link.", True),
    ("cue verbs 3", "Tally posted bail on Monday.", False),
    ("cue verbs 3", "Tally was heard on a hot microphone telling an aide to leave.", True),
    ("cue verbs 3", "Tally was heard by the committee on Monday.", False),
    # A quotation right before a role and the name: `"Why?" reporter X asked him`
    ("role before name", "“But why?” reporter Rick Tally asked him.", True),
    ("role before name", "“We will win,” campaign manager Rick Tally continued.", True),
    ("role before name", "“But why?” the reporter asked Tally.", False),
    ("role before name", "“We will win,” a spokesman for Tally continued.", False),
    # "with X <-ing cue>", also across an aside
    ("with X -ing", "It was a long night, with Tally — who had won the state — declaring victory.", True),
    ("with X -ing", "It was a long night, with Sen. Rick Tally (R-Ohio) telling reporters the race was over.", True),
    ("with X -ing", "It was a long night, with Tally — who had lost the state — watching from the wings.", False),
    # An apposition, then a verb that is no cue by itself, then an -ing cue
    ("apposition + participle", "Tally, the fund's lawyer, has rejected the label, noting that it costs money to raise money.", True),
    ("apposition + participle", "Tally, the fund's lawyer, has rejected the offer, leaving the talks in doubt.", False),
    # Two subjects, the second named in an apposition
    ("coordination 2", "Tally and his running mate, Jo Marks, said the vote was rigged.", True),
    ("coordination 2", "Marks and her running mate, Rick Tally, said the vote was rigged.", True),
    ("coordination 2", "Marks and her running mate, Jo Dunn, said Tally had lied.", False),
    # Titles and party labels before a surname are no first names: "Speaker X", "President-elect X"
    ("title words", "House Speaker Tally said the bill would pass.", True),
    ("title words", "“It will pass,” said Republican Tally.", True),
    ("title words", "President-elect Tally told reporters the cabinet was complete.", True),
    ("title words", "“We are ready,” Then-candidate Tally said.", True),
    ("title words", "Sheriff Tally told the council the jail was full.", True),
    ("title words", "Assemblywoman Tally said the budget was late.", True),
    ("title words", "Dean Tally said the budget was late.", False),
    # Groups, parties, acronyms and places joined by "and" are not a he/she's antecedent
    ("pronoun 2", "Reporters asked Tally about the plan on Monday. He said it was dead.", True),
    ("pronoun 2", "Tally has been criticized by Democrats and Republicans alike. He said the critics were wrong.", True),
    ("pronoun 2", "Tally is a former Marine who served in Iraq. He said the war changed him.", True),
    ("pronoun 2", "Tally is trailing in the polls in Florida and Ohio. He dismissed the polls as “fake.”", True),
    ("pronoun 2", "Tally appeared on NBC's “Meet the Press” on Sunday. He said the plan was dead.", True),
    ("pronoun 2", "Tally was endorsed by the Chamber of Commerce on Monday. He thanked the group and said the plan was dead.", True),
    ("pronoun 2", "Tally met Jo Marks in Ohio on Monday. He said the plan was dead.", False),
    ("pronoun 2", "Marks, the former chief executive who left the race, spoke at Tally's rally. She praised him.", False),
    ("pronoun 2", "Tally has an ally in the governor. He thinks she will help, but fears the cost. “We will see,” he conceded.", False),
    # A short aside before a clause that ends in a colon and a quotation
    ("colon aside", "Tally, for one, is confident: “We will win.”", True),
    ("colon aside", "Tally, however, was defiant: “It is a disgrace.”", True),
    ("colon aside", "Tally, Marks and Dunn were there: “It was a disgrace,” one guest said.", False),
    # Naming verbs with an adjective or a noun phrase after the object
    ("naming", "Tally called the plan unconstitutional.", True),
    ("naming", "Tally called Trump dangerous and said he would fight him.", True),
    ("naming", "Tally labeled the governor a coward.", True),
    ("naming", "Tally called the police yesterday.", False),
    ("naming", "Tally called him back on Monday.", False),
    ("naming", "Tally called the meeting early.", False),
    # Acts of speech as periphrases
    ("periphrasis 2", "Tally took to Twitter on Monday.", True),
    ("periphrasis 2", "Tally took to the streets on Monday.", False),
    ("periphrasis 2", "Tally renewed his attacks on the governor.", True),
    ("periphrasis 2", "Tally stepped up his criticism of the plan.", True),
    ("periphrasis 2", "Tally stepped up his efforts to raise money.", False),
    ("periphrasis 2", "Tally talks freely of her years in the Navy.", True),
    ("periphrasis 2", "Tally talks freely with the staff in private.", True),
    ("periphrasis 2", "Tally portrayed the plan as a giveaway.", True),
    ("periphrasis 2", "Tally cast his vote on Monday.", False),
    # A horizontal bar written for a dash
    ("dash", "Tally ― a former aide ― said the plan was dead.", True),
    ("dash", "Marks ― a former aide to Tally ― said the plan was dead.", False),
    # Cue verbs added from a list of verbs of saying, each with a non-speech use beside it
    ("cue verbs 4", "Tally mocked the governor at the rally.", True),
    ("cue verbs 4", "Tally griped that the rules were unfair.", True),
    ("cue verbs 4", "Tally swore he would never quit.", True),
    ("cue verbs 4", "Tally downplayed the threat on Monday.", True),
    ("cue verbs 4", "Tally appealed to voters to stay calm.", True),
    ("cue verbs 4", "Tally appealed the ruling to a higher court.", False),
    ("cue verbs 4", "Tally dismissed the allegations as lies.", True),
    ("cue verbs 4", "Tally dismissed the staff on Monday.", False),
    ("cue verbs 4", "Tally repeated that the plan was dead.", True),
    ("cue verbs 4", "Tally repeated the course in 2010.", False),
    ("cue verbs 4", "“Not now,” Tally muttered.", True),
    ("cue verbs 4", "Tally muttered something and left.", False),
    ("cue verbs 4", "Tally vouched for the nominee.", True),
    ("cue verbs 4", "Tally pointed to the polls as proof.", True),
    # A transcript's speaker label in capitals
    ("transcript", "HOST: Why not?\nTALLY: Because we will win. Nobody can stop us.", True),
    ("transcript", "SEN. RICK TALLY: Because we will win.", True),
    ("transcript", "HOST: Why did Tally lose?\nMARKS: Because he ran a bad race.", False),
    ("transcript", "BOOM: Tally Just Lost The Race In Ohio. It was close.", False),
    # Places, companies, platforms, holidays and peoples are no he/she: a pronoun after them continues X
    ("pronoun 3", "Tally visited Iowa and New Hampshire on Monday. He said the race was close.", True),
    ("pronoun 3", "Tally posted a video on Facebook on Monday. He said the race was close.", True),
    ("pronoun 3", "Tally spent Thanksgiving in St. Louis. He said the race was close.", True),
    ("pronoun 3", "Tally met Russian diplomats and Hispanics from Miami. He said the race was close.", True),
    ("pronoun 3", "Tally lost the primary. The report said turnout was low. He said the race was fair.", True),
    ("pronoun 3", "Tally met Paris Hilton on Monday. She said the race was close.", False),
    ("pronoun 3", "Tally lost the primary. The governor said turnout was low. He said the race was fair.", False),
    ("pronoun 3", "Tally lost the primary. Ivan Russian said turnout was low. He said the race was fair.", False),
    # One of several subjects: the verb in the plural, "both", "and others", members of a group
    ("several subjects", "Marks and Tally say the plan is dead.", True),
    ("several subjects", "Both Mr. Marks and Mr. Tally say the plan is dead.", True),
    ("several subjects", "Marks, Dunn and Tally say the plan is dead.", True),
    ("several subjects", "Marks and Tally both said the plan was dead.", True),
    ("several subjects", "Tally and other Republicans argue that the plan is dead.", True),
    ("several subjects", "Critics such as Tally say the plan is dead.", True),
    ("several subjects", "Critics, including Tally, say the plan is dead.", True),
    ("several subjects", "Tally is among those who say the plan is dead.", True),
    ("several subjects", "The plan and Tally say nothing.", False),
    ("several subjects", "Marks met the governor and Tally say aides.", False),
    ("several subjects", "Tally agrees with Marks that the plan is dead.", True),
    ("several subjects", "Tally agreed with the deal.", False),
    # He/she later in the sentence when X is the object of a verb, and a surname in -s opening the sentence
    ("pronoun 4", "Reporters asked Tally whether he would run, and he said no.", True),
    ("pronoun 4", "Voters met Tally in Iowa, and he told them the plan was dead.", True),
    ("pronoun 4", "Marks told Tally that he had told aides the plan was dead.", False),
    ("pronoun 4", "Critics told Tally that he had lied. He said the plan was dead.", True),
    # A relative clause in the apposition may hold a cue verb of its own; a parenthetical "officials said" stops X
    ("apposition 2", "Tally, a former aide who once wrote that the party was dead, said the plan was dead.", True),
    ("apposition 2", "Tally, a Democrat who has said he will not run, told reporters the plan was dead.", True),
    ("apposition 2", "Tally, the aide who told police about the plot, said the plan was dead.", True),
    ("apposition 2", "Tally, the official said, was ill.", False),
    ("apposition 2", "Tally, who Marks said was a liar, lost the race.", False),
    # Naming across the apposition of a named object; an offer made in words
    ("naming 2", "Tally called Mr. Marks, a former trucking director who was twice convicted, an outstanding leader.", True),
    ("naming 2", "Tally called Mr. Marks, his lawyer, an hour later.", False),
    ("naming 2", "Tally even gave in and offered to debate Marks in Brooklyn.", True),
    ("naming 2", "Tally was offered to the Yankees in a trade.", False),
    # A headline in sentence case with a verb of attack and a person after it
    ("headline 4", "Tally rips Marks over failed plan", True),
    ("headline 4", "Tally unloads on Marks", True),
    ("headline 4", "Marks rips Tally over failed plan", False),
    ("headline 4", "Tally hits the road in Iowa", False),
    ("headline 4", "Tally hits Iowa on Monday", False),
    ("headline 4", "Tally hits Marks with a car on Monday, then drives on to Ohio, where he meets voters and donors for hours.", False),
    # A cue after a verb of continuing, beginning, liking, a habit or an occasion used
    ("catenative", "Tally continued to insist that the plan was dead.", True),
    ("catenative", "Tally has begun to argue that the plan is dead.", True),
    ("catenative", "Tally would go on to say that the plan was dead.", True),
    ("catenative", "Tally used his speech to argue that the plan was dead.", True),
    ("catenative", "Tally has taken to calling the plan “dead.”", True),
    ("catenative", "Tally is fond of saying the plan is dead.", True),
    ("catenative", "Tally likes to say the plan is dead.", True),
    ("catenative", "Tally continued to work on the plan.", False),
    ("catenative", "Tally used the money to pay aides.", False),
    ("catenative", "Tally is known for his temper.", False),
    ("catenative", "Tally has taken to the stage.", False),
    # "of <place or organisation>" after the name, before the verb
    ("affiliation", "Sen. Rick Tally of Ohio said the plan was dead.", True),
    ("affiliation", "Rick Tally of the conservative Heritage Foundation in Washington said the plan was dead.", True),
    ("affiliation", "Professor Rick Tally of Yale University wrote that the plan was dead.", True),
    ("affiliation", "Rep. Rick Tally of Ohio, the committee chairman, said the plan was dead.", True),
    ("affiliation", "The wife of Rick Tally of Ohio said the plan was dead.", False),
    ("affiliation", "A friend of Tally said the plan was dead.", False),
    # An -ing cue after a subordinate clause with another named subject is that subject's
    ("participle 3", "Sen. Rick Tally of Ohio won the 1992 primary, although Jo Marks won the spin by declaring herself the victor.", False),
    ("participle 3", "Tally won the 1992 primary, and Marks conceded, saying the count was fair.", False),
    ("participle 3", "Tally won the 1992 primary in Ohio and Iowa, declaring himself the comeback kid.", True),
]


@pytest.mark.parametrize(("kind", "text", "fires"), CASES, ids=[f"{c[0]}: {c[1][:50]}" for c in CASES])
def test_error_class(kind: str, text: str, fires: bool) -> None:
    found = find_speech(text, TALLY)
    if fires:
        assert found, f"{kind}: {text!r} should make Tally a speaker"
    else:
        assert not found, f"{kind}: {text!r} should not, found {[(e.how, e.sentence) for e in found]}"


def test_cue_inflections_are_generated_not_guessed() -> None:
    """Every cue lemma has its forms; regular doubling (beg, snap) and irregular forms (say, tell)."""
    from watcher.match.speaker.cues import VERBS

    for form, lemma in (("begged", "beg"), ("snapping", "snap"), ("said", "say"), ("told", "tell"),
                        ("denies", "deny"), ("urging", "urge"), ("acknowledged", "acknowledge"), ("insists", "insist")):
        assert VERBS[form][0] == lemma, form
    assert "beged" not in VERBS and "snaped" not in VERBS


def test_names_with_apostrophes_and_initials() -> None:
    """O'Malley matches O’Malley; a name given with initials matches them in the text."""
    assert find_speech("Former Gov. Martin O’Malley (D) announced he will quit.", SpeakerSpec("Martin O'Malley", ("O'Malley",)))
    assert find_speech("Martin O'Malley said he will quit.", SpeakerSpec("Martin O’Malley", ("O’Malley",)))
    assert find_speech('"ISIS is still there," said J.M. Berger, a fellow at the institute.', SpeakerSpec("J.M. Berger", ("Berger",)))
    assert not find_speech('"ISIS is still there," said K. Berger, a fellow at the institute.', SpeakerSpec("J.M. Berger", ("Berger",)))
    hillary = SpeakerSpec("Hillary Clinton", ("Clinton",))
    assert find_speech("Hillary Rodham Clinton said the plan would work.", hillary)  # a middle name
    assert not find_speech("Chelsea Clinton said the plan would work.", hillary)
    assert not find_speech("Hillary met Chelsea Clinton, who said the plan would work.", hillary)


def test_the_other_person_of_a_modifier_still_speaks() -> None:
    """In "Tally campaign spokesman Jo Marks said", Marks speaks."""
    found = find_speech("Tally campaign spokesman Jo Marks said the rally was cancelled.", MARKS)
    assert [e.how for e in found] == ["reported"]
