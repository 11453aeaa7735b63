"""Capitalised names that are no person: US states, countries, large cities and regions, companies and
platforms, holidays. A he/she cannot stand for them, so they do not stop a pronoun from continuing the
speaker named before them ("Tally visited Iowa on Monday. He said ...")."""

from __future__ import annotations

from watcher.match.speaker.cues import wordlist


def _names(text: str) -> frozenset[str]:
    """Names separated by commas, folded to lower case ("new hampshire")."""
    return frozenset(" ".join(n.lower().replace(".", "").split()) for n in text.split(",") if n.strip())


NOT_PERSONS = _names(
    """alabama, alaska, arizona, arkansas, california, colorado, connecticut, delaware, florida, georgia, hawaii,
    idaho, illinois, indiana, iowa, kansas, kentucky, louisiana, maine, maryland, massachusetts, michigan, minnesota,
    mississippi, missouri, montana, nebraska, nevada, new hampshire, new jersey, new mexico, new york, north carolina,
    north dakota, ohio, oklahoma, oregon, pennsylvania, rhode island, south carolina, south dakota, tennessee, texas,
    utah, vermont, virginia, west virginia, washington, wisconsin, wyoming, puerto rico, guam,
    afghanistan, albania, algeria, argentina, armenia, australia, austria, azerbaijan, bahrain, bangladesh, belarus,
    belgium, bolivia, bosnia, brazil, bulgaria, burma, cambodia, cameroon, canada, chile, china, colombia, congo,
    croatia, cuba, cyprus, czech republic, denmark, ecuador, egypt, el salvador, eritrea, estonia, ethiopia, finland,
    france, germany, ghana, greece, guatemala, haiti, honduras, hungary, iceland, india, indonesia, iran, iraq,
    ireland, israel, italy, jamaica, japan, jordan, kazakhstan, kenya, korea, north korea, south korea, kosovo,
    kuwait, latvia, lebanon, libya, lithuania, malaysia, mali, mexico, moldova, mongolia, morocco, myanmar, nepal,
    netherlands, new zealand, nicaragua, niger, nigeria, norway, oman, pakistan, palestine, panama, paraguay, peru,
    philippines, poland, portugal, qatar, romania, russia, rwanda, saudi arabia, senegal, serbia, singapore,
    slovakia, slovenia, somalia, south africa, south sudan, spain, sri lanka, sudan, sweden, switzerland, syria,
    taiwan, tajikistan, tanzania, thailand, tunisia, turkey, uganda, ukraine, united arab emirates, britain,
    great britain, england, scotland, wales, uruguay, uzbekistan, venezuela, vietnam, yemen, zambia, zimbabwe,
    europe, asia, africa, latin america, south america, north america, central america, the middle east,
    middle east, gaza, the west bank, west bank, crimea, the gulf, the balkans, scandinavia, the caribbean,
    new york city, los angeles, chicago, houston, philadelphia, phoenix, san antonio, san diego, dallas, san jose,
    detroit, boston, baltimore, atlanta, miami, cleveland, denver, seattle, las vegas, orlando, tampa, charlotte,
    pittsburgh, cincinnati, milwaukee, minneapolis, st. louis, kansas city, new orleans, nashville, memphis,
    louisville, des moines, manchester, concord, columbus, richmond, sacramento, portland, salt lake city, ferguson,
    manhattan, brooklyn, queens, the bronx, staten island, harlem, silicon valley, hollywood, broadway,
    wall street, main street, london, paris, berlin, moscow, beijing, tokyo, brussels, rome, madrid, geneva,
    jerusalem, tel aviv, baghdad, damascus, aleppo, kabul, tehran, cairo, istanbul, ankara, kiev, kyiv, havana,
    mexico city, toronto, ottawa, montreal, vancouver, sydney, mosul, raqqa, benghazi, tripoli,
    twitter, facebook, youtube, instagram, snapchat, reddit, google, apple, amazon, microsoft, netflix, hulu, uber,
    airbnb, tesla, walmart, boeing, exxon, goldman sachs, citigroup, breitbart, politico, buzzfeed, medicare,
    medicaid, obamacare, planned parenthood, social security, common core, brexit, skype, yahoo, wikileaks, isis,
    christmas, easter, thanksgiving, halloween, ramadan, hanukkah, passover, lent, memorial day, labor day,
    veterans day, independence day, election day, super tuesday, inauguration day, islam, christianity, judaism,
    air force one, camp david, trump tower, capitol hill, black lives matter, the tea party, tea party"""
)

# Peoples and groups written with a capital: "Hispanics", "Mexicans"; and the adjectives of peoples, parties
# and faiths ("Russian hackers", "Democratic senators")
PEOPLES = frozenset(
    wordlist("""hispanics latinos mormons mexicans syrians iraqis iranians russians chinese europeans africans asians
    immigrants refugees evangelicals american mexican russian british french german israeli iranian iraqi
    syrian saudi japanese korean indian pakistani afghan african european asian latino hispanic muslim christian
    catholic jewish evangelical democratic republican conservative liberal progressive palestinian ukrainian
    turkish egyptian cuban canadian australian italian spanish irish scottish english arab""")
)
