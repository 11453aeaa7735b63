"""The `number` condition: find quantities in article text and test them against a rule.

Approach (pure functions, regexes compiled once at import):

1. *Special forms first.* One alternation regex (`_SPECIAL`) finds things that
   contain digits but are not amounts: phone numbers, ISO / numeric / written
   dates, clock times, decades ("the 1990s"), colon scores ("3:2") and slash
   forms ("9/11", "24/7"). Dates, times and decades become quantities of their
   own kind; the rest only *block* their span so no count is read out of them.
2. *Numeric cores.* `_CORE` finds digit numbers (comma, space, narrow-space and
   European dot grouping, decimals, attached suffixes such as `20k`, `2bn`,
   `21st`, `15pc`, `10km`) and spelled-out numbers ("twenty thousand",
   "a dozen", "half a million"). Its look-arounds reject digits glued to
   letters or hyphens ("G7", "5G", "A4", "Covid-19", "F-16"), ids ("#10",
   "v2.1") and decimals of dates.
3. *Expression around a core.* Small anchored regexes read what surrounds it:
   a scale word ("1.5 million"), a unit ("%", "per cent", "dollars", "km"),
   a currency before it ("$", "€", "USD "), a hedge ("more than", "about"),
   and a range ("30,000 to 40,000", "200,000-300,000", "between 5 and 6
   thousand": a scale, currency or unit on one end applies to both).
4. *Classification.* Percent / money / measure come from the unit; a plain
   4-digit 1000-2099 number is a year unless its context says count
   ("more than 2000", "2000 troops"); a plain integer right after an id word or
   a capitalised name ("No. 10", "Boeing 737", "flight 370"), a 7+ digit string
   or one with a leading zero is an identifier and is dropped; "3-2" near
   sports words or with low > high is a score and is dropped.

Precision is preferred over recall: an ambiguous form ("5m": million or metres?,
"tens of thousands") produces no quantity rather than a guess.

`match_number` filters the (cached) quantities by unit and threshold first, and
only for the survivors looks for `near` terms in the case/diacritic-folded text
(`watcher.match.text.fold`), counting words between them with
`watcher.match.text.words`.

Values: counts, percents and money are the number as written (scaled:
"1.5 million" -> 1500000). Years are the year (a decade is a range 1990-1999).
Dates are YYYYMMDD with 0 for unknown parts ("May 12" -> 512, "May 2025" ->
20250500). Times are decimal hours on a 24h clock ("9.30pm" -> 21.5). A
"measure" kind (not in the rule-facing unit list except via "any") holds
physical quantities such as "40 km", with `Quantity.unit` naming the unit.
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
