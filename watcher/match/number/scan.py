"""The scanner: every quantity of a text, in order."""

from __future__ import annotations

import re
from decimal import Decimal
from bisect import bisect_right
from functools import lru_cache

from watcher.match.number.context import (
    _currency_before,
    _hedge_before,
    _id_context,
    _is_year,
    _minus_before,
    _next_word,
    _plural_noun_next,
    _prev_word,
)
from watcher.match.number.marks import DecimalMark
from watcher.match.number.parse import _read_num
from watcher.match.number.quantity import Quantity, _Num
from watcher.match.number.ranges import _range, _range_end, _side
from watcher.match.number.shares import FRACTION_AFTER, IN_AFTER, fraction, percent, word_shares
from watcher.match.number.specials import _specials, month_first_date
from watcher.match.number.times import clock_or_day
from watcher.match.number.units import FEET, FEET_INCHES
from watcher.match.number.vague import vague_quantities
from watcher.match.number.vocab import _FUNCTION_WORDS, PAIR_AFTER, _CORE, _CORE_RANGE_END, _FRACTION_AFTER


def _expression(text: str, m: re.Match[str], limit: int, mark: DecimalMark) -> tuple[Quantity | None, int]:
    """The quantity whose core number is `m`, and where scanning resumes."""
    num = _read_num(text, m, mark)
    if num is None:
        return None, m.end()
    share = _share(text, num, mark)
    if share is not None:
        return share
    frac = _FRACTION_AFTER.match(text, num.end)
    if frac:
        return None, frac.end()  # "three quarters": a share of something unsaid, not a count
    if num.ordinal:
        return Quantity(num.value, num.value, "ordinal", None, num.start, num.end, text[num.start : num.end]), num.end
    currency, left = _currency_before(text, num.start)
    first = _side(text, num, currency)
    if m["words"] is None and m["suf"] not in (None, "m") and num.scaled and first.kind != "money" \
            and _id_context(text, num.start):
        return None, num.end  # "Block 1B", "the Radeon 5M": a model name
    if num.letter and first.kind != "money":
        num.letter = False
        if not _plural_noun_next(text, num.end):  # "1.8m tall", "the 100m sprint": metres; "2.3m people": million
            num.value, num.scaled, num.attached = num.raw, False, "m"
            first = _side(text, num, currency)
    if first.unit in FEET:
        inches = FEET_INCHES.match(text, first.end)
        if inches:  # "5 ft 2 in", "5 feet and 2 inches": one length, in feet
            num.value += Decimal(inches["n"]) / 12
            first.end = inches.end()
    if num.weak and first.kind is None and not _one_counts(text, num.start, num.end):
        return None, num.end  # a bare "one" is mostly a pronoun ("no one"); "one mile" is a measure
    hedge, hstart = _hedge_before(text, left)
    if num.plain and first.kind is None:
        if not hedge and _id_context(text, num.start):
            return None, num.end
        if len(num.digits) >= 2 and num.digits[0] == "0":
            return None, num.end  # ids, account and phone-like numbers, "007"

    rng = _range(text, first, left, limit, mark)
    if rng == "blocked":
        return None, _range_end(text, first.end)
    if rng is not None:
        low, high, kind, cur, unit, start, end = rng
        if start != left:
            hedge, hstart = _hedge_before(text, start)
        start = hstart if hedge else start
        if kind == "year":
            hedge = None if hedge not in ("about", "around", "approximately", "roughly") else hedge
        elif hedge and PAIR_AFTER.match(text, first.end):
            hedge = None  # "more than 20 but less than 30": the range is the bound
        if kind == "count" and _small_integers(low, high) and clock_or_day(text, left, end, True, 24) == "time":
            kind = "time"  # "between 3 and 8 yesterday", "6-8 next Monday"
        return Quantity(low, high, kind, hedge, start, end, text[start:end], cur, unit), end

    kind = first.kind or "count"
    value = num.value
    minus = _minus_before(text, left, spaced=kind == "measure" and first.unit is not None and "deg" in first.unit)
    if minus >= 0 and not hedge:
        value, left = -value, minus  # "-15°C", "-3.2%", "minus 20", "- 20 degrees"
    if kind == "count" and num.plain and len(num.digits) == 4 and _is_year(text, num.start, first.end, num.value, hedge):
        kind = "year"
    elif kind == "count" and _small_integers(value, value):
        kind = clock_or_day(text, left, first.end, False, int(value)) or kind  # "at 7 tonight", "Friday 23"
    start = hstart if hedge else left
    end = first.end
    if end > limit:
        return None, m.end()
    spread = num.tolerance or 0
    return Quantity(value - spread, value + spread, kind, hedge, start, end, text[start:end], first.currency,
                    first.unit), end

