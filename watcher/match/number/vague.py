"""Vague quantities as lower bounds: "dozens" >= 24, "hundreds of" >= 200, "tens of thousands" >= 20,000.

The bound is the least the words allow (two dozen, two hundred, ...): `gte: 24` fires
on "dozens of arrests" and `gte: 25` does not. The quantity's hedge is the phrase.
"""

from __future__ import annotations

import re
from decimal import Decimal

from watcher.match.number.quantity import Quantity
from watcher.match.number.shares import find_all
from watcher.match.number.vocab import _CURRENCY_WORDS

_UNIT = {"dozen": 12, "score": 20, "ten": 10, "hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9}
_FEW = {"a few": 2, "few": 2, "many": 2, "several": 3}  # "a few hundred" >= 200, "several thousand" >= 3000

_VAGUE = re.compile(
    r"(?i)(?<![\w-])(?:"
    r"(?P<of>tens|hundreds)\s+of\s+(?P<big>thousands|millions|billions)\b"  # "tens of thousands"
    r"|(?:(?P<few>a\s+few|few|several|many)\s+)?(?P<plural>dozens|hundreds|thousands|millions|billions|scores(?=\s+of\b))\b"
    r"|(?P<few2>a\s+few|several)\s+(?P<single>dozen|hundred|thousand|million|billion)\b(?!-)"
    r")"
)
_CUES = ("dozens", "scores", "hundreds", "thousands", "millions", "billions", "several", "a few")
_NUMBER_BEFORE = re.compile(
    r"(?i)(?:\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred|thousand|million|billion))[\s-]*\Z"
)
_MEASURE_OF = re.compile(
    r"\s+of\s+(?i:years|months|weeks|days|hours|minutes|seconds|miles|kilomet(?:re|er)s|met(?:re|er)s|feet|"
    r"tonnes|tons|litres|liters|gallons|barrels|acres|hectares|degrees|light[\s-]years)\b"
)
_MONEY_OF = re.compile(r"\s+of\s+(?i:(?P<w>dollars|euros|pounds|rubles|roubles|yuan|yen|rupees|hryvnias))\b")


def _lower_bound(m: re.Match[str]) -> int:
    if m["of"]:  # two tens / two hundreds of the big unit
        return 2 * _UNIT[m["of"].lower()[:-1]] * _UNIT[m["big"].lower()[:-1]]
    if m["plural"]:
        few = _FEW[" ".join(m["few"].lower().split())] if m["few"] else 2
        return few * _UNIT[m["plural"].lower()[:-1]]
    return _FEW[" ".join(m["few2"].lower().split())] * _UNIT[m["single"].lower()]


def vague_quantities(text: str, low: str | None = None) -> list[Quantity]:
    """Every vague amount in `text`, a count (or money: "millions of dollars") at its lower bound."""
    out: list[Quantity] = []
    low = text.lower() if low is None else low  # `low`: text.lower(), when the caller has it
    starts = sorted(i for cue in _CUES for i in find_all(low, cue))  # a regex only where a cue is
    last = 0
    for i in starts:
        m = _VAGUE.search(text, max(last, i - 12), i + 40)
        if m is None or m.start() < last:
            continue
        last = m.end()
        if _NUMBER_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            continue  # "ten thousand millions", "2 dozens": a number, not a vague amount
        value = Decimal(_lower_bound(m))
        end, kind, currency = m.end(), "count", None
        money = _MONEY_OF.match(text, end)
        measure = None if money else _MEASURE_OF.match(text, end)
        if money:
            end, kind, currency = money.end(), "money", _CURRENCY_WORDS.get(money["w"].lower().rstrip("s"))
        elif measure:  # "billions of years", "thousands of miles"
            end, kind = measure.end(), "measure"
        phrase = " ".join(m.group().lower().split())
        out.append(Quantity(value, value, kind, phrase, m.start(), end, text[m.start() : end], currency))
    return out
