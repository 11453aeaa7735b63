"""Ranges: "30,000 to 40,000", "200,000-300,000", "between 5 and 6 thousand"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from watcher.match.number.context import _before, _change_before, _is_score, _next_word, _prev_word, _unit_after
from watcher.match.number.marks import DecimalMark
from watcher.match.number.parse import _read_num
from watcher.match.number.quantity import _Num
from watcher.match.number.vocab import LOWER_BOUND_BEFORE, _CORE_RANGE_END, _CURRENCY_PREFIX, _CURRENCY_SYMBOLS, _FUNCTION_WORDS, _INTRO_BEFORE, _RANGE_CONNECTOR, _YEAR_BEFORE


# --------------------------------------------------------------------------- expressions


@dataclass(slots=True)
class _Side:
    """A number plus what directly follows it (unit / currency)."""

    num: _Num
    kind: str | None
    currency: str | None
    unit: str | None
    end: int


_TOLERANCE = re.compile(r"\s*(?:±|\+/-|\+-)\s*(?P<t>\d+(?:[.,]\d+)?)")


def _side(text: str, num: _Num, currency: str | None) -> _Side:
    tol = _TOLERANCE.match(text, num.end)
    if tol:  # "2,000.45±0.01 pounds": a range around the value; the unit after the tolerance is the number's
        num.end, num.tolerance = tol.end(), Decimal(tol["t"].replace(",", "."))
    kind, cur, unit, end = _unit_after(text, num.end, num)
    if currency and kind in (None, "money"):
        kind, cur = "money", currency  # "$20 million", "$5 million dollars"
    return _Side(num, kind, cur, unit, end)

def _range_end(text: str, pos: int) -> int:
    m = _RANGE_CONNECTOR.match(text, pos)
    if not m:
        return pos
    m2 = _CORE_RANGE_END.match(text, m.end())
    return m2.end() if m2 else pos


_RangeResult = tuple[Decimal, Decimal, str, "str | None", "str | None", int, int]


def _range(text: str, first: _Side, left: int, limit: int, mark: DecimalMark) -> _RangeResult | str | None:
    """Read "X to Y" / "X-Y" / "between X and Y" after `first`; "blocked" for scores."""
    conn = _RANGE_CONNECTOR.match(text, first.end)
    if not conn:
        return None
    intro = _INTRO_BEFORE.search(_before(text, left, 12))
    intro_word = intro[1].lower() if intro else None
    if conn["pair"] and not LOWER_BOUND_BEFORE.search(text, max(0, left - 32), left):
        return None  # "... but less than 30" pairs with a "more than" before the first number
    if conn["and"] and intro_word != "between":
        return None
    if conn["to"] and intro_word == "from" and _change_before(text, left - len(intro.string) + intro.start()):
        return None  # "rose from 200 to 300": two values
    pos = conn.end()
    cm = _CURRENCY_PREFIX.match(text, pos)
    currency2 = _CURRENCY_SYMBOLS.get(cm.group().strip()) if cm else None
    m2 = _CORE_RANGE_END.match(text, cm.end() if cm else pos)
    if not m2:
        return None
    num2 = _read_num(text, m2, mark)
    if num2 is None or num2.ordinal:
        return None
    second = _side(text, num2, currency2)
    if second.end > limit:
        return None
    a, b = first.num, second.num
    if conn["or"] and (a.scaled or not b.scaled):
        return None  # "two or three thousand" is a range; "5 or 6" needs none (same thresholds either way)
    dash = conn["dash"] is not None
    tight = dash and not conn["sp1"] and not conn["sp2"]
    # Scores: "3-2", "won 2-1"; tallies: "voted 5 to 4" (low > high) are not ranges.
    if dash and first.kind is None and second.kind is None and a.plain and b.plain:
        if a.value > b.value and not (len(a.digits) == 4 and len(b.digits) == 2):
            return "blocked"
        if tight and len(a.digits) <= 2 and len(b.digits) <= 2 and _is_score(text, left, m2.end()):
            return "blocked"
    if first.kind and second.kind and first.kind != second.kind:
        return None
    if second.kind is None and (first.end > a.end or a.attached):
        return None  # "0.6 per cent to 146.1 million": a unit written on the first end only is no range
    kind = first.kind or second.kind
    low = a.value
    if not a.scaled and b.scaled and a.raw <= b.raw:
        low = a.raw * (b.value / b.raw if b.raw else 1)  # "between 5 and 6 thousand", "$5-6 million"
    high = b.value
    start = left - len(intro.string) + intro.start() if intro else left
    end = second.end
    if kind is None and a.plain and b.plain and len(a.digits) == 4:
        year = _year_range(text, a, b, dash, start, end)
        if year is not None:
            return year[0], year[1], "year", None, None, start, end
    if low > high:
        return "blocked" if dash else None
    currency = first.currency or second.currency
    unit = first.unit or second.unit
    return low, high, kind or "count", currency, unit, start, end


def _year_range(text: str, a: _Num, b: _Num, dash: bool, start: int, end: int) -> tuple[Decimal, Decimal] | None:
    """"2020-2024", "1990-95", "from 2010 to 2015" as years; None if the pair reads as counts."""
    low = a.value
    if len(b.digits) == 2 and dash:
        high = (low // 100) * 100 + b.value
        if high < low:
            high += 100
    elif len(b.digits) == 4:
        high = b.value
    else:
        return None
    if not (1000 <= low <= high <= 2199):
        return None
    nxt = _next_word(text, end)
    prev = _prev_word(text, start)
    if prev in _YEAR_BEFORE or not (nxt and nxt[0].islower() and nxt not in _FUNCTION_WORDS):
        return low, high
    return None
