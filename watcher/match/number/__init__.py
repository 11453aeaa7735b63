"""The `number` condition: find quantities in article text and test them against a rule.

Approach (pure functions, regexes compiled once at import); modules in scan order:

1. *Special forms first* (`specials`). One alternation regex finds things that
   contain digits but are not amounts: phone numbers, ISO / numeric / written
   dates (also lower-case months, "23/Sep/2020", "20161016"), clock times
   ("9.am", "1140 a.m.", "11 oclock", "5 to 6pm"), decades, colon scores and
   slash forms ("9/11", "24/7"; "1/4 of" is a share). Dates, times and decades
   become quantities of their own kind; the rest only *block* their span.
   Shares with no leading number ("a quarter of", "half of", `shares`) and
   vague amounts ("dozens", "tens of thousands", `vague`) join them.
2. *Numeric cores* (`vocab._CORE`, `parse`, `words`). Digit numbers (comma,
   space and dot grouping, decimals, ".08", "2¾", glued letters: "20k", "10M",
   "21st", "75ml", "4km^3"; unknown glued letters such as "5G" make no number)
   and spelled-out numbers ("twenty thousand", "half a million", "fifty - two",
   "two point five"). The decimal mark comes from the article's language
   (`marks`, CLDR data via Babel), else from the text's own unambiguous numbers,
   else the reading that needs no thousands separator ("4.800" is 4.8).
3. *Expression around a core* (`scan`, `context`, `ranges`, `units`). A scale
   word, a unit (`units`: measures and durations), a currency, a hedge, a sign
   ("-5", "minus 20"), a share ("one in two", "two-thirds") and a range ("30,000
   to 40,000", "20 through 100", "between 44 mg and 50 mg", "more than 20 but
   less than 30": a scale, currency or unit on one end applies to both).
4. *Classification.* Percent / money / measure come from the unit; a plain
   4-digit number is a year unless its context says count ("more than 2000",
   "2000 troops"); a small number that context makes a clock hour or a day
   ("at 7 tomorrow", "Friday 23", `times`) is a time or a date; a plain
   integer right after an id word or a capitalised name ("No. 10", "Boeing
   737", "case number is 48291734") or with a leading zero is an identifier and
   is dropped; "3-2" near sports words or with low > high is a score.

`match_number` (`compare`) filters the (cached) quantities by unit and threshold
first, and only for the survivors looks for `near` terms in the case/diacritic-
folded text. Strict comparatives ("more than", "fewer than") are bounds just
past their number; other hedges leave the number as written.

Values are exact `Decimal`s (thresholds too: "$16.4 million" is 16400000).
Counts, percents and money are the number as written, scaled. Years are the
year (a decade is a range 1990-1999). Dates are YYYYMMDD with 0 for unknown
parts ("May 12" -> 512). Times are decimal hours on a 24h clock ("9.30pm" ->
21.5). A "measure" (rule unit "any") holds physical quantities and durations
("40 km", "15 years"), with `Quantity.unit` naming the unit.
"""

from watcher.match.number.compare import NumberEvidence, NumberTest, match_number
from watcher.match.number.quantity import KINDS, UNITS, Quantity
from watcher.match.number.scan import find_quantities

__all__ = [
    "KINDS",
    "UNITS",
    "NumberEvidence",
    "NumberTest",
    "Quantity",
    "find_quantities",
    "match_number",
]
