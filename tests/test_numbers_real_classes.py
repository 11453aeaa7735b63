"""The `number` condition on the error classes found on real text (issue 14), with our own sentences.

Each class has sentences in the shape of news copy; each asserts the value read and
that a threshold rule at that value fires (and one just past it does not).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from watcher.match.numbers import NumberTest, Quantity, find_quantities, match_number


def only(text: str, lang: str | None = None) -> Quantity:
    """The one quantity of `text` (the test sentences hold one)."""
    qs = find_quantities(text, lang) if lang else find_quantities(text)
    assert len(qs) == 1, f"expected one quantity in {text!r}, read {qs}"
    return qs[0]


def fires(text: str, unit: str = "count", lang: str | None = None, **bounds: object) -> bool:
    test = NumberTest(unit=unit, **bounds)  # type: ignore[arg-type]
    return bool(match_number(text, test, lang) if lang else match_number(text, test))


# --------------------------------------------------------------------------- exact arithmetic


@pytest.mark.parametrize(
    "text,value,unit",
    [
        ("The agency repaid $16.4 million to the fund in Orlen.", "16400000", "money"),
        ("Exports reached 1.15 billion euros last year.", "1150000000", "money"),
        ("The census counted 2.3 million residents in Varda.", "2300000", "count"),
        ("Borrowing costs rose 0.3% after the Marlow vote.", "0.3", "percent"),
        ("The firm has 4.35 thousand staff across the region.", "4350", "count"),
    ],
)
def test_values_are_exact_decimals(text: str, value: str, unit: str) -> None:
    q = only(text)
    assert isinstance(q.low, Decimal)
    assert q.low == q.high == Decimal(value)
    assert fires(text, unit, gte=float(value), lte=float(value))  # a rule at the value itself fires
    assert not fires(text, unit, gt=float(value))
    assert not fires(text, unit, lt=float(value))


def test_thresholds_are_the_decimals_written() -> None:
    t = NumberTest(gte=0.3, lt=16.4e6)
    assert (t.gte, t.lt) == (Decimal("0.3"), Decimal("16400000.0"))
    assert NumberTest(gt=Decimal("1.5")).gt == Decimal("1.5")
    assert NumberTest(lte=7).lte == Decimal(7)
    assert fires("Prices edged up 0.3% in May.", "percent", gte=0.3, lte=0.3)


# --------------------------------------------------------------------------- separators by language


@pytest.mark.parametrize(
    "text,lang,value",
    [
        ("Police in Halden counted 4.800 marchers on Saturday.", "de", "4800"),
        ("Police in Halden counted 4.800 marchers on Saturday.", "en", "4.8"),
        ("Police in Halden counted 4.800 marchers on Saturday.", None, "4.8"),  # unknown: no separator needed
        ("The index closed 2.125 points lower in Varda.", None, "2.125"),
        ("The index closed 2.125 points lower in Varda.", "en-GB", "2.125"),
        ("Die Stadt zahlte 4,800 Millionen Euro.", "de", "4800000"),
        ("Der Preis stieg um 3,5 Prozent.", "de", "3.5"),
        ("La ville compte 12 345,5 hectares de forêt.", "fr", "12345.5"),
        ("The council approved 4,800 new homes in Brandt.", None, "4800"),
        ("The council approved 4,800 new homes in Brandt.", "en", "4800"),
        ("El censo registró 1.234.567 votantes.", "es", "1234567"),
        ("The census counted 1.234.567 voters in Osta.", None, "1234567"),  # two groups: only grouping
        ("Der Etat beträgt 1.234,5 Millionen.", None, "1234500000"),  # "1.234,5" is German whatever the tag
        ("Pilgrims numbered 1,234,567 this year.", "de", "1234567"),  # two comma groups: only grouping
    ],
)
def test_decimal_mark_follows_the_language(text: str, lang: str | None, value: str) -> None:
    qs = [q for q in find_quantities(text, lang) if q.kind in ("count", "percent", "money", "measure")]
    assert [q.low for q in qs] == [Decimal(value)], qs


def test_unknown_language_learns_the_mark_from_the_text() -> None:
    # The same text shows dot groups elsewhere ("1.250.000"), so its "4.800" is 4800 too.
    text = "Von 1.250.000 Einwohnern gingen 4.800 auf die Straße."
    assert [q.low for q in find_quantities(text)] == [Decimal(1250000), Decimal(4800)]
    text = "Of 1,250,000 residents, 4.8 per cent marched."
    assert [q.low for q in find_quantities(text)] == [Decimal(1250000), Decimal("4.8")]


def test_unknown_or_malformed_language_tag_is_unknown() -> None:
    assert only("Police counted 4.800 marchers.", "xx-not-a-tag").low == Decimal("4.8")


def test_rule_uses_the_article_language() -> None:
    from watcher.match.article import ArticleText, Prepared
    from watcher.match.engine import NumberNode

    node = NumberNode(gte=4000)
    text = "Police in Halden counted 4.800 marchers on Saturday."
    assert node.eval(Prepared(ArticleText(title="", body=text, language="de"))).holds
    assert not node.eval(Prepared(ArticleText(title="", body=text, language="en"))).holds


# --------------------------------------------------------------------------- suffixes, words, signs, long runs


@pytest.mark.parametrize(
    "text,value,kind",
    [
        ("The streaming service now has 10M subscribers in Osta.", "10000000", "count"),
        ("Officials said 2.3m people had been vaccinated in Varda.", "2300000", "count"),
        ("Bramble Corp agreed a 1.2b takeover of its rival.", "1200000000", "count"),
        ("Bramble Corp agreed a 1.2bn takeover of its rival.", "1200000000", "count"),
        ("The app passed 20k downloads by Friday.", "20000", "count"),
        ("The region's debt stands at 2mil after the audit.", "2000000", "count"),
        ("Half a million people have left the coast since spring.", "500000", "count"),
        ("Two dozen protesters were held overnight in Marlow.", "24", "count"),
        ("Organisers said fifty - two boats joined the flotilla.", "52", "count"),
        ("Inflation slowed to two point five percent in Osta.", "2.5", "percent"),
        ("Turnout reached two point five million voters.", "2500000", "count"),
        ("The yield fell by .08 percent on Friday.", "0.08", "percent"),
        ("The court ordered the firm to repay 12345678 dollars.", "12345678", "money"),
        ("The registry lists 3456789 small businesses.", "3456789", "count"),
        ("The pipe is one mile long.", "1", "measure"),
    ],
)
def test_suffixes_words_and_long_runs(text: str, value: str, kind: str) -> None:
    q = only(text)
    assert (q.low, q.kind) == (Decimal(value), kind)
    unit = kind if kind != "measure" else "any"
    assert fires(text, unit, gte=Decimal(value), lte=Decimal(value))


@pytest.mark.parametrize(
    "text,unit_written,value",
    [
        ("The new tower in Osta is 48m tall.", "m", "48"),
        ("The 100m sprint was moved to Sunday.", "m", "100"),
        ("The lake holds 4km^3 of water.", "km^3", "4"),
        ("The plot covers 24703m2 near the river.", "m2", "24703"),
        ("Each dose contains 75ml of the syrup.", "ml", "75"),
        ("The boxer weighed in at 200lbs on Friday.", "lbs", "200"),
        ("The crane lifts 100t at full reach.", "t", "100"),
        ("Each 1500b packet is signed.", "b", "1500"),  # b after a number of thousands: bytes, not billions
        ("The doctor prescribed between 44 mg and 50 mg a day.", "mg", "44"),
        ("The wall stands 12 ft 2 in high.", "ft", "12.16666"),
        ("The pump delivers 5 bar at the nozzle.", "bar", "5"),
        ("The line carries 220 V to the village.", "v", "220"),
        ("The barge holds 3 metric tons of grain.", "metric tons", "3"),
    ],
)
def test_units_next_to_numbers_are_measures(text: str, unit_written: str, value: str) -> None:
    q = only(text)
    assert q.kind == "measure" and q.unit == unit_written
    assert abs(q.low - Decimal(value)) < Decimal("0.0001")
    assert not fires(text)  # a measure is not a count
    assert fires(text, "any", gte=Decimal(value) - 1)


@pytest.mark.parametrize(
    "text",
    ["The operator switched on 5G masts in Varda.", "Sales of 4x4 trucks rose.", "A 3D scan of the bridge was made.",
     "The case number is 48291734, the court said.", "Her account number, 004518, was leaked.",
     "No one was hurt when the roof fell in.", "One of them was later released.", "They blamed one another.",
     "The one who fled was caught."],
)
def test_glued_letters_ids_and_pronouns_are_not_amounts(text: str) -> None:
    assert [q for q in find_quantities(text) if q.kind in ("count", "measure", "money", "percent")] == []


@pytest.mark.parametrize(
    "text,value,kind",
    [
        ("Overnight the temperature fell to -15°C in the hills.", "-15", "measure"),
        ("The forecast says minus 20 degrees for Sunday.", "-20", "measure"),
        ("Convert - 20 degrees fahrenheit before the test.", "-20", "measure"),
        ("The economy shrank, a -3.2% reading for the quarter.", "-3.2", "percent"),
        ("The fund posted a net flow of −40 million dollars.", "-40000000", "money"),
        ("The account balance stood at -5 after the fees.", "-5", "count"),
    ],
)
def test_negatives_keep_their_sign(text: str, value: str, kind: str) -> None:
    q = only(text)
    assert (q.low, q.kind) == (Decimal(value), kind)
    unit = kind if kind in ("count", "percent", "money") else "any"
    assert fires(text, unit, lt=0)
    assert not fires(text, unit, gte=0)


def test_hyphens_inside_names_and_ranges_are_not_signs() -> None:
    assert [q.low for q in find_quantities("The Covid-19 ward reopened with 40 beds.")] == [Decimal(40)]
    [q] = find_quantities("Officials expect 10-15 people.")
    assert (q.low, q.high) == (Decimal(10), Decimal(15))


# --------------------------------------------------------------------------- hedges and vague amounts as bounds


@pytest.mark.parametrize(
    "text,bound",
    [
        ("Dozens of students were detained in Marlow.", 24),
        ("Hundreds of homes lost power after the storm.", 200),
        ("Thousands marched through the capital on Sunday.", 2000),
        ("Tens of thousands of fans lined the route.", 20000),
        ("Hundreds of thousands have fled the region.", 200000),
        ("A few hundred residents attended the hearing.", 200),
        ("Several thousand troops were moved to the border.", 3000),
        ("Scores of boats were damaged in the harbour.", 40),
    ],
)
def test_vague_amounts_are_lower_bounds(text: str, bound: int) -> None:
    q = only(text)
    assert (q.low, q.kind) == (Decimal(bound), "count")
    assert fires(text, gte=bound)
    assert not fires(text, gte=bound + 1)
    assert not fires(text, lt=bound)


def test_vague_money() -> None:
    q = only("The scheme cost the state millions of dollars.")
    assert (q.kind, q.low, q.currency) == ("money", Decimal(2_000_000), "USD")


@pytest.mark.parametrize(
    "text,holds,fails",
    [
        ("More than 80,000 people signed the petition.", {"gt": 80000, "gte": 80000}, {"lte": 80000, "gte": 80001}),
        ("In excess of 9,000 complaints were filed.", {"gt": 9000, "gte": 9000}, {"lte": 9000}),
        ("Over 150 animals were seized from the farm.", {"gte": 150, "lte": 150}, {"lt": 150, "gt": 150}),
        ("Fewer than 50 delegates stayed for the vote.", {"lt": 50, "lte": 50, "gt": 49}, {"gte": 50, "gt": 50}),
        ("Less than 40 of the boats were insured.", {"lt": 40}, {"gte": 40}),
        ("At least 38 people died in the fire.", {"gte": 38, "lte": 38}, {"lt": 38}),
        ("Up to 20,000 could be called up.", {"lte": 20000, "gte": 20000}, {"lt": 20000, "gt": 20000}),
    ],
)
def test_strict_hedges_are_bounds_just_past_the_number(text: str, holds: dict, fails: dict) -> None:
    for k, v in holds.items():
        assert fires(text, **{k: v}), f"{k} {v} should fire on {text!r}"
    for k, v in fails.items():
        assert not fires(text, **{k: v}), f"{k} {v} should not fire on {text!r}"


# --------------------------------------------------------------------------- ranges


@pytest.mark.parametrize(
    "text,low,high,unit",
    [
        ("Pupils aged 20 through 100 were surveyed, the report said.", 20, 100, "count"),
        ("The clinic gives between 44 mg and 50 mg a dose.", 44, 50, "any"),
        ("Estimates ran from 3,000 to 4,000 marchers.", 3000, 4000, "count"),
        ("Officials expect 200,000-300,000 visitors.", 200000, 300000, "count"),
        ("Two or three thousand people were there.", 2000, 3000, "count"),
        ("Between $5 and $6 million was lost.", 5_000_000, 6_000_000, "money"),
    ],
)
def test_ranges(text: str, low: int, high: int, unit: str) -> None:
    q = only(text)
    assert (q.low, q.high) == (Decimal(low), Decimal(high))
    assert fires(text, unit, gte=high) and not fires(text, unit, gt=high)
    assert fires(text, unit, lte=low) and not fires(text, unit, lt=low)


# --------------------------------------------------------------------------- dates, clock times and durations are no counts


@pytest.mark.parametrize(
    "text",
    [
        "The minister will be back in the capital in 5 minutes.",
        "Talks resume after 3 days of recess, officials said.",
        "The mayor has 2 weeks to reply to the auditors.",
        "The board meets for the next 4 business days.",
        "Markets reopen at 7 tomorrow, the exchange said.",
        "The curfew lasts until 5 in the morning.",
        "The vote count ended last night at 8.",
        "Police were at the scene between 3 and 8 yesterday.",
        "Doors open at 9 o'clock and close at 11 oclock.",
        "The service starts at 12 noon in Varda.",
        "Polls open at 9.am and close at 8 p.m.",
        "The strike began at 1140 a.m. local time.",
        "The summit opens on Friday 23 in Osta.",
        "The decree of 23/Sep/2020 was annulled.",
        "The figures for 12-2015 were revised.",
        "The archive dates from April of 87.",
        "Filing closed on feb 28, the registry said.",
        "The ledger entry 20161016 was disputed.",
    ],
)
def test_dates_times_and_durations_do_not_count(text: str) -> None:
    for q in find_quantities(text):
        assert q.kind != "count", f"{q.text!r} read as a count in {text!r}"
    assert not fires(text, gte=0)


@pytest.mark.parametrize(
    "text,value",
    [
        ("At 7 schools in Varda the exams were cancelled.", 7),
        ("Police arrested 12 yesterday near the port.", 12),
        ("On Monday 12 people were hurt in the crush.", 12),
        ("The toll stood at 9 on Sunday, the ministry said.", 9),
        ("A 45-year-old man was detained in Osta.", 45),
    ],
)
def test_small_counts_near_time_words_still_count(text: str, value: int) -> None:
    assert [q.low for q in find_quantities(text) if q.kind == "count"] == [Decimal(value)]


def test_durations_are_measures_for_unit_any() -> None:
    q = only("The trial lasted 15 years and ruined the firm.")
    assert (q.kind, q.unit, q.low) == ("measure", "years", Decimal(15))
    assert fires("The trial lasted 15 years and ruined the firm.", "any", gte=15)


# --------------------------------------------------------------------------- shares are percentages


@pytest.mark.parametrize(
    "text,value",
    [
        ("One in two voters in Osta stayed at home.", "50"),
        ("Nine out of ten firms reported losses.", "90"),
        ("The survey found 3 in 10 households in debt.", "30"),
        ("A quarter of the budget goes on defence.", "25"),
        ("One fourth of the wells have run dry.", "25"),
        ("The bill needs a two-thirds majority to pass.", "66.67"),
        ("Officials said 1/4 of the ballots were spoiled.", "25"),
        ("Half of the staff were sent home.", "50"),
    ],
)
def test_shares_are_percentages(text: str, value: str) -> None:
    q = only(text)
    assert q.kind == "percent"
    assert abs(q.low - Decimal(value)) < Decimal("0.01")
    assert fires(text, "percent", gte=Decimal(value) - 1) and not fires(text, "percent", gte=Decimal(value) + 1)
    assert not fires(text, gte=0)  # a share is no count


@pytest.mark.parametrize(
    "text,kind,value",
    [
        ("The lease will end in 2150, the council said.", "year", "2150"),
        ("Results for 2019 Q1 were restated.", "year", "2019"),
        ("The parade is planned for labor day 2027.", "year", "2027"),
        ("Add ½ teaspoon of salt to the stew.", "measure", "0.5"),
        ("The pipe is 2¾ inches wide.", "measure", "2.75"),
    ],
)
def test_years_and_vulgar_fractions(text: str, kind: str, value: str) -> None:
    q = only(text)
    assert (q.kind, q.low) == (kind, Decimal(value))


# --------------------------------------------------------------------------- comparatives and bounded pairs


@pytest.mark.parametrize(
    "text,holds,fails",
    [
        ("Greater than 100 cars were towed in Osta.", {"gte": 100, "gt": 100}, {"lte": 100}),
        ("The quota allows >= 30 boats a day.", {"gte": 30, "lte": 30}, {"lt": 30, "gt": 30}),
        ("Smaller than 5 errors were logged.", {"lt": 5}, {"gte": 5}),
        ("Traffic exceeded 150 cars an hour on the bridge.", {"gte": 150}, {"lt": 150}),
        ("The hall seats more than 20 but less than 30 guests.", {"gte": 30, "lte": 20}, {"gt": 30, "lt": 20}),
        ("Crowds of 30~40 people gathered.", {"gte": 40, "lte": 30}, {"gt": 40, "lt": 30}),
        ("Bids must be larger than 20 and less than or equal to 35 lots.", {"gte": 35, "lte": 20}, {"gt": 35, "lt": 20}),
        ("Each crew has at least 4 and at most 6 divers.", {"gte": 6, "lte": 4}, {"gt": 6, "lt": 4}),
        ("Greater than or equal to 20 delegates must attend.", {"gte": 20, "lte": 20}, {"lt": 20}),
    ],
)
def test_comparatives_and_bounded_pairs(text: str, holds: dict, fails: dict) -> None:
    for k, v in holds.items():
        assert fires(text, **{k: v}), f"{k} {v} should fire on {text!r}"
    for k, v in fails.items():
        assert not fires(text, **{k: v}), f"{k} {v} should not fire on {text!r}"


def test_tolerance_is_a_range_around_the_number() -> None:
    q = only("The casing weighs 2,000.45±0.01 kilograms.")
    assert (q.low, q.high, q.kind, q.unit) == (Decimal("2000.44"), Decimal("2000.46"), "measure", "kilograms")


@pytest.mark.parametrize(
    "text,inches", [('The crew laid a 12" pipe under the road.', True), ('"We lost 300" he said.', False),
                    ('He said "we had 5", then left.', False)],
)
def test_inch_mark_or_closing_quote(text: str, inches: bool) -> None:
    q = only(text)
    assert (q.kind, q.unit) == (("measure", "in") if inches else ("count", None))


@pytest.mark.parametrize(
    "text,value,kind",
    [
        ("The museum charges 30 € for a family ticket.", "30", "money"),
        ("Tickets went for 45€ at the gate.", "45", "money"),
        ("The fund raised 2 and a half million for the clinic.", "2500000", "count"),
        ("The tunnel took one and a half years to dig.", "1.5", "measure"),
    ],
)
def test_currency_after_and_a_half(text: str, value: str, kind: str) -> None:
    q = only(text)
    assert (q.low, q.kind) == (Decimal(value), kind)


@pytest.mark.parametrize("text", ["Growth slowed in the second half of the year.", "The other half of the team flew home."])
def test_halves_of_a_period_or_group_are_no_shares(text: str) -> None:
    assert [q for q in find_quantities(text) if q.kind == "percent"] == []


@pytest.mark.parametrize(
    "text,kind,currency",
    [
        ("The visa fee is AUD 50 per person.", "money", "AUD"),
        ("Rooms cost 500 HKD a night.", "money", "HKD"),
        ("The fine was RMB 100.", "money", "CNY"),
        ("Turnout rose by 10 percents in Varda.", "percent", None),
        ("Rescuers had to try 5 times to reach the boat.", "count", None),
    ],
)
def test_currency_codes_and_percent_spellings(text: str, kind: str, currency: str | None) -> None:
    q = only(text)
    assert (q.kind, q.currency) == (kind, currency)


def test_one_before_a_noun_counts() -> None:
    assert only("Only one ship remains in the harbour.").low == Decimal(1)
    assert fires("One person was injured in the blast.", gte=1, lte=1)


@pytest.mark.parametrize(
    "text",
    ["The 5500M chipset runs hot.", "Engineers tested the first Block 1B rocket.", "Single-core scores rose sharply."],
)
def test_model_codes_and_plain_scores_are_no_amounts(text: str) -> None:
    assert [q for q in find_quantities(text) if q.kind == "count"] == []


def test_pronoun_before_a_number_is_no_model_name() -> None:
    assert only("I'm 1.8m tall, the striker said.").unit == "m"


def test_vague_measures() -> None:
    q = only("The canyon formed over millions of years.")
    assert (q.kind, q.low, q.text) == ("measure", Decimal(2_000_000), "millions of years")
