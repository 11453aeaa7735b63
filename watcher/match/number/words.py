"""Spelled-out numbers: "twenty thousand", "two hundred and fifty", "a dozen"."""

from __future__ import annotations

import re
from decimal import Decimal

from watcher.match.number.quantity import _Num
from watcher.match.number.vocab import _ALPHA, _BIG, _ORDINAL_WORDS, _SMALL, _TENS


def _read_words(text: str, m: re.Match[str]) -> _Num | None:
    """Spelled-out number: "twenty thousand", "two hundred and fifty", "a dozen", "twenty-first"."""
    s, base = m["words"], m.start("words")
    total, current, mult, point = 0, 0, Decimal(1), Decimal(0)
    last: str | None = None  # category of the previous token
    end, ordinal, count, last_word = 0, False, 0, ""
    for t in _ALPHA.finditer(s):
        w = t.group().lower()
        if w in ("a", "an"):
            if last not in (None, "half"):
                break
            current, last = 1, "a"
            continue
        if w == "half":
            if last is not None:
                break
            mult, last = Decimal("0.5"), "half"
            continue
        if w == "and":
            if last not in ("hundred", "big"):
                break  # "two and three" is two numbers
            last = "and"
            continue
        if w == "point":
            if last not in ("unit", "tens"):
                break
            last, point = "point", Decimal("0.1")
            continue
        if last in ("point", "decimal") and _SMALL.get(w, 10) <= 9:  # "two point five": digits after the point
            current += point * _SMALL[w]
            point /= 10
            last = "decimal"
            count += 1
            end, last_word = t.end(), w
            continue
        if last == "point":
            break
        if w in _SMALL or w in _ORDINAL_WORDS and _ORDINAL_WORDS[w] < 10:
            v = _SMALL.get(w, _ORDINAL_WORDS.get(w))
            if last == "tens" and (v >= 10 or s[t.start() - 1] not in "- "):
                break
            if last not in (None, "tens", "hundred", "big", "and"):
                break
            current += v
            last = "unit"
        elif w in _TENS or w in _ORDINAL_WORDS and _ORDINAL_WORDS[w] < 100 and w not in _SMALL:
            v = _TENS.get(w, _ORDINAL_WORDS.get(w))
            if last not in (None, "hundred", "big", "and") or v < 10:
                break
            current += v
            last = "tens"
        elif w in ("hundred", "hundredth"):
            if last not in ("unit", "a") or current == 0:
                break
            current *= 100
            last = "hundred"
        elif w in _BIG or w in ("thousandth", "millionth"):
            if last not in ("unit", "tens", "hundred", "a", "decimal") or current == 0:
                break
            total += current * _BIG.get(w, 1000 if w == "thousandth" else 10**6)
            current, last = 0, "big"
        elif w == "dozen":
            if last not in ("unit", "a") or current == 0:
                break
            current *= 12
            last = "dozen"
        else:
            break
        count += 1
        end, last_word = t.end(), w
        if w in _ORDINAL_WORDS:
            ordinal = True
            break  # an ordinal word ends the number
    value = (total + current) * mult
    if end == 0:
        return None
    weak = count == 1 and s[:end].lower() == "one"  # mostly a pronoun ("no one", "one of them")
    # A trailing scale word is the range's shared scale: "between two and three thousand".
    scale = _BIG.get(last_word, 0) if last == "big" else 0
    if scale and not ordinal:
        return _Num(m.start(), base + end, value, value / scale, True, False, "")
    return _Num(m.start(), base + end, value, value, False, False, "", ordinal=ordinal, weak=weak)