_NOT_ONE_BEFORE = frozenset("no any some every each the this that which no-one anyone someone everyone".split())
_NOT_ONE_AFTER = frozenset("another other others more less".split())


def _one_counts(text: str, start: int, end: int) -> bool:
    """A bare "one" that counts a noun ("One person was hurt"), not a pronoun ("no one", "one of them")."""
    nxt = _next_word(text, end)
    if not nxt or not nxt[0].islower() or nxt in _FUNCTION_WORDS or nxt in _NOT_ONE_AFTER:
        return False
    return _prev_word(text, start) not in _NOT_ONE_BEFORE


def _share(text: str, num: _Num, mark: DecimalMark) -> tuple[Quantity, int] | None:
    """"one in two", "9 out of 10", "two-thirds", "two thirds of": a percent quantity and its end."""
    if num.ordinal or num.scaled or num.attached:
        return None
    frac = FRACTION_AFTER.match(text, num.end)
    if frac:
        value = fraction(frac, num.value)
        end = frac.start("of") if frac["of"] else frac.end()
    else:
        conn = IN_AFTER.match(text, num.end)
        if not conn:
            return None
        m2 = _CORE_RANGE_END.match(text, conn.end())
        num2 = _read_num(text, m2, mark) if m2 else None
        if num2 is None or num2.ordinal or num2.attached or not num2.value == num2.value.to_integral_value():
            return None
        if num2.plain and len(num2.digits) == 4:
            return None  # "2 in 2024"
        value, end = percent(num.value, num2.value), num2.end
    if value is None:
        return None
    q = _share_quantity(text, num.start, end, value)
    return q, end


def _share_quantity(text: str, start: int, end: int, value: Decimal) -> Quantity:
    hedge, hstart = _hedge_before(text, start)
    start = hstart if hedge else start
    return Quantity(value, value, "percent", hedge, start, end, text[start:end])


def _small_integers(low: Decimal, high: Decimal) -> bool:
    return 0 <= low <= high <= 31 and low == low.to_integral_value() and high == high.to_integral_value()


# --------------------------------------------------------------------------- public API


@lru_cache(maxsize=64)
def _scan(text: str, lang: str | None = None) -> tuple[Quantity, ...]:
    mark = DecimalMark(text, lang)
    specials = _specials(text)
    low = text.lower()
    parts = [_share_quantity(text, s, e, v) for s, e, v in word_shares(text, low)]  # "a quarter of", "half of"
    if parts:
        specials = [x for x in specials if not any(x[0] < q.end and q.start < x[1] for q in parts)]
        specials += [(q.start, q.end, q) for q in parts]
    vague = vague_quantities(text, low)
    if vague:  # blocking spans for the core scanner too, unless inside a special form
        taken = [(s, e) for s, e, _ in specials]
        specials += [(q.start, q.end, q) for q in vague if not any(s < q.end and q.start < e for s, e in taken)]
    if parts or vague:
        specials.sort(key=lambda x: x[0])
    out = [q for _, _, q in specials if q is not None]
    starts = [s for s, _, _ in specials]
    n, pos = len(text), 0
    while True:
        m = _CORE.search(text, pos)
        if m is None:
            break
        i = bisect_right(starts, m.start()) - 1
        if i >= 0 and specials[i][1] > m.start():
            pos = specials[i][1]  # inside a date, time, phone number...
            continue
        limit = starts[i + 1] if i + 1 < len(starts) else n
        if m.end() > limit:
            pos = limit
            continue
        q = month_first_date(text, m.start()) if m["words"] is None else None
        if q is not None:
            out.append(q)
            pos = max(q.end, m.end())
            continue
        q, end = _expression(text, m, limit, mark)
        if q is not None:
            out.append(q)
        pos = max(end, m.end())
    out.sort(key=lambda q: q.start)
    return tuple(out)


def find_quantities(text: str, lang: str | None = None) -> list[Quantity]:
    """Every quantity in `text`, in order, non-overlapping. Cached per text and language.

    `lang` (the article's language, "de", "en-GB") decides the decimal mark: "4.800"
    is 4800 in German and 4.8 in English; unknown, the text's own unambiguous numbers
    decide, else the reading that needs no thousands separator (4.8).
    """
    return list(_scan(text, lang))
